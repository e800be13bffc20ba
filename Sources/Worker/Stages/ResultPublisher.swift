/// Publishes result documents to IPFS (Pinata or a Kubo node).
package protocol ResultPublisher: Sendable {
    /// The CID `publish` will return for `bytes`, computed locally without I/O, in its shortest text form
    /// (CIDv0 when the content allows it), so the worker can check it fits on-chain before publishing.
    func expectedCID(of bytes: [UInt8]) throws -> String

    /// Publishes `bytes` under the file name `name` and returns the CID in the same form as `expectedCID`.
    func publish(_ bytes: [UInt8], name: String) async throws -> String
}

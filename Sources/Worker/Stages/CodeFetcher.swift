/// Fetches a job's code from IPFS, verified against its CID.
package protocol CodeFetcher: Sendable {
    /// The bytes behind `cid`, at most `maxBytes` long.
    ///
    /// Throw a ``ClassifiedError`` of kind ``FailureKind/invalidJobInput`` when the CID cannot be parsed, the
    /// content is larger than `maxBytes`, or it fails verification at every gateway on repeated attempts;
    /// ``FailureKind/transient`` for gateways that are down, slow or answering 429/5xx.
    func fetchCode(cid: String, maxBytes: Int) async throws -> [UInt8]
}

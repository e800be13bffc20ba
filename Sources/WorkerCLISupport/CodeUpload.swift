import IPFS
import Worker

/// Publishes a job's code and proves the CID: the CID is computed locally (Kubo's CIDv0 layout) before
/// the upload, and the publisher's answer must equal it.
public struct CodeUpload: Sendable {
    /// Where the code goes.
    public let publisher: any ContentPublisher

    /// Creates an uploader.
    public init(publisher: any ContentPublisher) {
        self.publisher = publisher
    }

    /// The CIDv0 `bytes` will have on IPFS, computed without I/O.
    public static func expectedCID(of bytes: [UInt8]) -> CID {
        UnixFSFileBuilder(layout: .v0).cid(of: bytes)
    }

    /// Uploads `bytes` as `name` and returns the verified CID.
    public func upload(_ bytes: [UInt8], name: String) async throws(PublishError) -> CID {
        let expected = Self.expectedCID(of: bytes)
        let returned = try await publisher.publish(bytes, name: name)
        guard returned == expected else {
            throw .cidMismatch(
                service: publisher.serviceName, expected: expected, returned: returned.description)
        }
        return returned
    }
}

extension CodeUpload {
    /// Neither a Kubo endpoint nor Pinata credentials are configured.
    public struct NoPublisher: Error, Sendable, CustomStringConvertible {
        /// Explains what to set.
        public var description: String {
            "no IPFS publisher is configured: set PINATA_JWT (Pinata) or IPFS_API_URL (a Kubo node)"
        }
    }

    /// The publisher the configuration names: Kubo when `IPFS_API_URL` is set, else Pinata with `PINATA_JWT`.
    public init(configuration: WorkerConfiguration) throws(NoPublisher) {
        if let api = configuration.ipfsAPIURL {
            self.init(publisher: KuboPublisher(apiURL: api.absoluteString))
        } else if let jwt = configuration.pinataJWT {
            self.init(
                publisher: PinataPublisher(jwt: jwt, apiURL: configuration.pinataAPIURL.absoluteString))
        } else {
            throw NoPublisher()
        }
    }
}

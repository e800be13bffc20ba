import Foundation
import IPFS
import Logging

/// The production ``ResultPublisher``: uploads result documents through Pinata (`PINATA_JWT`) or a Kubo node
/// (`IPFS_API_URL`), as the exact bytes, CIDv0 (the shortest CID form, so it fits the Job account best).
///
/// Every publishing failure is transient for the job: a service that is down, rate limiting, rejecting the
/// credentials or storing other bytes is the worker's trouble, so the job is retried with backoff (and the
/// cause logged) rather than failed.
package struct IPFSResultPublisher: ResultPublisher {
    let publisher: any ContentPublisher
    let logger: Logger

    /// Creates a publisher over `publisher`.
    package init(
        publisher: any ContentPublisher, logger: Logger
    ) {
        self.publisher = publisher
        self.logger = logger
    }

    /// The publisher the configuration asks for: Pinata when a JWT is set, else Kubo when `IPFS_API_URL` is
    /// set, else nil.
    package static func configured(
        by configuration: WorkerConfiguration, logger: Logger
    ) -> IPFSResultPublisher? {
        if let jwt = configuration.pinataJWT {
            return IPFSResultPublisher(
                publisher: PinataPublisher(jwt: jwt, apiURL: configuration.pinataAPIURL.absoluteString),
                logger: logger)
        }
        if let url = configuration.ipfsAPIURL {
            return IPFSResultPublisher(
                publisher: KuboPublisher(apiURL: url.absoluteString), logger: logger)
        }
        return nil
    }

    /// The service results go to ("Pinata", "Kubo").
    package var serviceName: String { publisher.serviceName }

    /// The CIDv0 of `bytes` as a UnixFS file (what Pinata and Kubo return for them).
    package func expectedCID(of bytes: [UInt8]) throws -> String {
        UnixFSFileBuilder(layout: .v0).cid(of: bytes).description
    }

    /// Publishes `bytes` as file `name`; returns its CIDv0.
    package func publish(_ bytes: [UInt8], name: String) async throws -> String {
        let cid: CID
        do throws(PublishError) {
            cid = try await publisher.publish(bytes, name: name)
        } catch {
            if case .cancelled = error { throw CancellationError() }
            if error.isPermanent {
                logger.error(
                    "publishing results keeps failing until the configuration or the service is fixed",
                    metadata: ["service": "\(publisher.serviceName)", "error": "\(error)"])
            }
            throw StageError.transient("publishing the result to \(publisher.serviceName): \(error)")
        }
        return cid.description
    }
}

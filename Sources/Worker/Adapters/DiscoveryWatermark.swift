import Solana

/// The newest transaction of the program whose accounts discovery has read: the next poll reads only what
/// came after it (`getSignaturesForAddress(program, until: signature)`).
package struct DiscoveryWatermark: Sendable, Hashable {
    /// The transaction's signature.
    package var signature: Signature
    /// The slot it landed in.
    package var slot: UInt64

    /// Creates a watermark.
    package init(signature: Signature, slot: UInt64) {
        self.signature = signature
        self.slot = slot
    }
}

/// Where the discovery watermark is kept across restarts (the journal, in production).
package protocol DiscoveryWatermarkStore: Sendable {
    /// The watermark recorded for `program`, if any.
    func discoveryWatermark(program: PublicKey) async throws -> DiscoveryWatermark?
    /// Records `watermark` for `program`, replacing the previous one.
    func recordDiscoveryWatermark(_ watermark: DiscoveryWatermark, program: PublicKey) async throws
}

extension Journal: DiscoveryWatermarkStore {
    /// Records `watermark` for `program` now.
    package func recordDiscoveryWatermark(_ watermark: DiscoveryWatermark, program: PublicKey) async throws {
        try await recordDiscoveryWatermark(watermark, program: program, at: .now)
    }
}

import Foundation
import GRDB
import Solana

extension Journal {
    /// The discovery watermark recorded for `program`: the newest of its transactions whose accounts the worker
    /// has read; `nil` before the first one.
    package func discoveryWatermark(program: PublicKey) async throws(JournalError) -> DiscoveryWatermark? {
        let path = path
        return try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT signature, slot FROM discovery_watermark WHERE program = ?",
                    arguments: [program.base58])
            else { return nil }
            guard let signature = try? Signature(base58: (row["signature"] as String?) ?? "") else {
                throw JournalError(
                    kind: .corrupt, path: path, detail: "discovery watermark of \(program): bad signature")
            }
            return DiscoveryWatermark(signature: signature, slot: UInt64(clamping: (row["slot"] as Int64?) ?? 0))
        }
    }

    /// Records `watermark` as `program`'s discovery watermark, replacing the previous one.
    package func recordDiscoveryWatermark(_ watermark: DiscoveryWatermark, program: PublicKey, at date: Date = Date())
        async throws(JournalError)
    {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO discovery_watermark (program, signature, slot, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(program) DO UPDATE SET signature = excluded.signature, slot = excluded.slot,
                      updated_at = excluded.updated_at
                    """,
                arguments: [
                    program.base58, watermark.signature.base58, Int64(clamping: watermark.slot),
                    date.timeIntervalSince1970,
                ])
        }
    }
}

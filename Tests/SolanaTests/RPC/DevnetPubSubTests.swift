import DevnetSupport
import Foundation
import Solana
import Testing

/// RPC and PubSub against the shared test devnet.
@Suite("RPC and PubSub against the devnet")
struct DevnetPubSubTests {
    @Test func subscriptionsSeeAnAirdrop() async throws {
        let devnet = try await Devnet.shared()
        let rpc = try SolanaRPCClient(endpoint: devnet.endpoints.rpcURL)
        let pubsub = try SolanaPubSubClient(configuration: .init(url: devnet.endpoints.wsURL))
        #expect(try await !rpc.getVersion().solanaCore.isEmpty)
        try await rpc.getHealth()
        let latest = try await rpc.getLatestBlockhash()
        #expect(try await rpc.isBlockhashValid(latest.blockhash))
        #expect(try await rpc.getBlockHeight() <= latest.lastValidBlockHeight)

        let target = try PublicKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        let lamports: UInt64 = 1_000_000_000
        try await pubsub.connect()
        let accountUpdates = try await pubsub.accountSubscribe(target, commitment: .confirmed)
        let programUpdates = try await pubsub.programSubscribe(
            .systemProgram, filters: [.dataSize(0)], commitment: .confirmed)
        let slots = try await pubsub.slotSubscribe()

        let signature = try await rpc.requestAirdrop(to: target, lamports: lamports)
        let signatureUpdates = try await pubsub.signatureSubscribe(signature, commitment: .confirmed)

        let account = try await within(.seconds(20)) { () -> AccountNotification? in
            var iterator = accountUpdates.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(account?.account.lamports == lamports)
        #expect(account?.account.owner == .systemProgram)
        let programAccount = try await within(.seconds(20)) { () -> ProgramNotification? in
            for try await update in programUpdates where update.pubkey == target { return update }
            return nil
        }
        #expect(programAccount?.account.lamports == lamports)
        let landed = try await within(.seconds(20)) { () -> [SignatureNotification] in
            var all: [SignatureNotification] = []
            for try await update in signatureUpdates { all.append(update) }
            return all
        }
        #expect(landed.count == 1 && landed.first?.err == nil)
        let seenSlots = try await within(.seconds(20)) { () -> [UInt64] in
            var seen: [UInt64] = []
            for try await update in slots {
                seen.append(update.slot)
                if seen.count == 2 { break }
            }
            return seen
        }
        #expect(seenSlots.count == 2 && seenSlots[0] < seenSlots[1])

        #expect(try await rpc.getBalance(target) == lamports)
        let status = try #require(try await rpc.getSignatureStatuses([signature]).first ?? nil)
        #expect(status.err == nil && status.satisfies(.confirmed))
        let found = try await rpc.getProgramAccounts(.systemProgram, filters: [.dataSize(0)])
        #expect(found.contains { $0.pubkey == target && $0.account.lamports == lamports })
        try await accountUpdates.unsubscribe()
        try await programUpdates.unsubscribe()
        await pubsub.close()
    }
}

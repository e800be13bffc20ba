import CloudMesh
import Logging
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// How many complete_job instructions fit in one 1,232-byte transaction, built and serialized exactly as the
/// settler sends them.
@Suite struct SettlementCapacityTests {
    let cidV0 = "QmfP6GjfZnzRi5Lj1AYF4HurNVhebyeRvCdDnd8VVeCP32"
    let cidV1 = "bafybeihui4agg3d5vku5qnjg6luskvvue7twfha5k4uw4mowbowx4i6uke"

    func settler(priorityFee: UInt64 = 0) throws -> SolanaJobSettler {
        SolanaJobSettler(
            sender: TransactionSender(client: try SolanaRPCClient(endpoint: "http://127.0.0.1:1")),
            program: CloudMeshProgram(programId: TestJobs.key(99)), keypair: Keypair.generate(),
            fees: .init(priorityFeeMicroLamports: priorityFee), logger: Logger(label: "test"))
    }

    func requests(_ count: Int, cid: String) -> [SettlementRequest] {
        (0..<count).map { SettlementRequest(job: TestJobs.job(UInt8($0 + 1)), resultCID: cid, cost: 1_000_000) }
    }

    @Test func aPacketHoldsTenJobsWithCIDv0ResultsAndFewerWithCIDv1() throws {
        let settler = try settler()
        #expect(settler.batchCapacity(for: requests(20, cid: cidV0)) == 10)
        #expect(settler.batchCapacity(for: requests(20, cid: cidV1)) == 9)
        #expect(settler.batchCapacity(for: requests(3, cid: cidV0)) == 3, "fewer requests than room")
        #expect(settler.batchCapacity(for: []) == 0)
        // The compute-budget instructions of a priority fee take room too.
        #expect(try self.settler(priorityFee: 1_000).batchCapacity(for: requests(20, cid: cidV0)) == 9)
    }

    @Test func aJobNamedTwiceEndsTheBatch() throws {
        var batch = requests(4, cid: cidV0)
        batch[2] = batch[0]
        #expect(try settler().batchCapacity(for: batch) == 2)
    }

    @Test func theFeeAndComputeLimitScaleWithTheBatch() {
        let fees = SolanaJobSettler.Fees(priorityFeeMicroLamports: 1_000)
        #expect(fees.computeUnitLimit(jobs: 10) == 500_000)
        #expect(fees.computeUnitLimit(jobs: 100) == 1_400_000, "Solana's per-transaction maximum")
        #expect(fees.feeLamports(jobs: 1) == 5_000 + 50)
        #expect(fees.feeLamports(jobs: 10) == 5_000 + 500)
        #expect(fees.feeLamports == fees.feeLamports(jobs: 1))
        #expect(SolanaJobSettler.Fees(priorityFeeMicroLamports: 0).feeLamports(jobs: 10) == 5_000)
    }
}

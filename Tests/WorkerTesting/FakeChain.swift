import Foundation
import Solana
import Worker

/// An in-memory CloudMesh program: jobs, their states, and landed transactions; with scripted faults.
package final class FakeChain: Sendable {
    package struct State {
        package var jobs: [PublicKey: PendingJob] = [:]
        package var states: [PublicKey: OnChainJobState] = [:]
        package var pollFaults = 0
        package var jobStateFaults = 0
        package var polls = 0
        package var hangJobState = false
        /// `jobStates(of:)` calls, and the addresses each asked for.
        package var stateReads: [[PublicKey]] = []
    }

    package let state = Locked(State())

    package func add(_ job: PendingJob) {
        state.withLock {
            $0.jobs[job.address] = job
            $0.states[job.address] = .pending
        }
    }

    package func set(_ address: PublicKey, _ value: OnChainJobState) {
        state.withLock { $0.states[address] = value }
    }

    package func status(_ address: PublicKey) -> OnChainJobState {
        state.withLock { $0.states[address] ?? .missing }
    }
}

/// A ``JobSource`` reading a ``FakeChain``; subscription updates are pushed by the test.
package final class FakeJobSource: JobSource {
    package let chain: FakeChain
    private let stream: AsyncStream<JobUpdate>
    package let updates: AsyncStream<JobUpdate>.Continuation

    package init(chain: FakeChain) {
        self.chain = chain
        (stream, updates) = AsyncStream.makeStream(of: JobUpdate.self)
    }

    package func pendingJobs() async throws -> [PendingJob] {
        try chain.state.withLock { state in
            state.polls += 1
            if state.pollFaults > 0 {
                state.pollFaults -= 1
                throw StageError.transient("RPC 503 (scripted)")
            }
            return state.jobs.values.filter { state.states[$0.address] == .pending }
        }
    }

    package func jobUpdates() -> AsyncStream<JobUpdate> { stream }

    package func jobState(of address: PublicKey) async throws -> OnChainJobState {
        let hang = try chain.state.withLock { state in
            if state.jobStateFaults > 0 {
                state.jobStateFaults -= 1
                throw StageError.transient("RPC 429 (scripted)")
            }
            return state.hangJobState
        }
        if hang { try await Task.sleep(for: .seconds(3600)) }
        return chain.status(address)
    }

    /// One scripted RPC call for all of `addresses` (a fault or a hang applies to the whole read).
    package func jobStates(of addresses: [PublicKey]) async throws -> [PublicKey: OnChainJobState] {
        let hang = try chain.state.withLock { state in
            state.stateReads.append(addresses)
            if state.jobStateFaults > 0 {
                state.jobStateFaults -= 1
                throw StageError.transient("RPC 429 (scripted)")
            }
            return state.hangJobState
        }
        if hang { try await Task.sleep(for: .seconds(3600)) }
        return Dictionary(uniqueKeysWithValues: addresses.map { ($0, chain.status($0)) })
    }
}

/// Makes deterministic test jobs.
package enum TestJobs {
    package static func key(_ seed: UInt8) -> PublicKey {
        // swift-format-ignore
        (try? PublicKey(bytes: [UInt8](repeating: seed, count: 32))) ?? .systemProgram
    }

    package static func job(_ seed: UInt8, title: String? = nil, codeCID: String? = nil, startTime: Int64? = nil)
        -> PendingJob
    {
        PendingJob(
            address: key(seed), owner: key(200), title: title ?? "job-\(seed)",
            codeCID: codeCID ?? "QmCode\(seed)", startTime: startTime ?? Int64(1_000 + Int(seed)), slot: 10)
    }
}

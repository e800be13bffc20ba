/// TEST-ONLY stage wrappers that kill the process at a ``TestCrashInjection/Point``, installed by
/// ``WorkerRuntime`` only when `CLOUDMESH_TEST_CRASH_AT` is set; the production adapters know nothing of it.
extension TestCrashInjection {
    /// `stages` with every stage that has a crash point wrapped, or unchanged when injection is off.
    func wrapping(_ stages: JobPipeline.Stages) -> JobPipeline.Stages {
        guard point != nil else { return stages }
        var wrapped = stages
        wrapped.fetcher = CrashInjectingFetcher(base: stages.fetcher, crash: self)
        wrapped.executor = CrashInjectingExecutor(base: stages.executor, crash: self)
        wrapped.publisher = CrashInjectingPublisher(base: stages.publisher, crash: self)
        wrapped.settler = CrashInjectingSettler(base: stages.settler, crash: self)
        return wrapped
    }
}

/// Dies at ``TestCrashInjection/Point/afterFetch``: the code is fetched, nothing executed.
struct CrashInjectingFetcher: CodeFetcher {
    let base: any CodeFetcher
    let crash: TestCrashInjection

    func fetchCode(cid: String, maxBytes: Int) async throws -> [UInt8] {
        let code = try await base.fetchCode(cid: cid, maxBytes: maxBytes)
        crash.reached(.afterFetch)
        return code
    }
}

/// Dies at ``TestCrashInjection/Point/duringExecution``, half a second into a job's run.
struct CrashInjectingExecutor: CodeExecutor {
    let base: any CodeExecutor
    let crash: TestCrashInjection

    func execute(code: [UInt8], packages: String?) async throws -> ExecutionReport {
        guard crash.point == .duringExecution else { return try await base.execute(code: code, packages: packages) }
        let base = base
        let crash = crash
        return try await withThrowingTaskGroup(of: ExecutionReport?.self) { group in
            group.addTask { try await base.execute(code: code, packages: packages) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                crash.reached(.duringExecution)
                return nil
            }
            while let next = try await group.next() {
                if let report = next {
                    group.cancelAll()
                    return report
                }
            }
            throw CancellationError()
        }
    }
}

/// Dies at ``TestCrashInjection/Point/afterExecution`` (the result is journaled, nothing published) and at
/// ``TestCrashInjection/Point/afterPublish`` (published, the CID not journaled).
struct CrashInjectingPublisher: ResultPublisher {
    let base: any ResultPublisher
    let crash: TestCrashInjection

    func expectedCID(of bytes: [UInt8]) throws -> String {
        try base.expectedCID(of: bytes)
    }

    func publish(_ bytes: [UInt8], name: String) async throws -> String {
        crash.reached(.afterExecution)
        let cid = try await base.publish(bytes, name: name)
        crash.reached(.afterPublish)
        return cid
    }
}

/// Dies at ``TestCrashInjection/Point/beforeSend`` (the transaction is journaled, not sent) and at
/// ``TestCrashInjection/Point/afterSend`` (it landed, the settlement not journaled).
struct CrashInjectingSettler: JobSettler {
    let base: any JobSettler
    let crash: TestCrashInjection

    func batchCapacity(for requests: [SettlementRequest]) -> Int {
        base.batchCapacity(for: requests)
    }

    func settle(_ batch: [SettlementRequest], journal: @Sendable (SubmittedTransaction) async throws -> Void)
        async throws -> [SettlementOutcome]
    {
        let crash = crash
        let outcomes = try await withoutActuallyEscaping(journal) { journal in
            try await base.settle(batch) { transaction in
                try await journal(transaction)
                crash.reached(.beforeSend)
            }
        }
        if outcomes.contains(where: \.isSettled) { crash.reached(.afterSend) }
        return outcomes
    }

    func resume(submitted: SubmittedTransaction, job: PendingJob) async throws -> SettlementOutcome {
        let outcome = try await base.resume(submitted: submitted, job: job)
        if outcome.isSettled { crash.reached(.afterSend) }
        return outcome
    }
}

extension SettlementOutcome {
    /// Whether the job's complete_job landed.
    fileprivate var isSettled: Bool {
        if case .settled = self { return true }
        return false
    }
}

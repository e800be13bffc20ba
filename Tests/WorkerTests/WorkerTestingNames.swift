import WorkerTesting

// The run loop's suites (WorkerServiceTests, HostileJobsServiceTests, WorkerLifecycleTests, SchedulerTests) are
// being rewritten with it and do not import WorkerTesting yet; these names give them the harness they use. Delete
// this file once they import WorkerTesting themselves.

/// The harness of ``WorkerTesting``.
typealias Harness = WorkerTesting.Harness

/// The test jobs of ``WorkerTesting``.
typealias TestJobs = WorkerTesting.TestJobs

/// ``WorkerTesting``'s `eventually(timeout:_:)`.
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () async -> Bool) async -> Bool {
    await WorkerTesting.eventually(timeout: timeout, condition)
}

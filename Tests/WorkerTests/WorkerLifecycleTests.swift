import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import WorkerTesting

@testable import Worker

/// The worker in a swift-service-lifecycle group: a graceful shutdown stops the run loop with its summary,
/// and a `once` run ends the whole group when its work is done.
@Suite struct WorkerLifecycleTests {
    let harness = Harness()

    /// A service that only waits for its group's graceful shutdown (as the metrics server does).
    struct UntilShutdown: Service {
        func run() async throws {
            try await gracefulShutdown()
        }
    }

    @Test func aGracefulShutdownStopsTheRunLoop() async throws {
        let journal = try harness.openJournal()
        harness.addJob(1)
        let worker = WorkerRunService(service: harness.service(journal: journal), once: false)
        let harness = harness
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                #expect(await eventually { harness.chain.status(TestJobs.key(1)) != .pending })
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        let summary = try #require(worker.summary.withLock { $0 })
        #expect(summary.shutDown)
        #expect(summary.settled == 1)
    }

    @Test func aOnceRunEndsItsGroup() async throws {
        let journal = try harness.openJournal()
        harness.addJob(1)
        harness.addJob(2)
        let worker = WorkerRunService(service: harness.service(journal: journal), once: true)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: UntilShutdown()),
                    .init(
                        service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: Logger(label: "lifecycle-test", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await group.run()
        let summary = try #require(worker.summary.withLock { $0 })
        #expect(summary.settled == 2)
        #expect(!summary.shutDown)
    }
}

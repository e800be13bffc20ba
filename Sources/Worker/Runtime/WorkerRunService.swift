import ServiceLifecycle
import Synchronization

/// The worker's run loop as a swift-service-lifecycle `Service`: a graceful shutdown of its group (SIGTERM,
/// SIGINT, or the end of another service) becomes ``WorkerService/shutdown()``; the run returns once running
/// jobs finished or were cancelled after `SHUTDOWN_GRACE`, and a `once` run returns when its work is done.
final class WorkerRunService: Service {
    let service: WorkerService
    let once: Bool
    /// What the run did, once it returned.
    let summary = Mutex<RunSummary?>(nil)

    init(service: WorkerService, once: Bool) {
        self.service = service
        self.once = once
    }

    func run() async throws {
        let service = service
        let result = try await withGracefulShutdownHandler {
            try await service.run(once: once)
        } onGracefulShutdown: {
            service.shutdown()
        }
        summary.withLock { $0 = result }
    }
}

import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (200 when healthy, 503 otherwise, with
/// a JSON body, see ``HealthReport``) at `METRICS_ADDR`.
package struct MetricsServer: Sendable {
    let address: HostAndPort
    let registry: PrometheusCollectorRegistry
    let health: HealthState
    let logger: Logger

    /// Creates the server.
    package init(address: HostAndPort, registry: PrometheusCollectorRegistry, health: HealthState, logger: Logger) {
        self.address = address
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    /// The server as a swift-service-lifecycle `Service`: it serves until its group shuts down gracefully (or
    /// the task is cancelled); `onStarted` receives the port actually bound (useful with port 0). A failure
    /// (e.g. the address in use) is logged and ends only the server, never the worker.
    package func service(onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        Serving(application: application(onStarted: onStarted), address: address, logger: logger)
    }

    private func application(onStarted: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let registry = registry
        let health = health
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ -> Response in
            let report = await health.report()
            return Response(
                status: report.isHealthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: report.json.bytes)))
        }
        let port = address.port
        let host = address.host
        let logger = logger
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "cloudmesh-worker"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("serving /metrics and /healthz", metadata: ["address": "\(host):\(bound)"])
                await onStarted(bound)
            },
            logger: logger)
    }

    /// Runs the application, logging a failure instead of throwing it.
    private struct Serving<App: ApplicationProtocol>: Service {
        let application: App
        let address: HostAndPort
        let logger: Logger

        func run() async throws {
            do {
                try await application.run()
            } catch {
                logger.error("the metrics server stopped", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
    }
}

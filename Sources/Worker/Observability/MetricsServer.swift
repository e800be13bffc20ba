import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (200 when healthy, 503 otherwise, with
/// a JSON body, see ``HealthReport``) at `METRICS_ADDR`.
public struct MetricsServer: Sendable {
    let address: HostAndPort
    let registry: PrometheusCollectorRegistry
    let health: HealthState
    let logger: Logger

    /// Creates the server.
    public init(address: HostAndPort, registry: PrometheusCollectorRegistry, health: HealthState, logger: Logger) {
        self.address = address
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    /// Serves until the calling task is cancelled; `onStarted` receives the port actually bound (useful with
    /// port 0).
    public func run(onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
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
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: port), serverName: "cloudmesh-worker"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.run()
    }
}

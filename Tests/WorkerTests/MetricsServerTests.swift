import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Testing
import WorkerTesting

@testable import Worker

@Suite struct MetricsServerTests {
    let harness = Harness()

    func get(_ port: Int, _ path: String) async throws -> (status: UInt, body: String) {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    @Test func servesMetricsAndHealthOverHTTP() async throws {
        let journal = try harness.openJournal()
        let gate = SettlementGate()
        let health = HealthState(journal: journal, gate: gate, maxPollAge: 60)
        let server = MetricsServer(
            address: HostAndPort(host: "127.0.0.1", port: 0), registry: harness.registry.registry, health: health,
            logger: Logger(label: "metrics-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = Locked<Int?>(nil)
        let serving = Task { try await server.service { bound in port.withLock { $0 = bound } }.run() }
        defer { serving.cancel() }
        #expect(await eventually { port.current != nil })
        let bound = try #require(port.current)

        // Before any poll: unhealthy.
        let before = try await get(bound, "/healthz")
        #expect(before.status == 503)
        #expect(
            before.body
                == #"{"status": "unhealthy", "journal_writable": true, "last_poll_age_seconds": null, "settlement_paused": false}"#
        )

        // A real run records metrics and a poll.
        harness.addJob(1)
        _ = try await harness.service(journal: journal, health: health, gate: gate).run(once: true)
        let healthy = try await get(bound, "/healthz")
        #expect(healthy.status == 200)
        #expect(healthy.body.hasPrefix(#"{"status": "ok", "journal_writable": true, "last_poll_age_seconds": "#))

        let metrics = try await get(bound, "/metrics")
        #expect(metrics.status == 200)
        for expected in [
            #"cloudmesh_jobs_total{outcome="settled"} 1"#, "cloudmesh_stage_duration_seconds_bucket",
            #"stage="execute""#, "cloudmesh_pickup_latency_seconds_count 1", "cloudmesh_balance_lamports 1000000000",
            "cloudmesh_jobs_in_flight 0", #"cloudmesh_polls_total{result="ok"}"#,
        ] {
            #expect(metrics.body.contains(expected), "missing \(expected)")
        }

        // Paused settlement makes the worker unhealthy.
        await gate.pause(at: Date())
        let paused = try await get(bound, "/healthz")
        #expect(paused.status == 503)
        #expect(paused.body.hasSuffix(#""settlement_paused": true}"#))
        #expect(try await get(bound, "/nothing").status == 404)
    }

    @Test func logLinesNameTheJobAndJSONLinesParse() throws {
        let lines = Locked<[String]>([])
        let sink = LogSink { line in lines.withLock { $0.append(line) } }
        var text = Logger(label: "t", factory: WorkerLogging.makeHandler(format: .text, level: .info, sink: sink))
        text[metadataKey: "job"] = "Abc"
        text[metadataKey: "title"] = "my job"
        text.info("settled", metadata: ["signature": "5x", "note": "two words"])
        text.debug("hidden")
        let json = Logger(label: "t", factory: WorkerLogging.makeHandler(format: .json, level: .info, sink: sink))
        json.warning("poll failed", metadata: ["error": "RPC \"503\"\n"])
        let written = lines.current
        #expect(written.count == 2)
        #expect(written[0].hasSuffix(#" info [job=Abc title="my job"] settled note="two words" signature=5x"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[1].utf8)) as? [String: String])
        #expect(object["level"] == "warning")
        #expect(object["message"] == "poll failed")
        #expect(object["error"] == "RPC \"503\"\n")
        #expect(written[1].hasPrefix(#"{"ts": ""#))
    }
}

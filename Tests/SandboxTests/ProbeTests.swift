import Testing

@testable import Sandbox

/// The start-up probe reports what is isolated.
@Suite struct ProbeTests {
    @Test func theBubblewrapSandboxIsFullyIsolated() async throws {
        let runner = try TestSupport.runner()
        let report = try await runner.probe(sensitivePaths: ["/work", "/opt"])
        #expect(report.fullyIsolated, "\(report.summary)")
        #expect(report.networkIsolated)
        #expect(report.capabilitiesDropped)
        #expect(report.pidNamespaceIsolated)
        #expect(report.environmentScrubbed)
        #expect(report.visibleSensitivePaths.isEmpty)
        #expect(report.uid == 65534)
        #expect(report.hostname == "sandbox")
        #expect(report.summary.contains("worker files invisible"))
        #expect(report.seccompMode == "2" && report.userNamespaces == "refused (EPERM)", "\(report.summary)")
        #expect(report.kernelSurfaceReduced && report.summary.contains("seccomp filter"))
    }

    @Test func theUnsandboxedModeIsReportedAsNotIsolated() async throws {
        let runner = try TestSupport.runner(.none)
        let report = try await runner.probe()
        #expect(!report.fullyIsolated)
        #expect(!report.pidNamespaceIsolated)
        #expect(!report.visibleSensitivePaths.isEmpty)
        #expect(report.summary.contains("VISIBLE"))
    }
}

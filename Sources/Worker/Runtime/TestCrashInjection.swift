import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TEST-ONLY crash injection for the end-to-end SIGKILL tests: when the environment variable
/// `CLOUDMESH_TEST_CRASH_AT` names a point, the worker process kills itself with SIGKILL the first time a job
/// reaches it, exactly as an operator's `kill -9` or a power cut would. Never set it in production.
package struct TestCrashInjection: Sendable {
    /// The environment variable read at start.
    package static let variable = "CLOUDMESH_TEST_CRASH_AT"

    /// Where in a job's way through the worker the process dies.
    package enum Point: String, Sendable, CaseIterable {
        /// The code was fetched; nothing executed yet.
        case afterFetch = "after-fetch"
        /// The job's code is running in the sandbox (half a second after it started).
        case duringExecution = "during-execution"
        /// The result document is journaled; nothing published yet.
        case afterExecution = "after-execution"
        /// The result is on IPFS; its CID is not journaled yet.
        case afterPublish = "after-publish"
        /// complete_job is signed and journaled; not sent yet.
        case beforeSend = "before-send"
        /// complete_job was sent and confirmed; the settlement is not journaled yet.
        case afterSend = "after-send"
    }

    /// The point at which the process dies, nil when disabled.
    package let point: Point?

    /// Crash injection switched off.
    package static let disabled = TestCrashInjection(point: nil)

    /// Reads ``variable`` from `environment`; unknown values disable it.
    package init(environment: [String: String]) {
        self.init(point: environment[Self.variable].flatMap(Point.init(rawValue:)))
    }

    private init(point: Point?) {
        self.point = point
    }

    /// Kills the process with SIGKILL when `reached` is the configured point.
    package func reached(_ reached: Point) {
        guard reached == point else { return }
        FileHandle.standardError.write(
            Data("TEST CRASH INJECTION: SIGKILL at \(reached.rawValue)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}

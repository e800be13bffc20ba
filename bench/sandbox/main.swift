// Benchmark: the wall time a trivial job (`pass`) takes through the sandbox runner, against bare
// `python3 -c pass` started the same way (same launcher, thread and pipes), interleaved in one run.
//
//   swift run sandbox-bench [iterations] [output.json]      (defaults: 200, bench/results/sandbox.json)

import Foundation
import Logging
import Retry
@_spi(Benchmarking) import Sandbox

struct Series: Codable {
    var name: String
    var description: String
    var samplesMilliseconds: [Double] = []

    var sorted: [Double] { samplesMilliseconds.sorted() }
    var mean: Double { samplesMilliseconds.reduce(0, +) / Double(max(1, samplesMilliseconds.count)) }
    func percentile(_ p: Double) -> Double {
        let values = sorted
        guard !values.isEmpty else { return 0 }
        return values[min(values.count - 1, Int((Double(values.count - 1) * p).rounded()))]
    }
}

func milliseconds(_ duration: Duration) -> Double { duration.inSeconds * 1000 }

let arguments = CommandLine.arguments
let iterations = arguments.count > 1 ? max(1, Int(arguments[1]) ?? 200) : 200
let outputPath = arguments.count > 2 ? arguments[2] : "bench/results/sandbox.json"
var logger = Logger(label: "sandbox-bench")
logger.logLevel = .error
let python = "/usr/bin/python3"
let code = Array("pass\n".utf8)

let bubblewrap = try SandboxRunner(configuration: SandboxConfiguration(mode: .bubblewrap), logger: logger)
let bubblewrapNoCgroups = try SandboxRunner(
    configuration: SandboxConfiguration(mode: .bubblewrap, cgroups: .disabled), logger: logger)
let unsandboxed = try SandboxRunner(configuration: SandboxConfiguration(mode: .none), logger: logger)
var withoutSeccomp = SandboxConfiguration(mode: .bubblewrap)
withoutSeccomp.seccompFilter = false
let bubblewrapNoSeccomp = try SandboxRunner(configuration: withoutSeccomp, logger: logger)

var series = [
    Series(name: "bare", description: "python3 -c pass, same launcher, no limits"),
    Series(name: "sandbox", description: "SandboxRunner, bubblewrap + job cgroup + rlimits + job uid"),
    Series(name: "sandbox-no-cgroup", description: "SandboxRunner, bubblewrap + rlimits + job uid, cgroups off"),
    Series(name: "none", description: "SandboxRunner SANDBOX=none: rlimits + cgroup + temp dir + job uid"),
    Series(name: "sandbox-no-seccomp", description: "SandboxRunner, as sandbox but without the seccomp filter"),
]

// Warm up the page cache and the code paths.
for _ in 0..<5 {
    _ = try await BareProcess.run([python, "-c", "pass"])
    _ = try await bubblewrap.run(code: code)
    _ = try await bubblewrapNoCgroups.run(code: code)
    _ = try await unsandboxed.run(code: code)
    _ = try await bubblewrapNoSeccomp.run(code: code)
}

for _ in 0..<iterations {
    var start = ContinuousClock.now
    let status = try await BareProcess.run([python, "-c", "pass"])
    series[0].samplesMilliseconds.append(milliseconds(ContinuousClock.now - start))
    precondition(status == 0, "bare python3 failed with wait status \(status)")
    for (index, runner) in [(1, bubblewrap), (2, bubblewrapNoCgroups), (3, unsandboxed), (4, bubblewrapNoSeccomp)] {
        start = ContinuousClock.now
        let outcome = try await runner.run(code: code)
        series[index].samplesMilliseconds.append(milliseconds(ContinuousClock.now - start))
        precondition(outcome.returncode == 0, "sandboxed job failed: \(outcome.stderr)")
    }
}

let bare = series[0]
print("\(iterations) iterations each, interleaved; wall time per job in ms (debug build)")
print("name                 mean     p50     p95   added(mean)  added(p50)")
var rows: [[String: Any]] = []
for entry in series {
    let addedMean = entry.mean - bare.mean
    let addedMedian = entry.percentile(0.5) - bare.percentile(0.5)
    print(
        entry.name.padding(toLength: 18, withPad: " ", startingAt: 0)
            + String(
                format: " %7.2f %7.2f %7.2f   %9.2f   %9.2f", entry.mean, entry.percentile(0.5),
                entry.percentile(0.95), addedMean, addedMedian))
    rows.append([
        "name": entry.name, "description": entry.description, "mean_ms": entry.mean,
        "p50_ms": entry.percentile(0.5), "p95_ms": entry.percentile(0.95),
        "added_mean_ms": addedMean, "added_p50_ms": addedMedian,
    ])
}

let seccompCost = series[1].mean - series[4].mean
let seccompCostMedian = series[1].percentile(0.5) - series[4].percentile(0.5)
print(
    String(
        format: "the seccomp filter adds %.2f ms per job (mean), %.2f ms (p50); target under 1 ms", seccompCost,
        seccompCostMedian))

var system = utsname()
uname(&system)
let kernel = withUnsafeBytes(of: system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
let document: [String: Any] = [
    "benchmark": "sandbox",
    "job": "pass",
    "iterations": iterations,
    "interleaved": true,
    "build": "debug",
    "kernel": kernel,
    "cpus": ProcessInfo.processInfo.activeProcessorCount,
    "running_as_root": geteuid() == 0,
    "python": python,
    "isolation": bubblewrap.isolationDescription,
    "target_added_ms": 5,
    "seccomp_added_mean_ms": seccompCost,
    "seccomp_added_p50_ms": seccompCostMedian,
    "seccomp_target_ms": 1,
    "results": rows,
]
let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
try FileManager.default.createDirectory(
    atPath: (outputPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try data.write(to: URL(fileURLWithPath: outputPath))
print("wrote \(outputPath)")

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where per-job cgroups are created, found once at start from `/proc/self/cgroup` and `/sys/fs/cgroup`.
///
/// Job cgroups are made under the worker's own cgroup, in a `cloudmesh-sandbox` directory, in each
/// hierarchy that provides something. On a cgroup v2 (unified) system that is one hierarchy giving
/// `pids.max`, `memory.max`, `memory.peak`, `cgroup.kill` and `cpu.stat`. On a v1 or hybrid system the v1
/// `pids`, `memory` and `cpuacct` hierarchies are used and the unified one is left alone: a job's first
/// process joins a v1 cgroup through its `tasks` file, which moves only the calling thread and so skips
/// the kernel's global thread-group lock, whose RCU grace period (5 to 15 ms measured here) a
/// `cgroup.procs` write pays, in the middle of every job start.
struct CgroupLayout: Sendable, Equatable {
    /// One hierarchy in which each job gets a directory.
    struct Hierarchy: Sendable, Equatable {
        /// `<mount>/<worker's cgroup>/cloudmesh-sandbox`.
        var parent: String
        /// Whether this is cgroup v2 (unified).
        var unified: Bool
        /// Whether job cgroups here limit processes.
        var limitsProcesses: Bool
        /// Whether job cgroups here limit memory.
        var limitsMemory: Bool
        /// Whether job cgroups here measure CPU time (`cpu.stat` in v2, `cpuacct.usage` in v1).
        var measuresCPU: Bool

        /// The file a process writes "0" to in order to join a job cgroup of this hierarchy.
        var joinFile: String { unified ? "cgroup.procs" : "tasks" }
    }

    /// The hierarchies used (at least one).
    var hierarchies: [Hierarchy]

    /// Whether a job's process count is bounded by a cgroup.
    var limitsProcesses: Bool { hierarchies.contains { $0.limitsProcesses } }
    /// Whether a job's memory is bounded by a cgroup.
    var limitsMemory: Bool { hierarchies.contains { $0.limitsMemory } }
    /// Whether a job's tree can be killed atomically with `cgroup.kill`.
    var canKillAtomically: Bool { hierarchies.contains { $0.unified } }

    /// A one-line summary for the start-up log.
    var summary: String {
        hierarchies.map { hierarchy in
            var parts: [String] = []
            if hierarchy.limitsProcesses { parts.append("pids") }
            if hierarchy.limitsMemory { parts.append("memory") }
            if hierarchy.measuresCPU { parts.append("cpu") }
            if hierarchy.unified { parts.append("kill") }
            return "\(hierarchy.unified ? "v2" : "v1") \(parts.joined(separator: "+")) at \(hierarchy.parent)"
        }.joined(separator: "; ")
    }

    /// Finds a usable layout, creating the `cloudmesh-sandbox` parents; returns nil and the reasons when
    /// cgroups cannot be used. `root` is the cgroup mount point (a test may pass a fake tree).
    static func detect(
        root: String = "/sys/fs/cgroup",
        membership: String? = SystemFiles.read("/proc/self/cgroup")
    ) -> (layout: CgroupLayout?, problems: [String]) {
        guard let membership else { return (nil, ["/proc/self/cgroup is not readable"]) }
        var ownPaths: [String: String] = [:]
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                ownPaths[""] = String(fields[2])
            } else {
                for controller in fields[1].split(separator: ",") { ownPaths[String(controller)] = String(fields[2]) }
            }
        }
        var problems: [String] = []
        if SystemFiles.exists(root + "/cgroup.controllers") {
            guard let own = ownPaths[""] else { return (nil, ["this process is in no cgroup v2 cgroup"]) }
            switch prepareUnified(mount: root, own: own) {
            case .success(let hierarchy): return (CgroupLayout(hierarchies: [hierarchy]), [])
            case .failure(let problem): return (nil, [problem.text])
            }
        }
        var hierarchies: [Hierarchy] = []
        for controller in ["pids", "memory", "cpuacct"] {
            guard let own = ownPaths[controller], let mount = v1Mount(of: controller, under: root) else {
                problems.append("the cgroup v1 \(controller) controller is not mounted")
                continue
            }
            let parent = join(mount, own, "cloudmesh-sandbox")
            if let problem = makeDirectory(parent) {
                problems.append(problem)
                continue
            }
            hierarchies.append(
                Hierarchy(
                    parent: parent, unified: false, limitsProcesses: controller == "pids",
                    limitsMemory: controller == "memory", measuresCPU: controller == "cpuacct"))
        }
        return (hierarchies.isEmpty ? nil : CgroupLayout(hierarchies: hierarchies), problems)
    }

    /// The mount directory of a v1 controller: `<root>/<controller>` or a co-mount such as `cpu,cpuacct`.
    private static func v1Mount(of controller: String, under root: String) -> String? {
        if SystemFiles.exists("\(root)/\(controller)/tasks") { return "\(root)/\(controller)" }
        let entries = (try? FileManagerLite.directoryEntries(root)) ?? []
        for entry in entries where entry.split(separator: ",").contains(Substring(controller)) {
            if SystemFiles.exists("\(root)/\(entry)/tasks") { return "\(root)/\(entry)" }
        }
        return nil
    }

    private struct Problem: Error {
        var text: String
    }

    /// Prepares `<own>/cloudmesh-sandbox` in a v2 hierarchy with the pids and memory controllers enabled
    /// for its children when the kernel offers them. Enabling controllers below the worker's own cgroup is
    /// refused while that cgroup holds processes (the "no internal processes" rule); the worker then moves
    /// itself into a `<own>/cloudmesh-worker` leaf first, as a delegated systemd service does.
    private static func prepareUnified(mount: String, own: String) -> Result<Hierarchy, Problem> {
        let ownDirectory = join(mount, own)
        let parent = join(mount, own, "cloudmesh-sandbox")
        if let problem = makeDirectory(parent) { return .failure(Problem(text: problem)) }
        let available = Set(
            (SystemFiles.read(ownDirectory + "/cgroup.controllers") ?? "").split(whereSeparator: \.isWhitespace))
        let wanted = ["pids", "memory"].filter { available.contains(Substring($0)) }
        var enabled = Set<String>()
        if !wanted.isEmpty {
            let request = wanted.map { "+" + $0 }.joined(separator: " ")
            var result = SystemFiles.write(request, to: ownDirectory + "/cgroup.subtree_control")
            if result == EBUSY {
                let leaf = join(mount, own, "cloudmesh-worker")
                if makeDirectory(leaf) == nil, SystemFiles.write("0", to: leaf + "/cgroup.procs") == 0 {
                    result = SystemFiles.write(request, to: ownDirectory + "/cgroup.subtree_control")
                }
            }
            if result == 0, SystemFiles.write(request, to: parent + "/cgroup.subtree_control") == 0 {
                enabled = Set(wanted)
            }
        }
        guard SystemFiles.exists(parent + "/cgroup.procs") else {
            return .failure(Problem(text: "\(parent) is not a cgroup"))
        }
        return .success(
            Hierarchy(
                parent: parent, unified: true, limitsProcesses: enabled.contains("pids"),
                limitsMemory: enabled.contains("memory"), measuresCPU: true))
    }

    /// Lists a directory's entries (without `.` and `..`).
    private enum FileManagerLite {
        static func directoryEntries(_ path: String) throws -> [String] {
            guard let directory = opendir(path) else { return [] }
            defer { closedir(directory) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names
        }
    }

    /// Creates a directory if it does not exist, and checks that this process may create cgroups in it (one
    /// left by a worker that ran as another user, root say, may not be writable); returns a problem
    /// description on failure.
    private static func makeDirectory(_ path: String) -> String? {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            return "cannot create \(path): \(SystemErrorText.describe(errno))"
        }
        guard access(path, W_OK | X_OK) == 0 else {
            return "cannot create cgroups in \(path): \(SystemErrorText.describe(errno)) (made by another user, "
                + "e.g. a worker that ran as root: remove it, or give this user write access)"
        }
        return nil
    }

    /// Joins path components, dropping empty ones and duplicate slashes.
    static func join(_ parts: String...) -> String {
        "/" + parts.flatMap { $0.split(separator: "/") }.joined(separator: "/")
    }
}

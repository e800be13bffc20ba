#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The cgroup directories of one job: created with limits before the job starts, joined by the job's
/// first process before exec, killed and removed when the job ends.
final class JobCgroup {
    private struct Directory {
        var path: String
        var hierarchy: CgroupLayout.Hierarchy
    }

    private let directories: [Directory]
    /// Open `cgroup.procs` (v2) or `tasks` (v1) files, one per directory, for the child to write itself into.
    let procsFiles: [Int32]

    /// Creates the job's directories and writes its limits. On failure nothing is left behind.
    init(layout: CgroupLayout, name: String, limits: ResourceLimits) throws(SandboxError) {
        var created: [Directory] = []
        var files: [Int32] = []
        func undo() {
            for fd in files { close(fd) }
            for directory in created.reversed() { rmdir(directory.path) }
        }
        for hierarchy in layout.hierarchies {
            let path = hierarchy.parent + "/" + name
            guard mkdir(path, 0o755) == 0 else {
                let code = errno
                undo()
                throw .systemCallFailed(operation: "creating the job cgroup \(path)", errno: code)
            }
            created.append(Directory(path: path, hierarchy: hierarchy))
            var settings: [(String, String)] = []
            if hierarchy.limitsProcesses { settings.append(("pids.max", String(limits.processes))) }
            if hierarchy.limitsMemory {
                if hierarchy.unified {
                    settings.append(("memory.max", String(limits.memoryBytes)))
                    settings.append(("memory.swap.max", "0"))
                } else {
                    settings.append(("memory.limit_in_bytes", String(limits.memoryBytes)))
                    settings.append(("memory.memsw.limit_in_bytes", String(limits.memoryBytes)))
                }
            }
            for (file, value) in settings {
                let result = SystemFiles.write(value, to: path + "/" + file)
                // Swap accounting is often compiled out; the memory limit itself is what matters.
                if result != 0 && !file.contains("sw") {
                    undo()
                    throw .systemCallFailed(operation: "writing \(file) of \(path)", errno: result)
                }
            }
            let fd = open(path + "/" + hierarchy.joinFile, O_WRONLY | LinuxCalls.oCloexec)
            guard fd >= 0 else {
                let code = errno
                undo()
                throw .systemCallFailed(operation: "opening \(path)/\(hierarchy.joinFile)", errno: code)
            }
            files.append(fd)
        }
        directories = created
        procsFiles = files
    }

    deinit {
        for fd in procsFiles { close(fd) }
    }

    /// Kills every process of the job: atomically with `cgroup.kill` (v2), otherwise by sending SIGKILL to
    /// each listed process.
    func killAll() {
        for directory in directories where directory.hierarchy.unified {
            if SystemFiles.write("1", to: directory.path + "/cgroup.kill") == 0 { return }
        }
        for pid in processIDs() { kill(pid, SIGKILL) }
    }

    /// The processes still in the job's cgroups.
    func processIDs() -> [pid_t] {
        var pids = Set<pid_t>()
        for directory in directories {
            for line in (SystemFiles.read(directory.path + "/cgroup.procs") ?? "").split(separator: "\n") {
                if let pid = pid_t(line) { pids.insert(pid) }
            }
        }
        return Array(pids)
    }

    /// Kills the job's processes until none is left or `deadline` passes; returns whether it is empty.
    func killAndWaitUntilEmpty(deadline: ContinuousClock.Instant) -> Bool {
        while true {
            if processIDs().isEmpty { return true }
            killAll()
            if ContinuousClock.now >= deadline { return processIDs().isEmpty }
            var pause = timespec(tv_sec: 0, tv_nsec: 250_000)
            nanosleep(&pause, nil)
        }
    }

    /// User plus system CPU time of the job (v2 `cpu.stat`, v1 `cpuacct.usage`).
    func cpuTime() -> Duration? {
        for directory in directories where directory.hierarchy.measuresCPU {
            if directory.hierarchy.unified {
                guard let text = SystemFiles.read(directory.path + "/cpu.stat") else { continue }
                if let micros = Self.field("usage_usec", in: text) { return .microseconds(micros) }
            } else if let text = SystemFiles.read(directory.path + "/cpuacct.usage"),
                let nanoseconds = UInt64(text.trimmingWhitespace())
            {
                return .nanoseconds(nanoseconds)
            }
        }
        return nil
    }

    /// The job's peak memory use (`memory.peak` in v2, `memory.max_usage_in_bytes` in v1).
    func peakMemory() -> UInt64? {
        for directory in directories where directory.hierarchy.limitsMemory {
            let file = directory.hierarchy.unified ? "memory.peak" : "memory.max_usage_in_bytes"
            if let text = SystemFiles.read(directory.path + "/" + file),
                let value = UInt64(text.trimmingWhitespace())
            {
                return value
            }
        }
        return nil
    }

    /// Whether the kernel's OOM killer killed a process of the job (`memory.events` or `memory.oom_control`).
    func memoryLimitHit() -> Bool? {
        for directory in directories where directory.hierarchy.limitsMemory {
            let file = directory.hierarchy.unified ? "memory.events" : "memory.oom_control"
            if let text = SystemFiles.read(directory.path + "/" + file), let kills = Self.field("oom_kill", in: text) {
                return kills > 0
            }
            if !directory.hierarchy.unified,
                let failures = SystemFiles.read(directory.path + "/memory.failcnt").flatMap({
                    UInt64($0.trimmingWhitespace())
                })
            {
                return failures > 0
            }
        }
        return nil
    }

    /// Removes the job's directories (they must be empty).
    func remove() {
        for directory in directories.reversed() { rmdir(directory.path) }
    }

    /// The number after `name ` on one line of a flat-keyed cgroup file.
    static func field(_ name: String, in text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return UInt64(parts[1]) }
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

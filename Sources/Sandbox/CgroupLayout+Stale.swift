#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension CgroupLayout {
    /// The owner of a job cgroup named `job-<pid>-<n>`, or nil for another name.
    static func ownerPID(ofJobCgroup name: String) -> pid_t? {
        let parts = name.split(separator: "-")
        guard parts.count == 3, parts[0] == "job", Int(parts[2]) != nil else { return nil }
        return pid_t(parts[1])
    }

    /// Removes the job cgroups a crashed worker left behind, so that they hold no stray process: those whose
    /// owner (`job-<pid>-<n>`) is no longer running. Their processes are killed first. Cgroups of live
    /// processes (other workers sharing the hierarchy, other runners of this process) are left alone; a worker
    /// that got a crashed one's pid does not collide with its leftovers, as job numbers start at random.
    /// The whole clean-up takes at most `budget` (a cgroup that will not empty is left for the next start).
    /// Returns the names removed.
    func removeStaleJobCgroups(
        budget: Duration = .seconds(5), isRunning: (pid_t) -> Bool = { kill($0, 0) == 0 || errno == EPERM }
    ) -> [String] {
        var removed: Set<String> = []
        let deadline = ContinuousClock.now + budget
        for hierarchy in hierarchies {
            for name in Self.entries(of: hierarchy.parent) {
                guard let owner = Self.ownerPID(ofJobCgroup: name), !isRunning(owner) else { continue }
                let path = hierarchy.parent + "/" + name
                if Self.emptyAndRemove(path, unified: hierarchy.unified, deadline: deadline) { removed.insert(name) }
            }
        }
        return removed.sorted()
    }

    private static func entries(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Kills what is left in the cgroup at `path` and removes it; gives up after about a second, or at
    /// `deadline`.
    private static func emptyAndRemove(_ path: String, unified: Bool, deadline: ContinuousClock.Instant) -> Bool {
        for _ in 0..<200 where ContinuousClock.now < deadline {
            if rmdir(path) == 0 || errno == ENOENT { return true }
            let killedAtOnce = unified && SystemFiles.write("1", to: path + "/cgroup.kill") == 0
            if !killedAtOnce {
                for line in (SystemFiles.read(path + "/cgroup.procs") ?? "").split(separator: "\n") {
                    if let pid = pid_t(line) { kill(pid, SIGKILL) }
                }
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
            nanosleep(&pause, nil)
        }
        return false
    }
}

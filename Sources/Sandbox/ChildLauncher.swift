import CLaunch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A process to start. Everything the child needs is prepared from this before `clone()`, so the child
/// makes nothing but system calls between `clone()` and `execve()`.
struct LaunchPlan {
    /// The program to execute (an absolute path: no `PATH` search).
    var executable: String
    /// `argv`, including `argv[0]`.
    var arguments: [String]
    /// The complete environment (`NAME=value` entries); nothing is inherited.
    var environment: [String]
    /// The working directory, or nil to keep the worker's.
    var workingDirectory: String?
    /// Descriptors the child gets: the parent's `source` becomes `target` (0...9) in the child. Every other
    /// descriptor is closed on exec.
    var descriptors: [(source: Int32, target: Int32)]
    /// Resource limits set (soft and hard) before exec.
    var limits: [(resource: LinuxCalls.Resource, value: UInt64)]
    /// Open `cgroup.procs` files the child writes itself into before exec.
    var cgroupProcsFiles: [Int32]
    /// The user and group the child switches to before exec (only when the worker is root).
    var credentials: (uid: UInt32, gid: UInt32)?
}

/// Starts processes with `clone(CLONE_VM | CLONE_VFORK)` and `execve()` (the C shim `CLaunch`, as
/// `posix_spawn` starts them), applying what `posix_spawn` cannot: resource limits, cgroup membership and a
/// switch to an unprivileged user, all before the new program runs. Unlike `fork()`, this copies none of the
/// worker's page tables and makes none of its pages copy-on-write: the cost of a launch does not grow with
/// the worker's memory or threads.
enum ChildLauncher {
    private static let stages = [
        "", "setsid", "dup2", "close_range", "joining the job's cgroup", "chdir", "setrlimit",
        "switching to the job's user id", "execve", "unblocking signals", "clone",
    ]

    /// Starts the process described by `plan`; returns its pid once `execve` has succeeded.
    static func launch(_ plan: LaunchPlan) throws(SandboxError) -> pid_t {
        precondition(plan.descriptors.allSatisfy { (0..<10).contains($0.target) }, "child descriptors must be 0...9")
        var owned: [UnsafeMutableRawPointer] = []
        var parentDescriptors: [Int32] = []
        defer {
            for pointer in owned { free(pointer) }
            for fd in parentDescriptors { close(fd) }
        }
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            let pointer = strdup(text)!
            owned.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }
        func cStringArray(_ texts: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
            let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: texts.count + 1)
            owned.append(UnsafeMutableRawPointer(array))
            for (index, text) in texts.enumerated() { array[index] = cString(text) }
            array[texts.count] = nil
            return array
        }
        func buffer<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            owned.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }
        /// A close-on-exec duplicate numbered 10 or above, so that no `dup2` in the child overwrites it.
        func highCopy(_ fd: Int32) throws(SandboxError) -> Int32 {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            guard copy >= 0 else { throw .systemCallFailed(operation: "duplicating a descriptor", errno: errno) }
            parentDescriptors.append(copy)
            return copy
        }

        let sources = buffer(Int32.self, plan.descriptors.count)
        let targets = buffer(Int32.self, plan.descriptors.count)
        for (index, descriptor) in plan.descriptors.enumerated() {
            sources[index] = try highCopy(descriptor.source)
            targets[index] = descriptor.target
        }
        let cgroupFiles = buffer(Int32.self, plan.cgroupProcsFiles.count)
        for (index, fd) in plan.cgroupProcsFiles.enumerated() { cgroupFiles[index] = try highCopy(fd) }
        let resources = buffer(Int32.self, plan.limits.count)
        let limitValues = buffer(rlimit.self, plan.limits.count)
        for (index, limit) in plan.limits.enumerated() {
            resources[index] = limit.resource.rawValue
            limitValues[index] = rlimit(rlim_cur: rlim_t(limit.value), rlim_max: rlim_t(limit.value))
        }
        var descriptorLimit = rlimit()
        getrlimit(__rlimit_resource_t(LinuxCalls.Resource.openFiles.rawValue), &descriptorLimit)

        var child = claunch_plan(
            path: cString(plan.executable),
            argv: UnsafePointer(cStringArray(plan.arguments)),
            envp: UnsafePointer(cStringArray(plan.environment)),
            working_directory: plan.workingDirectory.map { UnsafePointer(cString($0)) },
            sources: sources,
            targets: targets,
            descriptor_count: Int32(plan.descriptors.count),
            first_free_descriptor: (plan.descriptors.map(\.target).max() ?? 2) + 1,
            descriptor_limit: Int32(clamping: min(descriptorLimit.rlim_cur, 65536)),
            limit_resources: resources,
            limit_values: limitValues,
            limit_count: Int32(plan.limits.count),
            cgroup_files: cgroupFiles,
            cgroup_file_count: Int32(plan.cgroupProcsFiles.count),
            switch_user: plan.credentials == nil ? 0 : 1,
            uid: plan.credentials?.uid ?? 0,
            gid: plan.credentials?.gid ?? 0)
        var stage: Int32 = 0
        var error: Int32 = 0
        let pid = claunch_spawn(&child, &stage, &error)
        guard pid > 0 else {
            let name = stages.indices.contains(Int(stage)) ? stages[Int(stage)] : "starting the job"
            throw .systemCallFailed(operation: "\(name) for \(plan.executable)", errno: error)
        }
        return pid
    }

    /// Waits for a child to end; returns its wait status and resource usage (retrying on `EINTR`).
    @discardableResult
    static func reap(_ pid: pid_t, options: Int32 = 0) -> (pid: pid_t, status: Int32, usage: rusage) {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let result = wait4(pid, &status, options, &usage)
            if result < 0 && errno == EINTR { continue }
            return (result, status, usage)
        }
    }

    /// Sends SIGKILL to every process owned by `uid` (a job's dedicated user id), from a short-lived child
    /// that switches to that user and calls `kill(-1, SIGKILL)`. Catches processes that left every other
    /// container (cgroup, process group, pid namespace). Only works when the worker is root.
    static func killAllProcesses(ofUser uid: UInt32) {
        claunch_kill_all_of_user(uid)
    }
}

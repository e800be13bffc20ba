#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A process to start. Everything the child needs is prepared from this before `fork()`, so the child
/// makes nothing but system calls between `fork()` and `execve()`.
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

/// Starts processes with `fork()` and `execve()`, applying what `posix_spawn` cannot: resource limits,
/// cgroup membership and a switch to an unprivileged user, all before the new program runs.
enum ChildLauncher {
    /// The raw values the child uses after `fork()`: plain pointers and integers only.
    private struct ChildContext {
        var path: UnsafeMutablePointer<CChar>
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        var envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        var workingDirectory: UnsafeMutablePointer<CChar>?
        var sources: UnsafeMutablePointer<Int32>
        var targets: UnsafeMutablePointer<Int32>
        var descriptorCount: Int
        var firstFreeDescriptor: Int32
        var descriptorLimit: Int32
        var resources: UnsafeMutablePointer<Int32>
        var limitValues: UnsafeMutablePointer<rlimit>
        var limitCount: Int
        var cgroupFiles: UnsafeMutablePointer<Int32>
        var cgroupFileCount: Int
        var uid: UInt32
        var gid: UInt32
        var switchUser: Bool
        var defaultAction: UnsafeMutablePointer<sigaction>
        var emptySignalMask: UnsafeMutablePointer<sigset_t>
        var errorDescriptor: Int32
        var errorReport: UnsafeMutablePointer<Int32>
        var closeRange: LinuxCalls.CloseRange?
    }

    private static let stages = [
        "", "setsid", "dup2", "close_range", "joining the job's cgroup", "chdir", "setrlimit",
        "switching to the job's user id", "execve", "unblocking signals",
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
        // The worker's threads block signals (libdispatch blocks most) and ignore some (SIGPIPE); the job
        // must start with every signal unblocked and at its default action, as from a shell.
        let defaultAction = buffer(sigaction.self, 1)
        defaultAction.initialize(to: sigaction())
        let emptySignalMask = buffer(sigset_t.self, 1)
        emptySignalMask.initialize(to: sigset_t())
        sigemptyset(emptySignalMask)
        var descriptorLimit = rlimit()
        getrlimit(__rlimit_resource_t(LinuxCalls.Resource.openFiles.rawValue), &descriptorLimit)

        let errorPipe = try LinuxCalls.shared.makePipe()
        var errorRead = errorPipe.read
        defer { close(errorRead) }
        let errorWrite: Int32
        do {
            errorWrite = try highCopy(errorPipe.write)
            close(errorPipe.write)
        } catch {
            close(errorPipe.write)
            throw error
        }
        if errorRead < 10 {
            let copy = try highCopy(errorRead)
            parentDescriptors.removeLast()
            close(errorRead)
            errorRead = copy
        }

        var context = ChildContext(
            path: cString(plan.executable),
            argv: cStringArray(plan.arguments),
            envp: cStringArray(plan.environment),
            workingDirectory: plan.workingDirectory.map { cString($0) },
            sources: sources,
            targets: targets,
            descriptorCount: plan.descriptors.count,
            firstFreeDescriptor: (plan.descriptors.map(\.target).max() ?? 2) + 1,
            descriptorLimit: Int32(clamping: min(descriptorLimit.rlim_cur, 65536)),
            resources: resources,
            limitValues: limitValues,
            limitCount: plan.limits.count,
            cgroupFiles: cgroupFiles,
            cgroupFileCount: plan.cgroupProcsFiles.count,
            uid: plan.credentials?.uid ?? 0,
            gid: plan.credentials?.gid ?? 0,
            switchUser: plan.credentials != nil,
            defaultAction: defaultAction,
            emptySignalMask: emptySignalMask,
            errorDescriptor: errorWrite,
            errorReport: buffer(Int32.self, 2),
            closeRange: LinuxCalls.shared.closeRange
        )

        let pid = fork()
        if pid == 0 { runChild(&context) }
        guard pid > 0 else { throw .systemCallFailed(operation: "fork", errno: errno) }
        close(errorWrite)
        parentDescriptors.removeAll { $0 == errorWrite }

        var report: (Int32, Int32) = (0, 0)
        var received = 0
        while received < 8 {
            let count = withUnsafeMutableBytes(of: &report) { raw in
                read(errorRead, raw.baseAddress! + received, 8 - received)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += count
        }
        guard received == 0 else {
            _ = reap(pid)
            let stage = Int(report.0)
            let name = stages.indices.contains(stage) ? stages[stage] : "starting the job"
            throw .systemCallFailed(operation: "\(name) for \(plan.executable)", errno: report.1)
        }
        return pid
    }

    /// The child's side of `launch`: system calls only, then `execve`. Never returns.
    private static func runChild(_ context: inout ChildContext) -> Never {
        func fail(_ stage: Int32) -> Never {
            context.errorReport[0] = stage
            context.errorReport[1] = errno
            _ = write(context.errorDescriptor, context.errorReport, 8)
            _exit(127)
        }
        var signal: Int32 = 1
        while signal < 65 {
            if signal != SIGKILL && signal != SIGSTOP { _ = sigaction(signal, context.defaultAction, nil) }
            signal += 1
        }
        if sigprocmask(SIG_SETMASK, context.emptySignalMask, nil) != 0 { fail(9) }
        if setsid() < 0 { fail(1) }
        for index in 0..<context.descriptorCount where dup2(context.sources[index], context.targets[index]) < 0 {
            fail(2)
        }
        var closedRange = false
        if let closeRange = context.closeRange {
            closedRange =
                closeRange(UInt32(context.firstFreeDescriptor), UInt32.max, LinuxCalls.closeRangeCloexec) == 0
        }
        if !closedRange {
            var fd = context.firstFreeDescriptor
            while fd < context.descriptorLimit {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                fd += 1
            }
        }
        var zero: UInt8 = 0x30
        for index in 0..<context.cgroupFileCount where write(context.cgroupFiles[index], &zero, 1) != 1 {
            fail(4)
        }
        if let directory = context.workingDirectory, chdir(directory) != 0 { fail(5) }
        for index in 0..<context.limitCount
        where setrlimit(__rlimit_resource_t(context.resources[index]), context.limitValues + index) != 0 {
            fail(6)
        }
        if context.switchUser {
            if setgroups(0, nil) != 0 || setgid(context.gid) != 0 || setuid(context.uid) != 0 { fail(7) }
        }
        execve(context.path, context.argv, context.envp)
        fail(8)
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
        let pid = fork()
        if pid == 0 {
            if setgroups(0, nil) != 0 || setgid(uid) != 0 || setuid(uid) != 0 { _exit(1) }
            _ = kill(-1, SIGKILL)
            _exit(0)
        }
        if pid > 0 { reap(pid) }
    }
}

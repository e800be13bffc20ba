import Foundation
import Logging
import Synchronization
import Retry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Everything a runner decided at creation, shared by its jobs.
struct RunnerSettings: Sendable {
    var configuration: SandboxConfiguration
    /// The bubblewrap command template (bubblewrap mode only).
    var bubblewrap: BubblewrapCommand?
    /// The seccomp filter bubblewrap applies (bubblewrap mode only).
    var seccompFilter: SeccompFilter?
    /// Where job cgroups go, when cgroups are usable.
    var cgroupLayout: CgroupLayout?
    /// Whether the worker runs as root, so that jobs run under their own unprivileged user ids.
    var switchesUser: Bool
    var logger: Logger
}

/// A way for the waiting task to tell the job's thread to stop (task cancellation).
final class CancelSignal: Sendable {
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let fired = Atomic<Bool>(false)

    init() throws(SandboxError) {
        let pipe = try LinuxCalls.shared.makePipe()
        readDescriptor = pipe.read
        writeDescriptor = pipe.write
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Wakes the job's thread; it kills the job.
    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }
}

/// One job, run synchronously on its own thread: prepare, launch, supervise, collect, clean up.
struct JobExecution {
    /// The finished job, or that it was cancelled.
    enum Ending {
        case finished(ExecutionOutcome)
        case cancelled
    }

    /// Numbers jobs for their cgroup names (`job-<pid>-<n>`). It starts at a random point, so a worker whose
    /// pid a crashed worker had does not collide with the cgroups that one may have left.
    private static let jobCounter = Atomic<UInt64>(UInt64.random(in: 0..<(1 << 40)))
    private static let readChunk = 64 * 1024

    let settings: RunnerSettings
    let code: [UInt8]
    /// A directory of installed dependencies to put on the job's `PYTHONPATH` (read-only), if any.
    let packages: String?
    let cancel: CancelSignal

    private var limits: ResourceLimits { settings.configuration.limits }
    private var logger: Logger { settings.logger }

    /// Runs the job to its end.
    func run() -> Result<Ending, SandboxError> {
        do throws(SandboxError) {
            return .success(try runThrowing())
        } catch {
            return .failure(error)
        }
    }

    /// Attempts at creating a job's cgroup, 50 ms apart, before the job is refused (a transient failure: the
    /// pipeline tries the job again later).
    static let cgroupAttempts = 5

    /// The job's cgroup. When cgroups are in use, a job never runs without one: a failure is retried a few
    /// times (transient kernel or hierarchy trouble), then the job is refused rather than run with rlimits only.
    static func makeCgroup(layout: CgroupLayout, name: String, limits: ResourceLimits) throws(SandboxError)
        -> JobCgroup
    {
        var attempt = 1
        while true {
            do {
                return try JobCgroup(layout: layout, name: name, limits: limits)
            } catch {
                guard attempt < cgroupAttempts else { throw .cgroupUnavailable("\(error)") }
                attempt += 1
                var pause = timespec(tv_sec: 0, tv_nsec: 50_000_000)
                nanosleep(&pause, nil)
            }
        }
    }

    private func runThrowing() throws(SandboxError) -> Ending {
        let lease = settings.switchesUser ? try JobUserPool.shared.lease(from: settings.configuration.jobUserIDs) : nil
        defer { if let lease { JobUserPool.shared.release(lease) } }

        let jobNumber = Self.jobCounter.add(1, ordering: .relaxed).newValue
        var cgroup: JobCgroup?
        if let layout = settings.cgroupLayout {
            cgroup = try Self.makeCgroup(layout: layout, name: "job-\(getpid())-\(jobNumber)", limits: limits)
        }
        defer { cgroup?.remove() }

        var closeAfterLaunch: [Int32] = []
        defer { for fd in closeAfterLaunch { close(fd) } }
        var plan = LaunchPlan(
            executable: "", arguments: [], environment: [], workingDirectory: nil, descriptors: [],
            limits: rlimits(), cgroupProcsFiles: cgroup?.procsFiles ?? [],
            credentials: lease.map { ($0.uid, $0.uid) })
        var temporaryDirectory: String?
        defer { if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) } }

        if let bubblewrap = settings.bubblewrap {
            let codeFile = try AnonymousFile.make(name: "cloudmesh-job", contents: code)
            closeAfterLaunch.append(codeFile)
            plan.executable = bubblewrap.bubblewrapPath
            plan.arguments = bubblewrap.arguments(packages: packages)
            plan.environment = BubblewrapCommand.launcherEnvironment
            plan.descriptors.append((codeFile, BubblewrapCommand.codeDescriptor))
            if let filter = settings.seccompFilter {
                // Its own file per job: bubblewrap reads it from the current offset to the end.
                let filterFile = try AnonymousFile.make(name: "cloudmesh-seccomp", contents: filter.program)
                closeAfterLaunch.append(filterFile)
                plan.descriptors.append((filterFile, BubblewrapCommand.seccompDescriptor))
            }
        } else {
            let directory = try makeWorkingDirectory(owner: lease?.uid)
            temporaryDirectory = directory
            plan.executable = settings.configuration.pythonPath
            plan.arguments = BubblewrapCommand.pythonArguments(settings.configuration.pythonPath)
            plan.environment = BubblewrapCommand.jobEnvironment(home: directory, packages: packages)
            plan.workingDirectory = directory
        }

        let devNull = open("/dev/null", O_RDONLY | LinuxCalls.oCloexec)
        guard devNull >= 0 else { throw .systemCallFailed(operation: "opening /dev/null", errno: errno) }
        closeAfterLaunch.append(devNull)
        let stdoutPipe = try LinuxCalls.shared.makePipe()
        closeAfterLaunch.append(stdoutPipe.write)
        var stdoutRead: Int32? = stdoutPipe.read
        let stderrPipe = try LinuxCalls.shared.makePipe()
        closeAfterLaunch.append(stderrPipe.write)
        var stderrRead: Int32? = stderrPipe.read
        defer {
            if let stdoutRead { close(stdoutRead) }
            if let stderrRead { close(stderrRead) }
        }
        plan.descriptors += [(devNull, 0), (stdoutPipe.write, 1), (stderrPipe.write, 2)]

        let start = ContinuousClock.now
        let pid = try ChildLauncher.launch(plan)
        for fd in closeAfterLaunch { close(fd) }
        closeAfterLaunch.removeAll()
        for fd in [stdoutPipe.read, stderrPipe.read] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let pidDescriptor = LinuxCalls.shared.pidfdOpen?(pid, 0) ?? -1
        defer { if pidDescriptor >= 0 { close(pidDescriptor) } }

        var stdout = CappedOutput(cap: limits.stdoutCapBytes)
        var stderr = CappedOutput(cap: limits.stderrCapBytes)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunk, alignment: 16)
        defer { chunk.deallocate() }
        func drain(_ fd: inout Int32?, into output: inout CappedOutput) {
            guard let descriptor = fd else { return }
            while true {
                let count = read(descriptor, chunk.baseAddress, chunk.count)
                if count > 0 {
                    output.append(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                close(descriptor)
                fd = nil
                return
            }
        }

        let deadline = start + limits.wallTime
        var timedOut = false
        var cancelled = false
        var ended: (status: Int32, usage: rusage)?
        let killTree = {
            cgroup?.killAll()
            if settings.bubblewrap == nil { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            if cgroup == nil, let lease { ChildLauncher.killAllProcesses(ofUser: lease.uid) }
        }
        while ended == nil {
            var descriptors: [pollfd] = []
            for fd in [stdoutRead, stderrRead].compactMap({ $0 }) {
                descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
            if pidDescriptor >= 0 { descriptors.append(pollfd(fd: pidDescriptor, events: Int16(POLLIN), revents: 0)) }
            descriptors.append(pollfd(fd: cancel.readDescriptor, events: Int16(POLLIN), revents: 0))
            var wait = Self.milliseconds(until: deadline)
            if timedOut || cancelled || pidDescriptor < 0 { wait = min(wait, 10) }
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: wait))
            drain(&stdoutRead, into: &stdout)
            drain(&stderrRead, into: &stderr)
            let pidReadable = pidDescriptor >= 0 && descriptors[descriptors.count - 2].revents != 0
            if pidReadable && settings.bubblewrap == nil && cgroup == nil {
                // The unsandboxed job's process group, while its exited leader (not yet reaped) still
                // reserves the group id, so the signal cannot reach a process that reused it.
                kill(-pid, SIGKILL)
            }
            let reaped = ChildLauncher.reap(pid, options: WNOHANG)
            if reaped.pid == pid {
                ended = (reaped.status, reaped.usage)
                break
            }
            // Reaped by someone else (a `waitpid(-1)` elsewhere in the process): its status is lost, and its
            // pidfd stays readable, so waiting on would spin. Clean up and report it.
            if reaped.pid < 0 && errno == ECHILD { break }
            if !cancelled && descriptors.last.map({ $0.revents != 0 }) == true {
                cancelled = true
                killTree()
            }
            if !timedOut && !cancelled && ContinuousClock.now >= deadline {
                timedOut = true
                logger.debug("job reached its wall-time limit; killing its process tree")
                killTree()
            }
        }
        let wallTime = ContinuousClock.now - start

        // The main process has ended; nothing it started may outlive it.
        let leftoversDeadline = ContinuousClock.now + .seconds(2)
        if let cgroup {
            if !cgroup.killAndWaitUntilEmpty(deadline: leftoversDeadline) {
                logger.error(
                    "processes of a finished job survived SIGKILL for 2 s",
                    metadata: ["pids": "\(cgroup.processIDs())"])
            }
        } else if let lease {
            ChildLauncher.killAllProcesses(ofUser: lease.uid)
        }
        // Whatever the job wrote before it ended is still in the pipes.
        while stdoutRead != nil || stderrRead != nil {
            var descriptors = [stdoutRead, stderrRead].compactMap { $0 }.map {
                pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
            }
            let wait = Self.milliseconds(until: leftoversDeadline)
            if wait == 0 { break }
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: wait))
            drain(&stdoutRead, into: &stdout)
            drain(&stderrRead, into: &stderr)
        }
        if cancelled { return .cancelled }

        guard let ended else { throw .systemCallFailed(operation: "waiting for the job", errno: ECHILD) }
        let usage = ended.usage
        let directChild = settings.bubblewrap == nil
        let rusageCPU =
            Duration.seconds(Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec))
            + .microseconds(Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec))
        return .finished(
            ExecutionOutcome(
                stdoutBytes: stdout.bytes,
                stderrBytes: stderr.bytes,
                returncode: Self.returncode(
                    status: ended.status, timedOut: timedOut, throughBubblewrap: settings.bubblewrap != nil),
                timedOut: timedOut,
                wallTime: wallTime,
                cpuTime: cgroup?.cpuTime() ?? (directChild ? rusageCPU : nil),
                stdoutTotalBytes: stdout.totalBytes,
                stderrTotalBytes: stderr.totalBytes,
                peakMemoryBytes: cgroup?.peakMemory() ?? (directChild ? UInt64(max(0, usage.ru_maxrss)) * 1024 : nil),
                memoryLimitHit: cgroup?.memoryLimitHit()
            ))
    }

    /// The job's rlimits, applied to bubblewrap and inherited by every process of the job.
    private func rlimits() -> [(resource: LinuxCalls.Resource, value: UInt64)] {
        var list: [(resource: LinuxCalls.Resource, value: UInt64)] = [
            (.addressSpace, limits.memoryBytes),
            (.fileSize, limits.fileSizeBytes),
            (.openFiles, limits.openFiles),
            (.cpu, limits.cpuSeconds),
            (.core, 0),
        ]
        // RLIMIT_NPROC counts every process of the real user id, so it is only meaningful (and only
        // enforced: root is exempt) when the job runs under its own user id.
        if settings.switchesUser { list.append((.processes, limits.processes)) }
        return list
    }

    /// A fresh private directory holding main.py, for `SANDBOX=none`.
    private func makeWorkingDirectory(owner: UInt32?) throws(SandboxError) -> String {
        var template = Array("/tmp/cloudmesh-job-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw .systemCallFailed(operation: "creating the job directory", errno: errno)
        }
        let directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let script = directory + "/" + BubblewrapCommand.scriptName
        let fd = open(script, O_WRONLY | O_CREAT | O_EXCL | LinuxCalls.oCloexec, 0o600)
        guard fd >= 0 else {
            let code = errno
            rmdir(directory)
            throw .systemCallFailed(operation: "creating \(script)", errno: code)
        }
        defer { close(fd) }
        try Self.writeAll(code, to: fd)
        if let owner {
            guard chown(directory, owner, owner) == 0, chown(script, owner, owner) == 0 else {
                throw .systemCallFailed(operation: "giving the job directory to the job user", errno: errno)
            }
        }
        return directory
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) throws(SandboxError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .systemCallFailed(operation: "writing the job's code", errno: errno) }
            offset += count
        }
    }

    /// Whole milliseconds until `deadline` (rounded up), at least 0.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int64 {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return 0 }
        return remaining.inMilliseconds(roundingUp: true)
    }

    /// The returncode as Python's `subprocess` reports it, from a wait status.
    ///
    /// bubblewrap reports a job killed by signal N as exit status 128 + N (it cannot re-raise the signal),
    /// so through bubblewrap an exit status of 129...192 is read as a signal; a job calling
    /// `sys.exit(129...192)` itself is reported as killed by that signal.
    static func returncode(status: Int32, timedOut: Bool, throughBubblewrap: Bool) -> Int32 {
        if timedOut { return -SIGKILL }
        let signal = status & 0x7f
        if signal != 0 && signal != 0x7f { return -signal }
        let code = (status >> 8) & 0xff
        if throughBubblewrap && code > 128 && code <= 128 + 64 { return -(code - 128) }
        return code
    }
}

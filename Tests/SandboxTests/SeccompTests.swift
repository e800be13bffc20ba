import Foundation
import Testing

@_spi(Benchmarking) @testable import Sandbox

/// The seccomp filter and the user-namespace lock, checked from inside real sandboxed jobs.
@Suite struct SeccompTests {
    /// One system call made by number from a job, with the errno name it must end with ("ok": it succeeds).
    struct Probe {
        var label: String
        var syscall: String
        var arguments: [UInt64]
        var expected: String
    }

    static let newUser: UInt64 = 0x1000_0000
    static let sigchld: UInt64 = 17

    /// Every call of the policy, with arguments that make each one harmless if the filter let it through.
    static func probes() -> [Probe] {
        var probes: [Probe] = []
        for name in SeccompPolicy.alwaysRefused where SeccompFilter.nativeSyscallNumber(name) != nil {
            // ptrace(PTRACE_TRACEME) and the rest with zero arguments.
            probes.append(Probe(label: name, syscall: name, arguments: [0, 0, 0, 0, 0], expected: "EPERM"))
        }
        for name in SeccompPolicy.reportedMissing {
            probes.append(Probe(label: name, syscall: name, arguments: [0, 0, 0, 0, 0], expected: "ENOSYS"))
        }
        for flag in SeccompPolicy.namespaceFlags {
            probes.append(
                Probe(
                    label: "clone(\(flag.name))", syscall: "clone", arguments: [flag.bit | sigchld, 0, 0, 0, 0],
                    expected: "EPERM"))
            probes.append(
                Probe(label: "unshare(\(flag.name))", syscall: "unshare", arguments: [flag.bit], expected: "EPERM"))
        }
        probes.append(
            Probe(
                label: "unshare(CLONE_NEWTIME)", syscall: "unshare", arguments: [SeccompPolicy.newTimeNamespace],
                expected: "EPERM"))
        // CLONE_FILES | CLONE_FS: no namespace, allowed.
        probes.append(
            Probe(label: "unshare(CLONE_FILES|CLONE_FS)", syscall: "unshare", arguments: [0x600], expected: "ok"))
        probes += [
            Probe(label: "personality(PER_LINUX)", syscall: "personality", arguments: [0], expected: "ok"),
            Probe(label: "personality(query)", syscall: "personality", arguments: [0xffff_ffff], expected: "ok"),
            Probe(label: "personality(PER_LINUX32)", syscall: "personality", arguments: [0x8], expected: "EPERM"),
            Probe(label: "personality(UNAME26)", syscall: "personality", arguments: [0x2_0000], expected: "EPERM"),
            Probe(
                label: "personality(ADDR_NO_RANDOMIZE)", syscall: "personality", arguments: [0x4_0000],
                expected: "EPERM"),
            Probe(
                label: "personality(READ_IMPLIES_EXEC)", syscall: "personality", arguments: [0x40_0000],
                expected: "EPERM"),
            Probe(
                label: "personality(0xfffffffe)", syscall: "personality", arguments: [0xffff_fffe], expected: "EPERM"),
            Probe(
                label: "personality(1 << 32)", syscall: "personality", arguments: [1 << 32], expected: "EPERM"),
            // stdin is /dev/null: an ioctl the filter lets through fails with ENOTTY.
            Probe(label: "ioctl(TIOCSTI)", syscall: "ioctl", arguments: [0, 0x5412, 0], expected: "EPERM"),
            Probe(label: "ioctl(TIOCLINUX)", syscall: "ioctl", arguments: [0, 0x541C, 0], expected: "EPERM"),
            Probe(
                label: "ioctl(TIOCSTI | 1 << 32)", syscall: "ioctl", arguments: [0, (1 << 32) | 0x5412, 0],
                expected: "EPERM"),
            Probe(label: "ioctl(TCGETS)", syscall: "ioctl", arguments: [0, 0x5401, 0], expected: "ENOTTY"),
        ]
        return probes
    }

    /// A Python program that makes each probe's call and prints `{label: "ok" | errno name}`.
    static func script(_ probes: [Probe]) -> String {
        let cases = probes.map { probe in
            let number = SeccompFilter.nativeSyscallNumber(probe.syscall) ?? -1
            return "(\(pythonString(probe.label)), \(number), \(probe.arguments))"
        }
        return """
            import ctypes, errno, json, os
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            results = {}
            for label, number, arguments in [\(cases.joined(separator: ", "))]:
                ctypes.set_errno(0)
                result = libc.syscall(ctypes.c_long(number), *[ctypes.c_ulong(a) for a in arguments])
                if result == 0 and label.startswith("clone("):
                    os._exit(0)  # a child the filter let through
                if result > 0 and label.startswith("clone("):
                    os.waitpid(result, 0)
                code = ctypes.get_errno()
                results[label] = "ok" if result >= 0 else errno.errorcode.get(code, str(code))
            print(json.dumps(results))
            """
    }

    static func pythonString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func results(_ outcome: ExecutionOutcome) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(outcome.stdoutBytes))
    }

    @Test func everyRefusedCallGetsItsErrnoByName() async throws {
        let probes = Self.probes()
        let outcome = try await TestSupport.run(Self.script(probes))
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        let results = try Self.results(outcome)
        for probe in probes {
            #expect(results[probe.label] == probe.expected, "\(probe.label)")
        }
        // The issue's four, by name.
        for name in ["unshare(CLONE_NEWUSER)", "keyctl", "add_key", "userfaultfd", "io_uring_setup"] {
            #expect(results[name] != nil && results[name] != "ok", "\(name)")
        }
    }

    @Test func withoutTheFilterTheIssuesCallsReachTheKernel() async throws {
        // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, create), userfaultfd(UFFD_USER_MODE_ONLY),
        // io_uring_setup(1, NULL) (EFAULT: the kernel read the call), unshare(CLONE_NEWUSER) (ENOSPC: stopped
        // by the nested user namespace limit of --disable-userns only).
        let probes = [
            Probe(label: "keyctl", syscall: "keyctl", arguments: [0, UInt64(bitPattern: -2), 1], expected: ""),
            Probe(label: "userfaultfd", syscall: "userfaultfd", arguments: [1], expected: ""),
            Probe(label: "io_uring_setup", syscall: "io_uring_setup", arguments: [1, 0], expected: ""),
            Probe(label: "unshare(CLONE_NEWUSER)", syscall: "unshare", arguments: [Self.newUser], expected: ""),
        ]
        var configuration = SandboxConfiguration(limits: ResourceLimits(wallTime: .seconds(10)))
        configuration.seccompFilter = false
        let unfiltered = try SandboxRunner(configuration: configuration)
        let open = try Self.results(try await unfiltered.run(code: Array(Self.script(probes).utf8)))
        let filtered = try Self.results(try await TestSupport.run(Self.script(probes)))
        #expect(open["keyctl"] == "ok")
        #expect(open["io_uring_setup"] == "EFAULT" || open["io_uring_setup"] == "EPERM", "\(open)")
        #expect(open["unshare(CLONE_NEWUSER)"] == "ENOSPC" || open["unshare(CLONE_NEWUSER)"] == "ok", "\(open)")
        #expect(
            filtered == [
                "keyctl": "EPERM", "userfaultfd": "EPERM", "io_uring_setup": "ENOSYS",
                "unshare(CLONE_NEWUSER)": "EPERM",
            ])
        #expect(filtered != open)
    }

    @Test func theJobCannotCreateUserNamespacesEvenWithoutTheFilter() async throws {
        // --disable-userns (bubblewrap 0.8+) on its own: max_user_namespaces is exhausted inside.
        let installed = try #require(BubblewrapVersion.installed(at: "/usr/bin/bwrap"))
        try #require(installed.locksUserNamespaces, "bubblewrap \(installed) is older than 0.8")
        var configuration = SandboxConfiguration(limits: ResourceLimits(wallTime: .seconds(10)))
        configuration.seccompFilter = false
        let runner = try SandboxRunner(configuration: configuration)
        let probe = try await runner.probe()
        #expect(probe.seccompMode == "0" && probe.userNamespaces == "refused (ENOSPC)", "\(probe.summary)")
        #expect(!probe.fullyIsolated)
    }

    #if arch(x86_64)
        @Test func anX32CallKillsTheJob() async throws {
            // getpid through the x32 ABI (the syscall number with bit 30 set).
            let source = """
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                print("before", flush=True)
                libc.syscall(ctypes.c_long(0x40000000 | 39))
                print("after")
                """
            let outcome = try await TestSupport.run(source)
            #expect(outcome.stdout == "before\n")
            #expect(outcome.returncode == -SIGSYS, "\(outcome.returncode) \(outcome.stderr)")
        }

        @Test func anI386CallKillsTheJob() async throws {
            // `mov eax, 20 (getpid); int 0x80; ret` in executable memory, called through ctypes.
            let source = """
                import ctypes, mmap
                code = bytes([0xb8, 20, 0, 0, 0, 0xcd, 0x80, 0xc3])
                memory = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                memory.write(code)
                function = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(memory)))
                print("before", flush=True)
                print("after", function())
                """
            let outcome = try await TestSupport.run(source)
            #expect(outcome.stdout == "before\n")
            #expect(outcome.returncode == -SIGSYS, "\(outcome.returncode) \(outcome.stderr)")
        }
    #endif

    @Test func theFilterAndTheCodeReachBubblewrapOnly() async throws {
        let outcome = try await TestSupport.run("import os\nprint(sorted(os.listdir('/proc/self/fd')))\n")
        #expect(outcome.stdout == "['0', '1', '2', '3']\n", "\(outcome.stderr)")
    }

    @Test func theFilterIsSmallAndKnowsEveryNativeCall() throws {
        let filter = try SeccompFilter.compile()
        #expect(filter.instructionCount > 50 && filter.instructionCount < 1000, "\(filter.instructionCount)")
        for name in filter.omitted {
            #expect(
                [
                    "create_module", "get_kernel_syms", "query_module", "nfsservctl", "uselib", "ustat", "sysfs",
                    "_sysctl", "iopl", "ioperm", "lookup_dcookie", "vm86", "clone3",
                ].contains(name), "\(name)")
        }
        #expect(!filter.omitted.contains("clone3") || SeccompFilter.nativeSyscallNumber("clone3") == nil)
    }

    @Test func bubblewrapVersionsParse() {
        #expect(
            BubblewrapVersion(versionOutput: "bubblewrap 0.8.0\n") == BubblewrapVersion(major: 0, minor: 8, patch: 0))
        #expect(
            BubblewrapVersion(versionOutput: "bubblewrap 0.11.1")
                == BubblewrapVersion(major: 0, minor: 11, patch: 0 + 1))
        #expect(BubblewrapVersion(versionOutput: "bubblewrap 0.7.0")?.locksUserNamespaces == false)
        #expect(BubblewrapVersion(versionOutput: "bubblewrap 0.10.0")?.locksUserNamespaces == true)
        #expect(BubblewrapVersion(versionOutput: "unknown") == nil)
    }

    @Test func theCommandLineAsksForBoth() {
        var command = BubblewrapCommand(
            bubblewrapPath: "/usr/bin/bwrap", pythonPath: "/usr/bin/python3", rootEntries: [], extraReadOnlyPaths: [],
            tmpfsBytes: 1 << 20)
        #expect(!command.arguments.contains("--seccomp") && !command.arguments.contains("--disable-userns"))
        command.appliesSeccompFilter = true
        command.disablesNestedUserNamespaces = true
        let joined = command.arguments.joined(separator: " ")
        #expect(joined.contains("--disable-userns --assert-userns-disabled"))
        #expect(joined.contains("--seccomp 4"))
        #expect(joined.hasSuffix("-- /usr/bin/python3 -s main.py"))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One system call the seccomp filter refuses, always or when its arguments match.
struct SeccompRule: Sendable, Equatable {
    /// The errno the refused call returns.
    enum Refusal: Sendable, Equatable {
        /// `EPERM`: the call exists but is not allowed.
        case permissionDenied
        /// `ENOSYS`: the call does not seem to exist, so that libraries probing for it fall back (glibc
        /// falls back from `clone3` to `clone` on `ENOSYS` only).
        case notImplemented

        /// The errno value.
        var errno: Int32 { self == .permissionDenied ? EPERM : ENOSYS }
    }

    /// A test of one argument. libseccomp allows one test per argument in a rule.
    enum Condition: Sendable, Equatable {
        /// `(argument & mask) == value`.
        case maskedEqual(argument: UInt32, mask: UInt64, value: UInt64)
        /// `argument > value` (unsigned, 64 bits).
        case greaterThan(argument: UInt32, value: UInt64)
    }

    /// The system call's name, resolved to a number for the filter's architecture by libseccomp.
    var syscall: String
    /// What the refused call returns.
    var refusal: Refusal
    /// All must hold for the call to be refused; empty: always refused.
    var conditions: [Condition] = []
}

/// The seccomp policy of every sandboxed job: default allow, a deny list modelled on Docker's (moby's)
/// default profile. `docs/security.md` lists the model and every deviation from it.
enum SeccompPolicy {
    /// The `CLONE_NEW*` flags that create namespaces (`clone`, `unshare`).
    static let namespaceFlags: [(name: String, bit: UInt64)] = [
        ("CLONE_NEWNS", 0x0002_0000), ("CLONE_NEWCGROUP", 0x0200_0000), ("CLONE_NEWUTS", 0x0400_0000),
        ("CLONE_NEWIPC", 0x0800_0000), ("CLONE_NEWUSER", 0x1000_0000), ("CLONE_NEWPID", 0x2000_0000),
        ("CLONE_NEWNET", 0x4000_0000),
    ]
    /// `CLONE_NEWTIME`: only `unshare` and `clone3` take it (in `clone`'s flags the bit is the exit signal).
    static let newTimeNamespace: UInt64 = 0x80
    /// `ioctl` requests refused: `TIOCSTI` (push input into a terminal) and `TIOCLINUX` (console
    /// selection and input on virtual consoles).
    static let refusedIoctls: [(name: String, request: UInt64)] = [("TIOCSTI", 0x5412), ("TIOCLINUX", 0x541C)]
    /// The `personality` values allowed: `PER_LINUX` and the query `0xffffffff`.
    static let allowedPersonalities: [UInt64] = [0, 0xffff_ffff]

    /// Refused with `EPERM` whatever their arguments.
    static let alwaysRefused = [
        // Namespaces and mounts (a job must not rearrange its view of the filesystem).
        "setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsmount", "fsconfig",
        "fspick", "mount_setattr",
        // Kernel keyrings: not namespaced.
        "keyctl", "add_key", "request_key",
        // Large kernel attack surfaces that Python jobs do not need.
        "bpf", "perf_event_open", "userfaultfd",
        // Kernel code and other processes' memory.
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
        "get_kernel_syms", "query_module", "ptrace", "process_vm_readv", "process_vm_writev",
        // Host-wide state: accounting, swap, reboot, clocks, kernel log, quotas.
        "acct", "swapon", "swapoff", "reboot", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "syslog", "quotactl", "quotactl_fd", "vhangup",
        // File handles bypass path-based confinement (the "shocker" escape).
        "name_to_handle_at", "open_by_handle_at",
        // Obsolete or hardware access.
        "lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "iopl", "ioperm",
    ]
    /// Refused with `ENOSYS`, because libraries probe for them and fall back on `ENOSYS` only.
    static let reportedMissing = ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"]

    /// Every rule of the filter.
    static let rules: [SeccompRule] = {
        var rules = alwaysRefused.map { SeccompRule(syscall: $0, refusal: .permissionDenied) }
        rules += reportedMissing.map { SeccompRule(syscall: $0, refusal: .notImplemented) }
        // clone and unshare with any namespace flag (clone's flags are its first argument on x86_64 and
        // aarch64). clone3's flags sit in memory seccomp cannot read, hence ENOSYS for all of clone3.
        for flag in namespaceFlags {
            rules.append(
                SeccompRule(
                    syscall: "clone", refusal: .permissionDenied,
                    conditions: [.maskedEqual(argument: 0, mask: flag.bit, value: flag.bit)]))
        }
        for bit in namespaceFlags.map(\.bit) + [newTimeNamespace] {
            rules.append(
                SeccompRule(
                    syscall: "unshare", refusal: .permissionDenied,
                    conditions: [.maskedEqual(argument: 0, mask: bit, value: bit)]))
        }
        // ioctl's request is 32 bits in the kernel: only the low half of the register is compared.
        for ioctl in refusedIoctls {
            rules.append(
                SeccompRule(
                    syscall: "ioctl", refusal: .permissionDenied,
                    conditions: [.maskedEqual(argument: 1, mask: 0xffff_ffff, value: ioctl.request)]))
        }
        rules += personalityRules
        return rules
    }()

    /// `personality(p)` is refused unless `p` is 0 or 0xffffffff. libseccomp takes one test per argument in a
    /// rule, so "neither" is spelt out: any bit above the low 32, or two neighbouring low bits that differ
    /// (all 32 low bits are equal exactly when `p` is 0 or 0xffffffff).
    static var personalityRules: [SeccompRule] {
        var rules = [
            SeccompRule(
                syscall: "personality", refusal: .permissionDenied,
                conditions: [.greaterThan(argument: 0, value: 0xffff_ffff)])
        ]
        for bit in 0..<31 {
            let low: UInt64 = 1 << UInt64(bit)
            let high: UInt64 = low << 1
            for value in [low, high] {
                rules.append(
                    SeccompRule(
                        syscall: "personality", refusal: .permissionDenied,
                        conditions: [.maskedEqual(argument: 0, mask: low | high, value: value)]))
            }
        }
        return rules
    }

    /// The names of every system call the filter refuses in some case, sorted.
    static var refusedSyscalls: [String] { Array(Set(rules.map(\.syscall))).sorted() }
}

import CSeccomp

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The seccomp filter of ``SeccompPolicy``, compiled by libseccomp into classic BPF for bubblewrap's
/// `--seccomp FD`.
///
/// The filter covers the native ABI only. Calls made through another ABI (x32 and i386 on x86_64, 32-bit
/// arm on aarch64) kill the process: no Python job uses them, and their compat tables are a separate
/// attack surface that a deny list written for the native ABI would leave open.
struct SeccompFilter: Sendable, Equatable {
    /// The BPF program (`struct sock_filter` entries), as bubblewrap reads it.
    var program: [UInt8]
    /// Policy entries left out because this libseccomp does not know the call or the native ABI lacks it
    /// (e.g. `vm86` on x86_64; such calls are reachable through no ABI the filter allows).
    var omitted: [String]

    /// The number of BPF instructions.
    var instructionCount: Int { program.count / 8 }

    /// The libseccomp action that makes a call fail with `errno`.
    private static func errnoAction(_ errno: Int32) -> UInt32 { 0x0005_0000 | (UInt32(errno) & 0xffff) }

    /// The native ABI's number of the system call `name`, or nil when this ABI has no such call.
    static func nativeSyscallNumber(_ name: String) -> Int32? {
        let number = seccomp_syscall_resolve_name(name)
        return number >= 0 ? number : nil
    }

    /// Compiles `rules` for the native ABI.
    static func compile(_ rules: [SeccompRule] = SeccompPolicy.rules) throws(SandboxError) -> SeccompFilter {
        guard let context = seccomp_init(SCMP_ACT_ALLOW) else {
            throw .seccompUnavailable("libseccomp could not create a filter")
        }
        defer { seccomp_release(context) }
        var status = seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, UInt32(SCMP_ACT_KILL_PROCESS))
        guard status == 0 else { throw .seccompUnavailable("setting the action for other ABIs: \(-status)") }
        // A binary tree of syscall numbers: a few comparisons per call instead of one per listed call.
        _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2)

        var omitted: [String] = []
        for rule in rules {
            guard let number = nativeSyscallNumber(rule.syscall) else {
                if !omitted.contains(rule.syscall) { omitted.append(rule.syscall) }
                continue
            }
            var comparisons = rule.conditions.map { condition -> scmp_arg_cmp in
                switch condition {
                case .maskedEqual(let argument, let mask, let value):
                    return scmp_arg_cmp(arg: argument, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
                case .greaterThan(let argument, let value):
                    return scmp_arg_cmp(arg: argument, op: SCMP_CMP_GT, datum_a: value, datum_b: 0)
                }
            }
            status = seccomp_rule_add_array(
                context, errnoAction(rule.refusal.errno), number, UInt32(comparisons.count), &comparisons)
            guard status == 0 else {
                throw .seccompUnavailable(
                    "adding the rule for \(rule.syscall): \(SystemErrorText.describe(-status))")
            }
        }

        let file = try AnonymousFile.make(name: "cloudmesh-seccomp", contents: [])
        defer { close(file) }
        status = seccomp_export_bpf(context, file)
        guard status == 0 else {
            throw .seccompUnavailable("exporting the filter: \(SystemErrorText.describe(-status))")
        }
        lseek(file, 0, SEEK_SET)
        let program = AnonymousFile.readToEnd(file)
        guard !program.isEmpty, program.count % 8 == 0 else {
            throw .seccompUnavailable("libseccomp exported \(program.count) bytes, not a BPF program")
        }
        return SeccompFilter(program: program, omitted: omitted)
    }
}

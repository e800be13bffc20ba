#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The installed bubblewrap's version, as `bwrap --version` prints it ("bubblewrap 0.8.0").
struct BubblewrapVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The first release with `--disable-userns` and `--assert-userns-disabled`.
    static let userNamespaceLock = BubblewrapVersion(major: 0, minor: 8, patch: 0)

    var major: Int
    var minor: Int
    var patch: Int

    var description: String { "\(major).\(minor).\(patch)" }

    /// Whether this version can stop the job from creating user namespaces of its own.
    var locksUserNamespaces: Bool { self >= Self.userNamespaceLock }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// Parses `bwrap --version` output; nil when it holds no version.
    init?(versionOutput: String) {
        guard
            let word = versionOutput.split(whereSeparator: \.isWhitespace).first(where: { $0.first?.isNumber == true })
        else { return nil }
        let numbers = word.split(separator: ".").map { Int($0.prefix { $0.isNumber }) }
        guard let major = numbers.first ?? nil else { return nil }
        self.init(
            major: major, minor: numbers.count > 1 ? numbers[1] ?? 0 : 0, patch: numbers.count > 2 ? numbers[2] ?? 0 : 0
        )
    }

    init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Runs `path --version`; nil when it fails or prints no version.
    static func installed(at path: String) -> BubblewrapVersion? {
        guard let output = try? run([path, "--version"]) else { return nil }
        return BubblewrapVersion(versionOutput: output)
    }

    private static func run(_ arguments: [String]) throws(SandboxError) -> String {
        let devNull = open("/dev/null", O_RDONLY | LinuxCalls.oCloexec)
        guard devNull >= 0 else { throw .systemCallFailed(operation: "opening /dev/null", errno: errno) }
        defer { close(devNull) }
        let output = try LinuxCalls.shared.makePipe()
        defer { close(output.read) }
        let pid: pid_t
        do {
            pid = try ChildLauncher.launch(
                LaunchPlan(
                    executable: arguments[0], arguments: arguments, environment: BubblewrapCommand.launcherEnvironment,
                    workingDirectory: nil, descriptors: [(devNull, 0), (output.write, 1), (output.write, 2)],
                    limits: [], cgroupProcsFiles: [], credentials: nil))
        } catch {
            close(output.write)
            throw error
        }
        close(output.write)
        let bytes = AnonymousFile.readToEnd(output.read)
        ChildLauncher.reap(pid)
        return String(decoding: bytes.prefix(4096), as: UTF8.self)
    }
}

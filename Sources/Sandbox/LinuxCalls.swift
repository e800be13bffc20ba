#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Linux system calls that Swift's C module does not import (they are GNU extensions), resolved once
/// from the C library. Each is optional: callers fall back when the C library is too old.
struct LinuxCalls: @unchecked Sendable {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32

    /// `pipe2(2)`: a pipe whose ends are created close-on-exec atomically.
    let pipe2: Pipe2?
    /// `pidfd_open(2)` (Linux 5.3+): a descriptor that becomes readable when the child exits.
    let pidfdOpen: PidfdOpen?
    /// `memfd_create(2)`: an anonymous file holding the job's code.
    let memfdCreate: MemfdCreate?

    static let shared = LinuxCalls()

    static let memfdCloexec: UInt32 = 1
    static let oCloexec: Int32 = 0o2000000

    /// Linux `RLIMIT_*` numbers (the same on every Linux architecture Swift supports).
    enum Resource: Int32 {
        case cpu = 0
        case fileSize = 1
        case core = 4
        case processes = 6
        case openFiles = 7
        case addressSpace = 9
    }

    private init() {
        let handle = dlopen(nil, RTLD_NOW)
        func symbol<T>(_ name: String, _ type: T.Type) -> T? {
            guard let handle, let pointer = dlsym(handle, name) else { return nil }
            return unsafeBitCast(pointer, to: type)
        }
        pipe2 = symbol("pipe2", Pipe2.self)
        pidfdOpen = symbol("pidfd_open", PidfdOpen.self)
        memfdCreate = symbol("memfd_create", MemfdCreate.self)
    }

    /// Creates a pipe whose two ends are close-on-exec; returns (read end, write end).
    func makePipe() throws(SandboxError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, Self.oCloexec) == 0 else { throw .systemCallFailed(operation: "pipe2", errno: errno) }
        } else {
            guard pipe(&fds) == 0 else { throw .systemCallFailed(operation: "pipe", errno: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }
}

/// Human-readable text for `errno` values.
enum SystemErrorText {
    /// "No such file or directory (errno 2)".
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

/// Small whole-file helpers for /proc and /sys files.
enum SystemFiles {
    /// The contents of a small file, or nil when it cannot be read.
    static func read(_ path: String, limit: Int = 1 << 20) -> String? {
        let fd = open(path, O_RDONLY | LinuxCalls.oCloexec)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to an existing file (a cgroup control file); returns `errno` on failure, or 0.
    @discardableResult
    static func write(_ text: String, to path: String) -> Int32 {
        let fd = open(path, O_WRONLY | LinuxCalls.oCloexec)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? 0 : (written < 0 ? errno : EIO)
    }

    /// Whether a path exists (without following a final symbolic link).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether a path is an executable regular file (following symbolic links).
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    /// The canonical path with every symbolic link resolved, or nil.
    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The target of a symbolic link, or nil when `path` is not one.
    static func symbolicLinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `path` is a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Anonymous, close-on-exec files handed to bubblewrap (the job's code, the seccomp filter).
enum AnonymousFile {
    /// A `memfd` (or an unlinked file in /tmp without one) holding `contents`, positioned at its start.
    static func make(name: String, contents: [UInt8]) throws(SandboxError) -> Int32 {
        var fd: Int32 = -1
        if let memfdCreate = LinuxCalls.shared.memfdCreate {
            fd = memfdCreate(name, LinuxCalls.memfdCloexec)
        }
        if fd < 0 {
            var template = Array("/tmp/\(name)-XXXXXX".utf8CString)
            fd = mkstemp(&template)
            guard fd >= 0 else { throw .systemCallFailed(operation: "creating \(name)", errno: errno) }
            unlink(template)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        var offset = 0
        while offset < contents.count {
            let count = contents.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let code = errno
                close(fd)
                throw .systemCallFailed(operation: "writing \(name)", errno: code)
            }
            offset += count
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    /// Everything from the current position of `fd` to its end.
    static func readToEnd(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

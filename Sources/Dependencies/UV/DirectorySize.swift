import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Disk space a directory tree takes: allocated blocks (`st_blocks`) of every entry, as `du` counts them, so
/// a flood of small files counts for what it costs. Symbolic links are not followed.
enum DirectorySize {
    /// Bytes allocated to `path` and everything below it; 0 for a path that does not exist.
    static func allocatedBytes(at path: String) -> UInt64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        var total = UInt64(max(0, info.st_blocks)) * 512
        if info.st_mode & S_IFMT == S_IFDIR, let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { total += allocatedBytes(at: path + "/" + name) }
        }
        return total
    }
}

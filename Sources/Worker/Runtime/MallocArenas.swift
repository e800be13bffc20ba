#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator gives each thread that allocates concurrently an arena of its own (up to 8 per core) and
/// keeps freed memory in them; a worker that builds megabyte result documents on several threads then holds
/// far more than it uses. Two arenas keep the peak bounded (measured in bench/README.md: 8 jobs printing
/// 100 MB each, 106 MiB → 85 MiB peak RSS) at no measurable cost to throughput.
enum MallocArenas {
    /// The arena count used unless the operator set `MALLOC_ARENA_MAX` (glibc reads that at start-up itself).
    static let limit: Int32 = 2

    /// Limits the arenas, unless `environment` already names a limit.
    static func limit(environment: [String: String]) {
        #if canImport(Glibc)
            guard environment["MALLOC_ARENA_MAX"] == nil else { return }
            _ = mallopt(M_ARENA_MAX, limit)
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator gives each thread that allocates concurrently an arena of its own (up to 8 per core) and
/// keeps freed memory in them; a worker that builds megabyte result documents on several threads then holds
/// far more than it uses. Two arenas keep the peak lower (bench/README.md, memory benchmark) at no measurable
/// cost to throughput.
enum MallocArenas {
    /// The arena count used unless the operator set `MALLOC_ARENA_MAX` (glibc reads that at start-up itself).
    static let limit: Int32 = 2
    /// glibc's `M_ARENA_MAX` parameter of `mallopt` (malloc.h; the Glibc module does not export `mallopt`).
    static let arenaMaxParameter: Int32 = -8

    /// Limits the arenas, unless `environment` already names a limit; does nothing where glibc is absent.
    static func limit(environment: [String: String]) {
        #if canImport(Glibc)
            guard environment["MALLOC_ARENA_MAX"] == nil,
                let process = dlopen(nil, RTLD_NOW),
                let symbol = dlsym(process, "mallopt")
            else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxParameter, limit)
        #endif
    }
}

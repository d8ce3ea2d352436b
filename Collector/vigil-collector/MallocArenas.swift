#if canImport(Glibc)
import Glibc
#endif

/// Caps glibc's malloc arenas for the collector process.
///
/// glibc gives threads that contend for the allocator arenas of their own, up to 8 per core, and memory
/// freed into one arena is reused only by that arena. The collector's periodic alert pass allocates a lot
/// on whichever pool thread runs it and frees it again, so with the default the resident size keeps the
/// high-water mark of every arena: with 100,000 checks 466 MB peak, against 232 MB with one arena per
/// core (issue 8, `Benchmarks/RESULTS.md`). Setting `MALLOC_ARENA_MAX` in the environment overrides this.
enum MallocArenas {
    /// glibc's `M_ARENA_MAX` parameter of `mallopt` (malloc.h, not part of the Glibc module).
    private static let arenaMaxParameter: Int32 = -8

    /// Limits arenas to one per core, at least 2, unless `MALLOC_ARENA_MAX` is set; `false` when the C
    /// library has no `mallopt` (not glibc). Call before the collector starts its work.
    @discardableResult
    static func limitToCores() -> Bool {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return true }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let cores = max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxParameter, Int32(clamping: cores)) == 1
        #else
        return false
        #endif
    }
}

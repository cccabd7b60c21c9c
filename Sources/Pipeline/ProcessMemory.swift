internal import CMallocTuning
import Foundation

/// How a process running the live pipeline sets up glibc's allocator. Call
/// ``configureForLivePipeline()`` once at the start of an executable, before the detector loads
/// and the stage threads start (`sightline run` and `replay` do, and `sightline-bench live`).
///
/// Measured with `sightline-bench live --memory` (docs/live.md), glibc's defaults cost resident
/// memory that the pipeline never uses again:
/// - **The dynamic mmap threshold.** glibc serves blocks of 128 KiB and more with their own
///   mapping, returned to the system on free, but raises that threshold to the size of each
///   such block freed (up to 32 MiB). Loading a network frees large blocks, so afterwards
///   frame-sized blocks (a 340 KB JPEG file, decode planes) came from the arenas, and each
///   freed one stayed there as a hole: resident memory grew by 4 MB over a 10,000-frame replay
///   with 0.1 MB more in use. A fixed threshold (which turns the dynamic one off) keeps every
///   block of 128 KiB or more in its own mapping.
/// - **One arena per thread.** Each thread that meets contention gets its own arena, which
///   keeps its own free memory; the replay ended with six (four stages, main, OpenCV's worker)
///   holding 21 MB for 18 MB in use. The stages allocate next to nothing per frame (capture and
///   preparation nothing outside libjpeg-turbo), so more arenas buy no speed: two suffice.
public enum ProcessMemory {
    /// At most this many malloc arenas.
    public static let arenaLimit = 2
    /// Blocks of at least this many bytes get their own mapping (glibc's default start value).
    public static let mmapThreshold = 128 << 10

    /// Applies ``arenaLimit`` and ``mmapThreshold``; returns whether the C library took them
    /// (false on a C library other than glibc, where nothing changes).
    @discardableResult
    public static func configureForLivePipeline() -> Bool {
        sl_malloc_tune(Int32(arenaLimit), Int32(mmapThreshold)) == 1
    }

    /// The resident set size of this process in bytes (`/proc/self/statm`); 0 where there is
    /// no such file.
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
}

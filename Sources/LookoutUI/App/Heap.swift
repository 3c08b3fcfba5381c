import CHeap
import Foundation
import Synchronization

/// The C allocator, kept small over hours (issue 25's soak). Measured on the sandbox for 10
/// minutes (two consoles side by side, the C heap's own figures in the poll trace): the bytes in
/// use stayed at 4.4 MB, while what glibc held grew from 12.4 to 13.1 MB with its default arenas
/// (up to 8 per core, one per thread that allocates) and stayed at 8.9 MB with 2. The growth was
/// fragmentation spread over arenas, not a leak; so lookout asks for 2 arenas, and the console
/// gives free pages back to the system after its polls (``trimIfDue(every:)``).
public enum Heap {
    /// At most 2 malloc arenas, and fixed mmap and trim thresholds (256 KB, 1 MB): call first
    /// thing, before threads allocate.
    ///
    /// glibc raises its mmap threshold to the size of every mapped block freed (up to 32 MB), so
    /// after the first poll at production scale the big arrays of each poll (200,000 partitions'
    /// offsets, the judged groups) came from the arenas, and the freed ones stayed there between
    /// polls: `serve` on the scale environment held 109 MB anonymous after 6 polls; with the
    /// thresholds fixed, 81 MB (`bench/serve_scale.py`).
    public static func configure() {
        _ = lookout_heap_limit_arenas(2)
        _ = lookout_heap_fix_thresholds(256 << 10, 1 << 20)
    }

    private static let lastTrim = Mutex<ContinuousClock.Instant?>(nil)
    private static let lastTrimTook = Mutex<Duration?>(nil)

    /// How long the last trim took (the poll trace's `trim_ms`); nil before the first.
    public static var lastTrimDuration: Duration? { lastTrimTook.withLock { $0 } }

    /// `malloc_trim(0)` if a second has passed since the last one: called when a poll is
    /// published, so after every poll at production scale (a poll there takes seconds) and at
    /// most once a second however many environments publish. The freed arrays of the poll before
    /// sit between live blocks, where only a trim gives their pages back: the console after 40
    /// polls of the scale environment held 148 MB trimming once a minute, 109 MB trimming every
    /// 5 s (session 11); after 100 polls, 103 MB median every 5 s, 93 MB after every poll
    /// (session 12, `bench/console_scale.py`, which prints the trims' times). It walks every
    /// arena: after a poll, never per frame.
    public static func trimIfDue(every period: Duration = .seconds(1)) {
        let now = ContinuousClock.now
        let due = lastTrim.withLock { last -> Bool in
            if let last, now - last < period { return false }
            last = now
            return true
        }
        guard due else { return }
        _ = lookout_heap_trim()
        let took = ContinuousClock.now - now
        lastTrimTook.withLock { $0 = took }
    }
}

import CDNNL

/// Splits an element-wise pass over the threads the matrix products use (OpenMP's pool, which oneDNN runs
/// on), so that at two threads the work between products does not run on one core.
///
/// Only loops whose items are independent belong here, such as a map over elements or a per-channel sum:
/// each item is computed by the same code in the same order whichever thread runs it, so a run gives the
/// same bits at any thread count. A sum across items stays on one thread.
public enum ParallelLoop {
    /// Below this much work (elements touched) a pass stays on the calling thread: waking the pool costs
    /// a few microseconds, as much as the pass itself.
    public static let minimumParallelWork = 32_768

    /// Runs `body` over disjoint ranges that together cover `0..<count`, one per thread of the calling
    /// thread's `omp_get_max_threads()` (set by `BLASRuntime.setThreadCount`), or once over all of it when
    /// there is one thread or `work` (default: `count`) is small. Range bounds are multiples of `alignment`
    /// (16 floats: a cache line, so no two threads write one line), except the last.
    ///
    /// `setThreadCount` leaves OpenMP one thread when the products run on OpenBLAS: its threads are a pool
    /// of their own, and two pools that each spin while waiting for work take the two cores from each other
    /// (the paper step at two threads fell from about 2,200 to 800 images/s with `--matmul openblas`).
    public static func forEachChunk(_ count: Int, work: Int? = nil, alignment: Int = 16, _ body: (Range<Int>) -> Void) {
        let threads = Int(omp_get_max_threads())
        guard threads > 1, (work ?? count) >= minimumParallelWork, count > alignment else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: count, alignment: alignment, body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                GOMP_parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: Job.self).pointee
                    let range = ParallelLoop.chunk(Int(omp_get_thread_num()), of: Int(omp_get_num_threads()),
                                                   count: job.count, alignment: job.alignment)
                    if !range.isEmpty { job.body(range) }
                }, pointer, UInt32(threads), 0)
            }
        }
    }

    private struct Job {
        let count: Int, alignment: Int
        let body: (Range<Int>) -> Void
    }

    /// Part `index` of `parts` of `0..<count`, split at multiples of `alignment`.
    public static func chunk(_ index: Int, of parts: Int, count: Int, alignment: Int = 16) -> Range<Int> {
        let blocks = (count + alignment - 1) / alignment
        let lower = min(count, blocks * index / parts * alignment), upper = min(count, blocks * (index + 1) / parts * alignment)
        return lower..<upper
    }
}

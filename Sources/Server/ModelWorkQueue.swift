import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking model work (loading a checkpoint, drawing, the nearest-image search) on threads of its own,
/// so async handlers never block a thread of Swift's cooperative pool and cheap routes are answered while every
/// worker is busy. The workers run at a lower scheduling priority than the threads that answer cheap routes.
///
/// At most `maximumWaiting` jobs wait for a worker; past that a request is refused at once (503 with
/// Retry-After) instead of queueing without end.
final class ModelWorkQueue: @unchecked Sendable {
    /// Threads drawing at once (one generator copy per checkpoint each).
    let workers: Int
    /// Jobs that may wait for a worker.
    let maximumWaiting: Int
    /// Nice value of the worker threads (Linux; 0 leaves them as they are).
    let niceness: Int32

    private let condition = NSCondition()
    /// Each job computes its result and returns what hands it back, called once the worker is free again.
    private var waiting: [@Sendable () -> @Sendable () -> Void] = []
    private var started = 0
    private var busy = 0

    init(workers: Int, maximumWaiting: Int, niceness: Int32 = 5) {
        self.workers = max(1, workers)
        self.maximumWaiting = max(0, maximumWaiting)
        self.niceness = niceness
    }

    /// Jobs running and jobs waiting, now.
    var load: (running: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (busy, waiting.count)
    }

    /// `body`'s result, computed on a worker; throws 503 when `maximumWaiting` jobs already wait.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            condition.lock()
            guard busy + waiting.count < workers + maximumWaiting else {
                condition.unlock()
                continuation.resume(throwing: APIError(.serviceUnavailable, "the server is busy drawing (\(workers) at once, \(maximumWaiting) waiting): try again shortly",
                                                       retryAfter: 1))
                return
            }
            waiting.append {
                let result = Result { try body() }
                return { continuation.resume(with: result) }
            }
            if busy + waiting.count > started, started < workers {
                started += 1
                let thread = Thread { [self] in work() }
                thread.stackSize = 16 << 20
                thread.name = "cgan-model-\(started)"
                thread.start()
            }
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        #if canImport(Glibc)
        // On Linux the nice value belongs to the thread: 0 names the calling one.
        if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
        #endif
        while true {
            condition.lock()
            while waiting.isEmpty { condition.wait() }
            let job = waiting.removeFirst()
            busy += 1
            condition.unlock()
            let answer = job()
            // Free before the answer goes out: whoever has the answer finds the worker free for the next job.
            condition.lock()
            busy -= 1
            condition.unlock()
            answer()
        }
    }
}

import CGAN
import Foundation
import NN

/// Loaded generators by checkpoint path, reloaded when the file changes (a training run rewrites its
/// checkpoints every epoch). A generator reuses its buffers, so each copy serves one request at a time;
/// up to `copies` copies of a checkpoint serve requests side by side (one per core by default).
final class GeneratorPool: @unchecked Sendable {
    private final class Entry {
        let modified: Date?
        var idle: [ConditionalGenerator] = []
        var loaded = 0
        init(modified: Date?) { self.modified = modified }
    }

    private let condition = NSCondition()
    private var entries: [String: Entry] = [:]
    let copies: Int

    init(copies: Int = ProcessInfo.processInfo.activeProcessorCount) { self.copies = max(1, copies) }

    /// Runs `body` with a generator of `checkpoint` that no other request is using.
    func with<T>(_ checkpoint: String, _ body: (ConditionalGenerator) throws -> T) throws -> T {
        // oneDNN's thread count is OpenMP's, set per calling thread: one per request, as on the main thread.
        BLASRuntime.setThreadCount(1)
        let (entry, generator) = try take(checkpoint)
        defer {
            condition.lock()
            entry.idle.append(generator)
            condition.broadcast()
            condition.unlock()
        }
        return try body(generator)
    }

    /// An idle copy, a newly loaded one while fewer than `copies` exist, or else the next one given back.
    private func take(_ path: String) throws -> (Entry, ConditionalGenerator) {
        let modified = RunCatalog.modified(path)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if entries[path]?.modified != modified { entries[path] = Entry(modified: modified) }
            let entry = entries[path]!
            if let g = entry.idle.popLast() { return (entry, g) }
            if entry.loaded < copies {
                entry.loaded += 1
                condition.unlock()
                let loaded = Result { try ConditionalGenerator(checkpoint: path) }
                condition.lock()
                if case .failure = loaded { entry.loaded -= 1 }
                return (entry, try loaded.get())
            }
            condition.wait()
        }
    }
}

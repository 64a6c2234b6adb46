import CGAN
import Foundation
import NN

/// Loaded generators by checkpoint, reloaded when the file changes (a training run rewrites its checkpoints
/// every epoch). A generator reuses its buffers, so each copy serves one request at a time; `ModelWorkQueue`
/// runs at most one request per worker, so a checkpoint never needs more copies than there are workers and
/// nobody waits here. The generators of the `keptCheckpoints` most recently used checkpoints are kept.
final class GeneratorPool: @unchecked Sendable {
    private final class Entry {
        let stamp: FileStamp?
        var idle: [ConditionalGenerator] = []
        var lastUse = Date()
        init(stamp: FileStamp?) { self.stamp = stamp }
    }

    /// Largest checkpoint file read.
    static let checkpointLimit = 1 << 30

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    let keptCheckpoints: Int

    init(keptCheckpoints: Int = 4) { self.keptCheckpoints = max(1, keptCheckpoints) }

    /// Runs `body` with a generator of `checkpoint` (a path of `entry`) that no other request is using.
    /// Call it from a model worker thread: loading a checkpoint and drawing are blocking work.
    func with<T>(_ checkpoint: String, of entry: RunCatalog.Entry, _ body: (ConditionalGenerator) throws -> T) throws -> T {
        // oneDNN's thread count is OpenMP's, set per calling thread: one per request, as on the main thread.
        BLASRuntime.setThreadCount(1)
        let stamp = Self.stamp(checkpoint, of: entry)
        lock.lock()
        if entries[checkpoint]?.stamp != stamp { entries[checkpoint] = Entry(stamp: stamp) }
        let cached = entries[checkpoint]!
        cached.lastUse = Date()
        let idle = cached.idle.popLast()
        lock.unlock()
        let generator = try idle ?? Self.load(checkpoint, of: entry)
        defer {
            lock.lock()
            // A checkpoint rewritten meanwhile, or one no longer kept, lets its old copy go.
            if entries[checkpoint] === cached { cached.idle.append(generator) }
            evictLeastRecentlyUsed()
            lock.unlock()
        }
        return try body(generator)
    }

    /// Forgets the checkpoints used longest ago beyond `keptCheckpoints` (called with the lock held).
    private func evictLeastRecentlyUsed() {
        while entries.count > keptCheckpoints, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
        }
    }

    static func stamp(_ checkpoint: String, of entry: RunCatalog.Entry) -> FileStamp? {
        guard let files = entry.files, let run = entry.directory else { return RunCatalog.stamp(checkpoint) }
        return files.stamp(files.relative(checkpoint, in: run))
    }

    /// A run's checkpoint is read through `RunFiles` (a link is refused); a `--checkpoint` file by its path.
    static func load(_ checkpoint: String, of entry: RunCatalog.Entry) throws -> ConditionalGenerator {
        guard let files = entry.files, let run = entry.directory else { return try ConditionalGenerator(checkpoint: checkpoint) }
        let data = try files.read(files.relative(checkpoint, in: run), limit: checkpointLimit)
        return try ConditionalGenerator(checkpoint: Checkpoint(contents: SafeTensors.decode(data, file: checkpoint), path: checkpoint))
    }
}

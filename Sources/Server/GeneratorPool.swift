import CGAN
import Foundation

/// Loaded generators by checkpoint path, reloaded when the file changes (a training run rewrites its
/// checkpoints every epoch). A generator reuses its buffers, so each is used by one request at a time.
final class GeneratorPool: @unchecked Sendable {
    private final class Loaded {
        let generator: ConditionalGenerator
        let modified: Date?
        let lock = NSLock()
        init(generator: ConditionalGenerator, modified: Date?) { self.generator = generator; self.modified = modified }
    }

    private let lock = NSLock()
    private var loaded: [String: Loaded] = [:]

    /// Runs `body` with the generator of `checkpoint`, alone.
    func with<T>(_ checkpoint: String, _ body: (ConditionalGenerator) throws -> T) throws -> T {
        let entry = try generator(for: checkpoint)
        entry.lock.lock()
        defer { entry.lock.unlock() }
        return try body(entry.generator)
    }

    private func generator(for path: String) throws -> Loaded {
        let modified = RunCatalog.modified(path)
        lock.lock()
        if let entry = loaded[path], entry.modified == modified { lock.unlock(); return entry }
        lock.unlock()
        let entry = Loaded(generator: try ConditionalGenerator(checkpoint: path), modified: modified)
        lock.lock()
        loaded[path] = entry
        lock.unlock()
        return entry
    }
}

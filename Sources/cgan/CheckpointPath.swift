import Files
import Foundation

/// The `--checkpoint` of `sample`, `evaluate`, `interpolate`, `export` and `serve`.
enum CheckpointPath {
    /// Refuses a checkpoint that is not there in one line, naming a symbolic link to nothing as such
    /// (`latest.safetensors` of a run whose files were moved).
    static func require(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            throw CommandError("checkpoint \(path) is a link to \(target.printableExcerpt(200)), which does not exist")
        }
        throw CommandError("checkpoint not found: \(path)")
    }
}

import Files
import Foundation

/// The `--checkpoint` of `sample`, `evaluate`, `interpolate`, `export` and `serve`.
enum CheckpointPath {
    /// Refuses a checkpoint that is not there in one line, naming a symbolic link to nothing as such
    /// (`latest.safetensors` of a run whose files were moved).
    static func require(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        throw CommandError(DanglingLink.problem(at: path).map { "checkpoint " + $0 } ?? "checkpoint not found: \(path)")
    }
}

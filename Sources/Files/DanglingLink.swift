import Foundation

/// A symbolic link to nothing, named as such (a run's `latest.safetensors` after its files were moved),
/// where "not found" would send the user looking for the wrong file.
public enum DanglingLink {
    /// "PATH is a link to TARGET, which does not exist" (the target printable) when `path` is a symbolic link
    /// whose target is absent; nil otherwise.
    public static func problem(at path: String) -> String? {
        guard !FileManager.default.fileExists(atPath: path),
              let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
        return "\(path) is a link to \(target.printableExcerpt(200)), which does not exist"
    }
}

import Foundation

/// Creates directories with one-line errors that name the cause (a file in the way, a read-only file
/// system, no permission) instead of Foundation's multi-part ones.
public enum DirectoryCreation {
    /// Creates `path` and any missing parent; an existing directory is fine.
    public static func create(_ path: String) throws {
        guard !path.isEmpty else { throw FileError(path, "empty directory name") }
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw FileError(path, "is a file, not a directory") }
            return
        }
        // The parent by hand: Foundation's deletingLastPathComponent traps on some one-letter names ("A", "x/y").
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if let slash = trimmed.lastIndex(of: "/") {
            let parent = String(trimmed[..<slash])
            if !parent.isEmpty && parent != path { try create(parent) }
        }
        if mkdir(path, 0o777) != 0 && errno != EEXIST {
            throw FileError(path, "cannot create the directory: \(FileSink.reason(errno))")
        }
    }
}

import Foundation

/// Reads a small file that may come from anywhere (a run folder copied from another machine, an archive): a
/// FIFO or device would block or never end, a huge file would fill memory, so only regular files up to a limit
/// are read.
public enum RegularFile {
    /// The bytes of `path` when it is a regular file (links followed) of at most `limit` bytes; nil when it is
    /// absent, unreadable, not a regular file or larger.
    public static func contents(atPath path: String, limit: Int) -> Data? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        return FileManager.default.contents(atPath: path)
    }

    /// Why `contents(atPath:limit:)` returned nil for `path`, as the end of a one-line error.
    public static func whyUnread(_ path: String, limit: Int) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot be read" }
        if info.st_mode & S_IFMT != S_IFREG { return "is not a regular file (a FIFO, device or folder)" }
        if info.st_size > limit { return "is larger than \(limit >> 20) MiB" }
        return "cannot be read"
    }
}

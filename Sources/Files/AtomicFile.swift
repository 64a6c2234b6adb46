import Foundation

/// Writes files so that a reader sees the old file or the whole new one, never a part: write a
/// temporary file beside the target, flush it, then rename it over the target.
///
/// Only regular files are replaced: a target that exists as a directory, device, FIFO, socket or
/// symbolic link is refused (renaming over a symbolic link would replace the link, not its target;
/// over /dev/null it would replace the device). Writes go through POSIX calls, not Foundation's atomic
/// write, so that a full disk is an error naming its cause and no temporary of another naming scheme is left.
public enum AtomicFile {
    /// The prefix and marker of temporary names: ".<name>.tmp-<pid>".
    static let temporaryMarker = ".tmp-"
    /// The prefix of the temporaries Foundation's atomic write leaves when killed (".dat.nosyncXXXX.YYYYYY").
    static let foundationTemporaryPrefix = ".dat.nosync"

    public static func write(_ data: Data, to path: String) throws {
        try stream(to: path) { try $0.write(data) }
    }

    /// Streams a file into place: `body` writes to a temporary file, which is renamed over `path` when
    /// `body` returns and removed if it throws. Memory stays bounded however large the file.
    public static func stream(to path: String, _ body: (FileSink) throws -> Void) throws {
        try checkWritable(path)
        let temporary = try temporaryPath(for: path)
        let slot = ActiveTemporaries.register(temporary)
        defer { ActiveTemporaries.unregister(slot) }
        let sink = try FileSink(creating: temporary, reportedAs: path)
        do {
            try body(sink)
            try sink.synchronizeAndClose()
        } catch {
            sink.closeQuietly()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = FileSink.reason(errno)
            unlink(temporary)
            throw FileError(path, "cannot move the new file into place: \(reason)")
        }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws { try write(Data(bytes), to: path) }
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// A temporary name beside `path` (".<name>.tmp-<pid>"), creating the directory if needed; for writers
    /// that produce the file themselves before renaming it into place.
    public static func temporaryPath(for path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try DirectoryCreation.create(directory)
        return directory + "/." + url.lastPathComponent + temporaryMarker + "\(getpid())"
    }

    /// Throws unless `path` is absent or a regular file (not followed if it is a symbolic link).
    public static func checkWritable(_ path: String) throws {
        guard !path.isEmpty else { throw FileError(path, "empty file name") }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // absent: fine
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw FileError(path, "is a directory; give a file name")
        case S_IFLNK: throw FileError(path, "is a symbolic link; give the file it points to, or another name")
        default: throw FileError(path, "exists and is not a regular file (a device, FIFO or socket); refusing to replace it")
        }
    }

    /// Removes temporary files that a killed write left in `directory` (".<name>.tmp-<pid>", and Foundation's
    /// ".dat.nosync…" from older versions); returns their names. Call it only where no other process writes.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let stale = names.filter {
            $0.hasPrefix(".") && ($0.contains(temporaryMarker) || $0.hasPrefix(foundationTemporaryPrefix))
        }
        for name in stale { unlink(directory + "/" + name) }
        return stale
    }
}

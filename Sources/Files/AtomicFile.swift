import Foundation

/// Writes files so that a reader sees the old file or the whole new one, never a part: write a
/// temporary file beside the target, flush it, then rename it over the target.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw FileError(path, "cannot write the file (is the directory writable?)")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FileError(path, "cannot move the new file into place")
        }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws { try write(Data(bytes), to: path) }
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}

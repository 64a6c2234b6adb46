import Foundation

/// A file open for writing whose every failure (a full disk, a read-only file system, an I/O error)
/// throws a one-line `FileError` naming the cause, where `FileHandle.write` would stop the program.
public final class FileSink {
    private var descriptor: Int32
    /// The name errors report (the target, not its temporary).
    public let reportedPath: String

    /// Creates (or truncates) `path` for writing.
    public init(creating path: String, reportedAs reported: String? = nil) throws {
        reportedPath = reported ?? path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(reportedPath, "cannot write the file: \(Self.reason(errno))") }
    }

    /// Opens an existing `path` for appending.
    public init(appendingTo path: String) throws {
        reportedPath = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path, "cannot open the file for appending: \(Self.reason(errno))") }
    }

    /// Wraps a descriptor this sink then owns (tests: /dev/full).
    public init(descriptor: Int32, reportedAs path: String) {
        self.descriptor = descriptor
        reportedPath = path
    }

    deinit { closeQuietly() }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// `FileHandle`'s spelling, for writers written against it.
    public func write<D: DataProtocol>(contentsOf data: D) throws {
        try write(Data(data))
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes every byte, retrying short writes; throws on the first failure.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw FileError(reportedPath, "cannot write: the file is closed") }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(reportedPath, "cannot write: \(Self.reason(errno))")
            }
            if n == 0 { throw FileError(reportedPath, "cannot write: \(Self.reason(ENOSPC))") }
            offset += n
        }
    }

    /// Writes `bytes` whole or not at all: after a failure part-way the file is cut back to where it was,
    /// so that a line-oriented log never ends in half a line.
    public func writeWhole(_ bytes: Data) throws {
        let start = lseek(descriptor, 0, SEEK_END)
        do {
            try write(bytes)
        } catch {
            if start >= 0 { _ = ftruncate(descriptor, start) }
            throw error
        }
    }

    /// Flushes the data to the disk and closes the file; a failure of either (a full disk shows at the
    /// latest here on some file systems) throws.
    public func synchronizeAndClose() throws {
        guard descriptor >= 0 else { return }
        let synced = fsync(descriptor) == 0 ? 0 : errno
        let closed = close(descriptor) == 0 ? 0 : errno
        descriptor = -1
        let failure = synced != 0 && synced != EINVAL && synced != EROFS ? synced : closed
        if failure != 0 { throw FileError(reportedPath, "cannot write: \(Self.reason(failure))") }
    }

    /// Closes the file, ignoring errors (after a failure that is already being reported).
    public func closeQuietly() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// The system's description of `code`, starting in lower case ("no space left on device").
    public static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

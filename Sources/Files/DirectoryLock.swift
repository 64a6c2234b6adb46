import Foundation

/// An exclusive lock on a directory (`flock` on a lock file in it), held while one process writes there:
/// a second writer is refused at once with the first one's process id. The lock file holds that id and
/// is removed on release; the kernel drops the lock of a process that dies.
public final class DirectoryLock {
    public static let fileName = ".cgan.lock"
    public let path: String
    private var descriptor: Int32

    /// Locks `directory` (which must exist); throws a one-line error when another process holds it.
    /// `holder` names what holds it in that error ("a cgan train").
    public init(_ directory: String, holder: String = "another process") throws {
        path = directory + "/" + Self.fileName
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError(directory, "cannot create its lock file: \(FileSink.reason(errno))") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let owner = Self.owner(fd)
                close(fd)
                guard code == EWOULDBLOCK else { throw FileError(directory, "cannot lock it: \(FileSink.reason(code))") }
                throw FileError(directory, "is in use by \(holder)" + (owner.map { " (pid \($0))" } ?? "")
                                + "; wait for it to end, or choose another directory")
            }
            // The holder before us may have removed the file between our open and our lock: lock the file
            // that is at the path now, or two processes would each hold a lock on a different file.
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                descriptor = fd
                break
            }
            close(fd)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit { release() }

    /// Removes the lock file and releases the lock (also done when the lock is freed).
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    /// The process id written in the lock file, if any.
    static func owner(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        return Int(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

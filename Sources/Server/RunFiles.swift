import CGAN
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the files of one run without ever leaving its directory: every path component below `--runs` is
/// opened with `O_NOFOLLOW` relative to the one above it, so a symbolic link anywhere in a run (a sample grid,
/// the samples folder, a checkpoint) is refused, however it got there and whenever it was put there.
/// Only regular files are read (a FIFO or device would block or never end).
struct RunFiles: Sendable {
    /// The `--runs` directory, as the person serving it named it (it may itself be a link).
    let root: String
    /// The run's path relative to `root`, one directory name per element.
    let components: [String]

    init(root: String, relative: String) {
        self.root = root
        components = relative.split(separator: "/").map(String.init)
    }

    /// The file `path` names, given as the full path `RunDirectory` builds for this run.
    func relative(_ path: String, in run: RunDirectory) -> [String] {
        guard path.hasPrefix(run.path + "/") else { return [] }
        return path.dropFirst(run.path.count + 1).split(separator: "/").map(String.init)
    }

    /// An open file of the run; closes when released.
    final class OpenFile {
        let descriptor: Int32
        let size: Int
        let stamp: FileStamp

        init(descriptor: Int32, status: stat) {
            self.descriptor = descriptor
            size = Int(status.st_size)
            stamp = FileStamp(status)
        }

        deinit { close(descriptor) }

        /// Up to `count` bytes from `offset` (fewer at the end of the file).
        func read(at offset: Int, count: Int) -> [UInt8] {
            guard count > 0, offset >= 0 else { return [] }
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            return Array(bytes.prefix(done))
        }

        /// The whole file (its size was checked when it was opened).
        func readAll() -> Data { Data(read(at: 0, count: size)) }
    }

    /// Opens `path` (components below the run's directory) for reading, refusing links, non-regular files
    /// and files over `limit` bytes.
    func openFile(_ path: [String], limit: Int) throws -> OpenFile {
        guard let name = path.last else { throw RunFileError.notFound }
        let directory = try openDirectory(components + path.dropLast())
        defer { close(directory) }
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw errno == ELOOP ? RunFileError.link : RunFileError.notFound }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else {
            close(fd)
            throw RunFileError.notRegular
        }
        guard Int(status.st_size) <= limit else {
            close(fd)
            throw RunFileError.tooLarge(limit)
        }
        return OpenFile(descriptor: fd, status: status)
    }

    /// The bytes of `path`, at most `limit` of them.
    func read(_ path: [String], limit: Int) throws -> Data { try openFile(path, limit: limit).readAll() }

    /// What identifies `path`'s current version (nil when it is missing, a link or not a regular file).
    func stamp(_ path: [String]) -> FileStamp? {
        guard let name = path.last, let directory = try? openDirectory(components + path.dropLast()) else { return nil }
        defer { close(directory) }
        var status = stat()
        guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { return nil }
        return FileStamp(status)
    }

    /// The names in directory `path` (not followed if it is a link), at most `limit` of them.
    func list(_ path: [String], limit: Int = 100_000) -> [String] {
        guard let fd = try? openDirectory(components + path), let stream = fdopendir(fd) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// A descriptor of the directory `path` below `root`, every component opened without following links.
    private func openDirectory(_ path: [String]) throws -> Int32 {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw RunFileError.notFound }
        for name in path {
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
                close(fd)
                throw RunFileError.notFound
            }
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let error = errno
            close(fd)
            guard next >= 0 else { throw error == ELOOP || error == ENOTDIR ? RunFileError.link : RunFileError.notFound }
            fd = next
        }
        return fd
    }
}

/// A file's identity and version: a rewritten or replaced file gets another stamp.
struct FileStamp: Hashable, Sendable {
    let device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modifiedNanoseconds = Int64(status.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_mtim.tv_nsec)
    }

    var modified: Date { Date(timeIntervalSince1970: Double(modifiedNanoseconds) / 1e9) }
}

/// Why a run's file was not read.
enum RunFileError: Error, CustomStringConvertible {
    case notFound, link, notRegular, tooLarge(Int)

    var description: String {
        switch self {
        case .notFound: return "not found"
        case .link: return "is a symbolic link, which is not followed"
        case .notRegular: return "is not a regular file"
        case .tooLarge(let limit): return "is larger than \(limit / 1_048_576) MiB"
        }
    }
}

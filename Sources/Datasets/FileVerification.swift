import Files
import Crypto
import Foundation

/// Checks a data file's bytes against its registry entry.
///
/// The registry knows each file's exact decompressed size, so nothing is trusted beyond it: a file larger
/// than any copy of it could be is refused before it is read, and decompression stops at the first byte
/// past the expected size (a small gzip bomb costs no more than the real file).
public enum FileVerification {
    /// How a file was verified.
    public enum Method: String, Sendable { case gzipDigest = "sha256 of the .gz", contentDigest = "sha256 of the decompressed file" }

    /// The largest a stored copy of `spec` may be: its content uncompressed plus gzip's framing.
    public static func maximumStoredSize(_ spec: DataFileSpec) -> Int { spec.rawBytes + spec.rawBytes / 100 + 4096 }

    /// Verifies the file at `path` (compressed or not), reading it piece by piece, and returns its content.
    public static func verify(path: String, against spec: DataFileSpec) throws -> (raw: [UInt8], method: Method) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileError(path, "file not found") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw FileError(path, "is not a regular file") }
        try checkStoredSize(Int(info.st_size), against: spec, path: path)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path, "cannot read the file") }
        defer { try? handle.close() }
        var verifier: Verifier?
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw FileError(path, "cannot read the file: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            if verifier == nil {
                let compressed = chunk.count >= 2 && chunk[chunk.startIndex] == 0x1F && chunk[chunk.startIndex + 1] == 0x8B
                if !compressed && Int(info.st_size) != spec.rawBytes {
                    throw FileError(path, "checksum mismatch: the file holds \(info.st_size) bytes, expected \(spec.rawBytes)")
                }
                verifier = try Verifier(spec: spec, path: path, compressed: compressed)
            }
            try chunk.withUnsafeBytes { try verifier!.consume($0) }
        }
        guard let verifier else { throw FileError(path, "checksum mismatch: the file is empty") }
        return try verifier.finish()
    }

    /// Verifies `bytes` (as read from `path`, or downloaded from it, compressed or not) and returns them decompressed.
    /// Throws a one-line error on any mismatch.
    public static func verify(_ bytes: [UInt8], against spec: DataFileSpec, path: String) throws -> (raw: [UInt8], method: Method) {
        try checkStoredSize(bytes.count, against: spec, path: path)
        let compressed = Gzip.isCompressed(bytes)
        if !compressed && bytes.count != spec.rawBytes {
            throw FileError(path, "checksum mismatch: the file holds \(bytes.count) bytes, expected \(spec.rawBytes)")
        }
        let verifier = try Verifier(spec: spec, path: path, compressed: compressed)
        try bytes.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = min(start + (1 << 20), all.count)
                try verifier.consume(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        return try verifier.finish()
    }

    static func checkStoredSize(_ size: Int, against spec: DataFileSpec, path: String) throws {
        guard size <= maximumStoredSize(spec) else {
            throw FileError(path, "checksum mismatch: \(size) bytes is more than any copy of \(spec.name) can be "
                            + "(\(spec.rawBytes) bytes decompressed)")
        }
    }

    /// Hashes a file's bytes as they come, decompresses them when they are gzip, hashes and keeps the
    /// content, and stops at the first byte past the expected size.
    final class Verifier {
        let spec: DataFileSpec, path: String
        let inflater: GzipInflater?
        var storedDigest = SHA256(), contentDigest = SHA256()
        var raw: [UInt8] = []

        init(spec: DataFileSpec, path: String, compressed: Bool) throws {
            self.spec = spec
            self.path = path
            inflater = compressed ? try GzipInflater(file: path) : nil
            raw.reserveCapacity(spec.rawBytes)
        }

        func consume(_ bytes: UnsafeRawBufferPointer) throws {
            guard let inflater else { return try keep(bytes) }
            storedDigest.update(bufferPointer: bytes)
            try inflater.inflate(bytes) { try keep($0) }
        }

        private func keep(_ content: UnsafeRawBufferPointer) throws {
            guard raw.count + content.count <= spec.rawBytes else {
                throw FileError(path, "checksum mismatch: decompresses to more than the \(spec.rawBytes) bytes expected")
            }
            contentDigest.update(bufferPointer: content)
            raw.append(contentsOf: content)
        }

        func finish() throws -> (raw: [UInt8], method: Method) {
            if let inflater, !inflater.finished { throw FileError(path, "truncated gzip data (the stream ends early)") }
            guard raw.count == spec.rawBytes else {
                throw FileError(path, "checksum mismatch: \(raw.count) bytes decompressed, expected \(spec.rawBytes)")
            }
            if inflater != nil, let expected = spec.gzipSHA256, hex(storedDigest.finalize()) == expected { return (raw, .gzipDigest) }
            if let expected = spec.rawSHA256 {
                guard hex(contentDigest.finalize()) == expected else {
                    throw FileError(path, "checksum mismatch: sha256 of the decompressed file is not \(expected.prefix(12))…")
                }
                return (raw, .contentDigest)
            }
            throw FileError(path, "checksum mismatch: sha256 of the file is not \(spec.gzipSHA256?.prefix(12) ?? "")…")
        }

        private func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
    }
}

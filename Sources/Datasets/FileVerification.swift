import Files
/// Checks a data file's bytes against its registry entry.
public enum FileVerification {
    /// How a file was verified.
    public enum Method: String, Sendable { case gzipDigest = "sha256 of the .gz", contentDigest = "sha256 of the decompressed file" }

    /// Verifies `bytes` (as read from `path`, compressed or not) and returns them decompressed.
    /// Throws a one-line error on any mismatch.
    public static func verify(_ bytes: [UInt8], against spec: DataFileSpec, path: String) throws -> (raw: [UInt8], method: Method) {
        let compressed = Gzip.isCompressed(bytes)
        var gzipMatched = false
        if compressed, let expected = spec.gzipSHA256 { gzipMatched = sha256Hex(bytes) == expected }
        let raw = compressed ? try Gzip.decompress(bytes, file: path) : bytes
        guard raw.count == spec.rawBytes else {
            throw FileError(path, "checksum mismatch: \(raw.count) bytes decompressed, expected \(spec.rawBytes)")
        }
        if gzipMatched { return (raw, .gzipDigest) }
        if let expected = spec.rawSHA256 {
            guard sha256Hex(raw) == expected else {
                throw FileError(path, "checksum mismatch: sha256 of the decompressed file is not \(expected.prefix(12))…")
            }
            return (raw, .contentDigest)
        }
        throw FileError(path, "checksum mismatch: sha256 of the file is not \(spec.gzipSHA256?.prefix(12) ?? "")…")
    }
}

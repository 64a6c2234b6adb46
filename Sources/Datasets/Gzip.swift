import Files
import CZlib

/// gzip decompression through zlib (`inflate` with gzip header detection), in memory.
public enum Gzip {
    /// True when `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// Decompresses a complete gzip stream; checks its CRC and length trailer. `file` names it in errors.
    ///
    /// `sizeLimit` bounds the output: after each chunk it sees the output so far and returns the total size
    /// the content announces (nil: not known yet); more output than that is an error, so a small file that
    /// inflates to gigabytes (a gzip bomb) stops at the announced size.
    public static func decompress(_ bytes: [UInt8], file: String,
                                  sizeLimit: ([UInt8]) throws -> Int? = { _ in nil }) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FileError(file, "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(bytes.count * 5, 64 << 20))
        var limit: Int?
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                try chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    if status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR || status == Z_STREAM_ERROR {
                        let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                        throw FileError(file, "corrupt gzip data (\(reason))")
                    }
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                    if limit == nil { limit = try sizeLimit(output) }
                    if let limit, output.count > limit {
                        throw FileError(file, "decompresses to more than the \(limit) bytes its header announces")
                    }
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw FileError(file, "truncated gzip data (the stream ends early)") }
        return output
    }
}

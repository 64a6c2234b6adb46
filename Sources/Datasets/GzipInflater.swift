import Files
import CZlib

/// gzip decompression fed piece by piece, so that a file is checked as it is read and never held twice:
/// the caller sees each piece of output and decides when there is too much of it.
final class GzipInflater {
    private var stream = z_stream()
    private let file: String
    /// True once the gzip stream's end (and its CRC and length trailer) has been read.
    private(set) var finished = false
    private var output = [UInt8](repeating: 0, count: 1 << 20)

    init(file: String) throws {
        self.file = file
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FileError(file, "zlib could not start decompressing")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `input`, handing each piece of output to `body`; bytes after the stream's end are ignored.
    func inflate(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        repeat {
            let (status, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            if status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR || status == Z_STREAM_ERROR {
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw FileError(file, "corrupt gzip data (\(reason))")
            }
            if produced > 0 { try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if status == Z_STREAM_END { finished = true; return }
            if status == Z_BUF_ERROR && stream.avail_in == 0 { return }
        } while stream.avail_in > 0 || stream.avail_out == 0
    }
}

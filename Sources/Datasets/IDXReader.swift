import Files
import Foundation

/// Reads the IDX format of MNIST and its relatives (unsigned-byte images and labels), raw or gzip-compressed.
///
/// Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, each dimension as
/// a big-endian UInt32, then the values. Everything is validated; nothing is trusted.
public enum IDXReader {
    /// An IDX file's dimensions and its unsigned-byte payload.
    public struct Contents {
        public let dimensions: [Int]
        public let values: [UInt8]
    }

    /// The file's bytes as stored.
    public static func readFileBytes(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw FileError(path, "file not found") }
        var info = stat()
        // Larger than the largest payload can be stored in, even uncompressed: refused before it is read.
        if stat(path, &info) == 0, info.st_size > maximumValueCount + maximumValueCount / 100 + (1 << 16) {
            throw FileError(path, "\(info.st_size) bytes is larger than any IDX file this tool reads (at most \(maximumValueCount) values)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path, "cannot read the file") }
        return [UInt8](data)
    }

    /// The largest payload accepted (1 GiB; MNIST's training images are 47 MB).
    public static let maximumValueCount = 1 << 30

    /// The file's bytes, decompressed when they are gzip (never beyond the size its IDX header announces).
    public static func readBytes(_ path: String) throws -> [UInt8] {
        try decompressed(try readFileBytes(path), file: path)
    }

    /// `bytes` as stored in a file, decompressed when they are gzip (never beyond the size the IDX header
    /// inside announces). `file` names it in errors.
    public static func decompressed(_ bytes: [UInt8], file path: String) throws -> [UInt8] {
        guard Gzip.isCompressed(bytes) else { return bytes }
        return try Gzip.decompress(bytes, file: path) { prefix in
            guard prefix.count >= 4 else { return nil }
            let headerSize = 4 + 4 * Int(prefix[3])
            guard prefix.count >= headerSize else { return nil }
            return headerSize + (try valueCount(dimensions(prefix, rank: Int(prefix[3])), file: path))
        }
    }

    static func dimensions(_ bytes: [UInt8], rank: Int) -> [Int] {
        (0..<rank).map { d -> Int in
            let o = 4 + 4 * d
            return Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        }
    }

    /// The product of `dimensions`, refused when it overflows or exceeds `maximumValueCount`.
    static func valueCount(_ dimensions: [Int], file: String) throws -> Int {
        var count = 1
        for d in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumValueCount else {
                throw FileError(file, "IDX header announces \(dimensions.map(String.init).joined(separator: "x")) values, more than \(maximumValueCount)")
            }
            count = product
        }
        return count
    }

    /// Parses decompressed IDX bytes.
    public static func parse(_ bytes: [UInt8], file: String) throws -> Contents {
        guard bytes.count >= 4 else { throw FileError(file, "too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw FileError(file, String(format: "wrong magic number 0x%02x%02x%02x%02x (not an IDX file)",
                                         bytes[0], bytes[1], bytes[2], bytes[3]))
        }
        guard bytes[2] == 0x08 else {
            throw FileError(file, String(format: "IDX data type 0x%02x is not unsigned byte (0x08)", bytes[2]))
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard rank >= 1, bytes.count >= headerSize else { throw FileError(file, "truncated IDX header") }
        let dimensions = dimensions(bytes, rank: rank)
        let expected = try valueCount(dimensions, file: file)
        let actual = bytes.count - headerSize
        guard actual >= expected else {
            throw FileError(file, "truncated: header promises \(expected) values, file holds \(actual)")
        }
        guard actual == expected else {
            throw FileError(file, "\(actual - expected) unexpected bytes after the \(expected) values")
        }
        return Contents(dimensions: dimensions, values: Array(bytes[headerSize...]))
    }

    /// Reads an idx3 image file of `rows` x `cols` images; returns the count and the pixels, image after image.
    public static func readImages(_ path: String, rows: Int = 28, cols: Int = 28) throws -> (count: Int, pixels: [UInt8]) {
        try images(in: parse(try readBytes(path), file: path), file: path, rows: rows, cols: cols)
    }

    /// Reads an idx1 label file; every label must be below `classCount`.
    public static func readLabels(_ path: String, classCount: Int = 10) throws -> [Int32] {
        try labels(in: parse(try readBytes(path), file: path), file: path, classCount: classCount)
    }

    /// Checks that parsed contents are `rows` x `cols` images.
    public static func images(in c: Contents, file: String, rows: Int = 28, cols: Int = 28) throws -> (count: Int, pixels: [UInt8]) {
        guard c.dimensions.count == 3 else {
            throw FileError(file, "expected an image file (3 dimensions), found \(c.dimensions.count) dimension(s)")
        }
        guard c.dimensions[1] == rows, c.dimensions[2] == cols else {
            throw FileError(file, "images are \(c.dimensions[1])x\(c.dimensions[2]), expected \(rows)x\(cols)")
        }
        return (c.dimensions[0], c.values)
    }

    /// Checks that parsed contents are labels below `classCount`.
    public static func labels(in c: Contents, file: String, classCount: Int = 10) throws -> [Int32] {
        guard c.dimensions.count == 1 else {
            throw FileError(file, "expected a label file (1 dimension), found \(c.dimensions.count) dimensions")
        }
        if let bad = c.values.firstIndex(where: { Int($0) >= classCount }) {
            throw FileError(file, "label \(c.values[bad]) at index \(bad) is out of range 0..<\(classCount)")
        }
        return c.values.map(Int32.init)
    }
}

/// Writes unsigned-byte IDX files (sample exports, and test fixtures).
public enum IDXWriter {
    /// The IDX encoding of `values` with the given dimensions.
    public static func encode(dimensions: [Int], values: [UInt8]) -> [UInt8] {
        precondition(dimensions.reduce(1, *) == values.count, "IDX dimensions do not match the value count")
        return header(dimensions: dimensions) + values
    }

    /// The header alone (magic, type, rank, big-endian dimensions), for writers that stream the values.
    public static func header(dimensions: [Int]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out
    }
}

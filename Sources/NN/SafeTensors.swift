import Foundation

/// The safetensors file layout (the format of Hugging Face's `safetensors`, readable from PyTorch):
/// an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
/// range, then the raw little-endian tensor bytes. String metadata goes under "__metadata__".
///
/// Reading validates everything before using anything: a hostile file gets a one-line `FormatError`,
/// never a trap or a huge allocation.
public enum SafeTensors {
    /// A problem with a safetensors file, reported as one line.
    public struct FormatError: Error, CustomStringConvertible {
        public let file: String, problem: String
        public var description: String { "\(file): \(problem)" }
    }

    /// Headers beyond this size are refused (real ones are a few kilobytes).
    public static let maximumHeaderBytes = 16 << 20

    /// Encodes `tensors` (all float32) and `metadata`. Tensors are laid out in the given order.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.values.count]]
            offset += 4 * t.values.count
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the tensor data starts 8-byte aligned (the format allows it).
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            out.append(UnsafeBufferPointer(start: t.values.pointer, count: t.values.count))  // x86 and ARM are little-endian
        }
        return out
    }

    /// A decoded file: float32 tensors by name, and the metadata.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
    }

    /// Reads and validates a file (see `decode`).
    public static func read(_ path: String) throws -> Contents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(file: path, problem: "file not found")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(file: path, problem: isDirectory.boolValue ? "is a directory, not a file" : "cannot read the file")
        }
        return try decode(data, file: path)
    }

    /// Validates header length, JSON, dtypes, shapes (positive, no overflow), byte ranges (inside the
    /// data area, not overlapping) and values (finite), then decodes.
    public static func decode(_ data: Data, file: String) throws -> Contents {
        func fail(_ problem: String) -> FormatError { FormatError(file: file, problem: problem) }
        guard data.count >= 8 else { throw fail("too short for a safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated or not a safetensors file (header length \(headerLength) exceeds the file)")
        }
        guard headerLength <= UInt64(maximumHeaderBytes) else { throw fail("header of \(headerLength) bytes is implausibly large") }
        let start = data.startIndex
        let headerData = data.subdata(in: (start + 8)..<(start + 8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("bad safetensors header (not a JSON object)")
        }
        let bodyStart = start + 8 + Int(headerLength), bodyCount = data.count - 8 - Int(headerLength)
        var contents = Contents(tensors: [:], metadata: [:])
        var ranges: [(begin: Int, end: Int, name: String)] = []
        var entries: [(name: String, shape: [Int], begin: Int, count: Int)] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let m = entry as? [String: String] else { throw fail("bad safetensors metadata (not a map of strings)") }
                contents.metadata = m
                continue
            }
            guard let e = entry as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("bad header entry for tensor \(name)")
            }
            guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype), expected F32") }
            guard !shape.isEmpty, shape.count <= 8, shape.allSatisfy({ $0 > 0 }) else {
                throw fail("tensor \(name) has an invalid shape \(shape)")
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= bodyCount / 4 else { throw fail("tensor \(name): shape \(shape) is larger than the file") }
                count = product
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= bodyCount else {
                throw fail("truncated: tensor \(name) has byte range \(offsets) outside the \(bodyCount)-byte data area")
            }
            guard offsets[1] - offsets[0] == 4 * count else {
                throw fail("tensor \(name): byte range \(offsets) does not match shape \(shape)")
            }
            ranges.append((offsets[0], offsets[1], name))
            entries.append((name, shape, offsets[0], count))
        }
        ranges.sort { $0.begin < $1.begin }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.begin < a.end {
            throw fail("tensors \(a.name) and \(b.name) overlap")
        }
        for (name, shape, begin, count) in entries {
            let (rows, cols) = Tensor.matrixShape(of: shape)
            let m = Matrix(rows: rows, cols: cols)
            data.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(m.pointer).copyMemory(from: raw.baseAddress! + (bodyStart - start) + begin, byteCount: 4 * count)
            }
            guard m.buffer.allSatisfy({ $0.isFinite }) else { throw fail("tensor \(name) holds NaN or infinity") }
            contents.tensors[name] = Tensor(shape: shape, values: m)
        }
        return contents
    }
}

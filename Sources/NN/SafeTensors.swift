import Foundation

/// The safetensors file layout (the format of Hugging Face's `safetensors`, readable from PyTorch):
/// an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
/// range, then the raw little-endian tensor bytes. String metadata goes under "__metadata__".
public enum SafeTensors {
    /// A problem with a checkpoint file, reported as one line.
    public struct FormatError: Error, CustomStringConvertible {
        public let file: String, problem: String
        public var description: String { "\(file): \(problem)" }
    }

    /// Encodes `tensors` (all float32) and `metadata`. Tensors are laid out in the given order.
    public static func encode(_ tensors: [(name: String, value: Matrix)], metadata: [String: String]) -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, m) in tensors {
            header[name] = ["dtype": "F32", "shape": m.shape, "data_offsets": [offset, offset + 4 * m.count]]
            offset += 4 * m.count
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the tensor data starts 8-byte aligned (the format allows it).
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, m) in tensors {
            out.append(UnsafeBufferPointer(start: m.pointer, count: m.count))  // x86 and ARM are little-endian
        }
        return out
    }

    /// A decoded file: float32 tensors by name, and the metadata.
    public struct Contents {
        public var tensors: [String: Matrix]
        public var metadata: [String: String]
    }

    /// Reads and validates a file: header length, JSON, dtypes, shapes and byte ranges.
    public static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(file: path, problem: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "file not found")
        }
        return try decode(data, file: path)
    }

    public static func decode(_ data: Data, file: String) throws -> Contents {
        func fail(_ problem: String) -> FormatError { FormatError(file: file, problem: problem) }
        guard data.count >= 8 else { throw fail("too short for a safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated or not a safetensors file (header length \(headerLength) exceeds the file)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("bad safetensors header (not a JSON object)")
        }
        let body = data.subdata(in: (8 + Int(headerLength))..<data.count)
        var contents = Contents(tensors: [:], metadata: [:])
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let m = entry as? [String: String] else { throw fail("bad safetensors metadata") }
                contents.metadata = m
                continue
            }
            guard let e = entry as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("bad header entry for tensor \(name)")
            }
            guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype), expected F32") }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] == offsets[0] + 4 * count else {
                throw fail("tensor \(name): byte range \(offsets) does not match shape \(shape)")
            }
            guard offsets[1] <= body.count else { throw fail("truncated: tensor \(name) extends past the end of the file") }
            let (rows, cols) = shape.count == 2 ? (shape[0], shape[1]) : (1, count)
            let m = Matrix(rows: rows, cols: cols)
            body.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(m.pointer).copyMemory(from: raw.baseAddress! + offsets[0], byteCount: 4 * count)
            }
            contents.tensors[name] = m
        }
        return contents
    }
}

import Files
import Foundation

/// An imported image folder stored as one safetensors file, readable by any safetensors reader:
///
/// - `images`: U8, shape [count, channels, side, side] (channel planes, like PyTorch's NCHW);
/// - `labels`: I32, shape [count], class indices in `classes` order;
/// - `manifest`: U8, the import options and every source file's path, size and modification time, which a
///   later load compares with the folder to tell whether the file is still current.
///
/// Metadata: `format` ("cgan-image-folder-1"), `classes` (a JSON array of names), `channels`, `side`,
/// `skipped` (a JSON array of "path: problem" lines for images left out by `--skip-bad-images`).
public enum ImageSetFile {
    public static let formatName = "cgan-image-folder-1"

    /// What the header says, before any pixel is read.
    public struct Header: Sendable {
        public let classNames: [String]
        public let channels: Int
        public let side: Int
        public let count: Int
        public let skipped: [String]
        let dataStart: UInt64
        let images: Range<Int>, labels: Range<Int>, manifest: Range<Int>
    }

    /// Writes the set atomically (a reader sees the old file or the whole new one).
    public static func write(_ set: LabeledImages, manifest: [UInt8], skipped: [String], to path: String) throws {
        let imageBytes = set.pixels.count, labelBytes = 4 * set.count
        let metadata: [String: String] = [
            "format": formatName, "classes": json(set.classNames), "channels": String(set.channels),
            "side": String(set.side), "skipped": json(skipped),
        ]
        let header: [String: Any] = [
            "__metadata__": metadata,
            "images": ["dtype": "U8", "shape": [set.count, set.channels, set.side, set.side], "data_offsets": [0, imageBytes]],
            "labels": ["dtype": "I32", "shape": [set.count], "data_offsets": [imageBytes, imageBytes + labelBytes]],
            "manifest": ["dtype": "U8", "shape": [manifest.count],
                         "data_offsets": [imageBytes + labelBytes, imageBytes + labelBytes + manifest.count]],
        ]
        var headerBytes = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var length = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { length[i] = UInt8(truncatingIfNeeded: headerBytes.count >> (8 * i)) }
        try AtomicFile.stream(to: path) { handle in
            try handle.write(contentsOf: length + headerBytes)
            try set.pixels.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
            try set.labels.map { $0.littleEndian }.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
            try handle.write(contentsOf: manifest)
        }
    }

    private static func json(_ strings: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Reads and validates the header. Throws a one-line `FileError` for anything that is not an image set.
    public static func readHeader(_ path: String) throws -> Header {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileError(path, FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "file not found")
        }
        defer { try? handle.close() }
        func fail(_ problem: String) -> FileError { FileError(path, "not an imported image set: \(problem)") }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { throw fail("shorter than a safetensors header") }
        let length = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= 16 << 20 else { throw fail("header length \(length) is implausible") }
        guard let headerData = try? handle.read(upToCount: Int(length)), headerData.count == Int(length),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let metadata = header["__metadata__"] as? [String: String] else { throw fail("no safetensors header") }
        guard metadata["format"] == formatName else { throw fail("format is \(metadata["format"] ?? "unnamed"), expected \(formatName)") }
        guard let classes = decodeStrings(metadata["classes"]), let skipped = decodeStrings(metadata["skipped"]),
              let channels = metadata["channels"].flatMap(Int.init), channels == 1 || channels == 3,
              let side = metadata["side"].flatMap(Int.init), side > 0, side <= ImageFolder.maximumSide,
              classes.count >= 1, classes.count <= ImageFolderListing.maximumClassCount else { throw fail("damaged metadata") }
        let fileSize = (try? handle.seekToEnd()) ?? 0
        let dataSize = Int(clamping: fileSize) - 8 - Int(length)
        func tensor(_ name: String, _ dtype: String) throws -> (shape: [Int], range: Range<Int>) {
            guard let entry = header[name] as? [String: Any], entry["dtype"] as? String == dtype,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else { throw fail("tensor \(name) missing or damaged") }
            return (shape, offsets[0]..<offsets[1])
        }
        let images = try tensor("images", "U8"), labels = try tensor("labels", "I32"), manifest = try tensor("manifest", "U8")
        let count = labels.shape.first ?? -1
        guard labels.shape.count == 1, labels.range.count == 4 * count,
              images.shape == [count, channels, side, side], images.range.count == count * channels * side * side,
              manifest.shape == [manifest.range.count] else { throw fail("tensor shapes do not match") }
        return Header(classNames: classes, channels: channels, side: side, count: count, skipped: skipped,
                      dataStart: 8 + length, images: images.range, labels: labels.range, manifest: manifest.range)
    }

    private static func decodeStrings(_ text: String?) -> [String]? {
        guard let text else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }

    /// The manifest bytes of a file whose header was read.
    public static func manifest(_ path: String, header: Header) throws -> [UInt8] {
        try bytes(path, header.dataStart, header.manifest)
    }

    /// The images and labels; labels are checked against the class count.
    public static func read(_ path: String) throws -> LabeledImages {
        try read(path, header: try readHeader(path))
    }

    static func read(_ path: String, header: Header) throws -> LabeledImages {
        let pixels = try bytes(path, header.dataStart, header.images)
        let raw = try bytes(path, header.dataStart, header.labels)
        var labels = [Int32](repeating: 0, count: header.count)
        labels.withUnsafeMutableBytes { $0.copyBytes(from: raw) }
        labels = labels.map { Int32(littleEndian: $0) }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= header.classNames.count }) {
            throw FileError(path, "label \(labels[bad]) of image \(bad) is outside the \(header.classNames.count) classes")
        }
        return LabeledImages(pixels: pixels, labels: labels, imageSize: header.channels * header.side * header.side,
                             classCount: header.classNames.count, channels: header.channels, side: header.side,
                             classNames: header.classNames)
    }

    private static func bytes(_ path: String, _ start: UInt64, _ range: Range<Int>) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path, "cannot read the file") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: start + UInt64(range.lowerBound))
            let data = try handle.read(upToCount: range.count) ?? Data()
            guard data.count == range.count else { throw FileError(path, "truncated") }
            return [UInt8](data)
        } catch let error as FileError { throw error } catch { throw FileError(path, "cannot read the file") }
    }
}

import Files
import Datasets
import Foundation
import NN

/// Writes generated images with their labels as PNG grids, IDX files or NumPy .npy files.
public enum SampleExport {
    public enum Format: String, CaseIterable, Sendable { case png, idx, npy }

    /// The most images one export holds (313 MB of float32 pixels).
    public static let maximumCount = 100_000

    /// The files `write` creates for `format` at `path`.
    public static func paths(format: Format, at path: String) -> [String] {
        switch format {
        case .png: [path]
        case .idx: [stripExtension(path) + "-images-idx3-ubyte", stripExtension(path) + "-labels-idx1-ubyte"]
        case .npy: [stripExtension(path) + "-images.npy", stripExtension(path) + "-labels.npy"]
        }
    }

    /// Throws unless every file of the export can be written (absent, or a regular file to replace).
    public static func checkWritable(format: Format, at path: String) throws {
        for p in paths(format: format, at: path) { try AtomicFile.checkWritable(p) }
    }

    /// Writes `images` ([n, 784] in [0, 1]) and `labels`; returns the paths written.
    /// png: one grid at `path` with `columns` per row. idx and npy: `path` is a stem, two files are written.
    public static func write(_ images: Matrix, labels: [Int], format: Format, to path: String, columns: Int) throws -> [String] {
        try checkWritable(format: format, at: path)
        switch format {
        case .png:
            try ImageGrid.writePNG(images, columns: columns, to: path)
            return [path]
        case .idx:
            let stem = stripExtension(path)
            let side = Int(Double(images.cols).squareRoot())
            let pixels = images.array.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
            let (imagePath, labelPath) = (stem + "-images-idx3-ubyte", stem + "-labels-idx1-ubyte")
            try AtomicFile.write(IDXWriter.encode(dimensions: [images.rows, side, side], values: pixels), to: imagePath)
            try AtomicFile.write(IDXWriter.encode(dimensions: [labels.count], values: labels.map(UInt8.init)), to: labelPath)
            return [imagePath, labelPath]
        case .npy:
            let stem = stripExtension(path)
            let (imagePath, labelPath) = (stem + "-images.npy", stem + "-labels.npy")
            var imageData = npyHeader(descr: "<f4", shape: [images.rows, images.cols])
            imageData.append(UnsafeBufferPointer(start: images.pointer, count: images.count))
            var labelData = npyHeader(descr: "<i8", shape: [labels.count])
            for l in labels { withUnsafeBytes(of: Int64(l).littleEndian) { labelData.append(contentsOf: $0) } }
            try AtomicFile.write(imageData, to: imagePath)
            try AtomicFile.write(labelData, to: labelPath)
            return [imagePath, labelPath]
        }
    }

    static func stripExtension(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.pathExtension.isEmpty ? path : url.deletingPathExtension().path
    }

    /// NPY format 1.0: magic, version, little-endian header length, a Python dict literal padded to 64 bytes.
    static func npyHeader(descr: String, shape: [Int]) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + dict.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        withUnsafeBytes(of: UInt16(dict.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(dict.utf8))
        return out
    }
}

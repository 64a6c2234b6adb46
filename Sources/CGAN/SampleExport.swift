import Files
import Datasets
import Foundation
import NN

/// Writes generated images with their labels as PNG grids, IDX files or NumPy .npy files.
public enum SampleExport {
    public enum Format: String, CaseIterable, Sendable { case png, idx, npy }

    /// The most images one export holds (313 MB of float32 pixels).
    public static let maximumCount = 100_000

    /// The files `write` creates for `format` at `path`: IDX names count the images' dimensions, as MNIST's
    /// do (idx3: [n, side, side]; idx4: colour, [n, 3, side, side]).
    public static func paths(format: Format, at path: String, channels: Int) -> [String] {
        switch format {
        case .png: [path]
        case .idx: [stripExtension(path) + "-images-idx\(channels == 1 ? 3 : 4)-ubyte", stripExtension(path) + "-labels-idx1-ubyte"]
        case .npy: [stripExtension(path) + "-images.npy", stripExtension(path) + "-labels.npy"]
        }
    }

    /// Throws unless every file of the export can be written (absent, or a regular file to replace).
    /// `inputs` (the checkpoint) must not be among the files written.
    public static func checkWritable(format: Format, at path: String, channels: Int, inputs: [String] = []) throws {
        for p in paths(format: format, at: path, channels: channels) {
            try AtomicFile.checkWritable(p)
            try FileIdentity.checkNotInput(p, inputs: inputs)
        }
    }

    /// Writes `images` ([n, channels x side x side] in [0, 1]) and `labels`; returns the paths written.
    /// png: one grid at `path` with `columns` per row. idx and npy: `path` is a stem, two files are written.
    /// `channels` 3: colour images (a PNG in RGB; idx dimensions [n, 3, side, side]).
    public static func write(_ images: Matrix, labels: [Int], format: Format, to path: String, columns: Int,
                             channels: Int = 1) throws -> [String] {
        try write(labels: labels, imageSize: images.cols, channels: channels, format: format, to: path, columns: columns) { body in
            try body(images, 0..<images.rows)
        }
    }

    /// Draws `labels` from `generator` and writes them; idx and npy stream chunk by chunk, so memory stays
    /// bounded by the noise and one chunk however many images are asked for.
    public static func write(from generator: ConditionalGenerator, labels: [Int], seed: UInt64, dropout: Bool?,
                             format: Format, to path: String, columns: Int) throws -> [String] {
        try write(labels: labels, imageSize: generator.imageSize, channels: generator.config.data.channels, format: format, to: path,
                  columns: columns) { body in
            try generator.forEachChunk(labels: labels, seed: seed, dropout: dropout, body)
        }
    }

    /// `chunks` hands each block of images (rows of pixels in [0, 1]) with its row range to its argument.
    static func write(labels: [Int], imageSize: Int, channels: Int, format: Format, to path: String, columns: Int,
                      chunks: ((Matrix, Range<Int>) throws -> Void) throws -> Void) throws -> [String] {
        try checkWritable(format: format, at: path, channels: channels)
        if format == .idx, let label = labels.first(where: { !(0...255).contains($0) }) {
            throw FileError(path, "idx stores labels as bytes and class \(label) does not fit; use --format npy or png")
        }
        let files = paths(format: format, at: path, channels: channels)
        let n = labels.count
        switch format {
        case .png:
            let all = Matrix(rows: n, cols: imageSize)
            try chunks { images, rows in all.rows(rows).copy(from: images) }
            try ImageGrid.writePNG(all, columns: columns, channels: channels, to: path)
        case .idx:
            let side = Int(Double(imageSize / channels).squareRoot())
            try AtomicFile.stream(to: files[0]) { sink in
                try sink.write(IDXWriter.header(dimensions: channels == 1 ? [n, side, side] : [n, channels, side, side]))
                try chunks { images, _ in try sink.write(images.buffer.map(ImageGrid.byte)) }
            }
            try AtomicFile.write(IDXWriter.encode(dimensions: [n], values: labels.map(UInt8.init)), to: files[1])
        case .npy:
            try AtomicFile.stream(to: files[0]) { sink in
                try sink.write(npyHeader(descr: "<f4", shape: [n, imageSize]))
                try chunks { images, _ in try sink.write(UnsafeRawBufferPointer(images.buffer)) }
            }
            var labelData = npyHeader(descr: "<i8", shape: [n])
            for l in labels { withUnsafeBytes(of: Int64(l).littleEndian) { labelData.append(contentsOf: $0) } }
            try AtomicFile.write(labelData, to: files[1])
        }
        return files
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

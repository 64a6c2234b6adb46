import Files
import CPNG
import Datasets
import Foundation
import NN

/// 8-bit grayscale PNG encoding through libpng's simplified write API (no callbacks, no longjmp).
public enum PNGImage {
    public struct EncodeError: Error, CustomStringConvertible { public let description: String }

    /// Encodes `pixels` (row-major, `width` x `height`, 0 = black).
    public static func encode(gray pixels: [UInt8], width: Int, height: Int) throws -> Data {
        try encode(pixels, width: width, height: height, channels: 1)
    }

    /// Encodes `pixels` (row-major red, green, blue bytes, `width` x `height`).
    public static func encode(rgb pixels: [UInt8], width: Int, height: Int) throws -> Data {
        try encode(pixels, width: width, height: height, channels: 3)
    }

    private static func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        precondition(pixels.count == width * height * channels, "PNG: pixel count does not match the size")
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        // Speed over size: a 100-image grid is encoded per request by `cgan serve` (about 4x faster, 10% larger).
        image.flags = UInt32(PNG_IMAGE_FLAG_FAST)
        let stride = Int32(width * channels)
        // Room for the worst case (incompressible rows plus headers), so that one call both compresses and writes.
        var size = height * (width * channels + 1) * 101 / 100 + 1024
        var out = [UInt8](repeating: 0, count: size)
        guard png_image_write_to_memory(&image, &out, &size, 0, pixels, stride, nil) != 0 else {
            throw EncodeError(description: "libpng: " + message(image))
        }
        return Data(out.prefix(size))
    }

    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

/// Lays square grayscale images out in a grid: row r, column c holds image r * columns + c.
public enum ImageGrid {
    /// Pixels of a grid of `images` ([n, side²], values in [0, 1]) with `padding` black pixels between cells.
    public static func pixels(_ images: Matrix, columns: Int, side: Int = 28, padding: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
        let (width, height) = size(count: images.rows, columns: columns, side: side, padding: padding)
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<images.rows {
            let top = padding + (i / columns) * (side + padding), left = padding + (i % columns) * (side + padding)
            for y in 0..<side {
                for x in 0..<side {
                    out[(top + y) * width + left + x] = byte(images[i, y * side + x])
                }
            }
        }
        return (out, width, height)
    }

    /// The width and height in pixels of a grid of `count` images.
    public static func size(count: Int, columns: Int, side: Int = 28, padding: Int = 2) -> (width: Int, height: Int) {
        let rows = (count + columns - 1) / columns
        return (columns * side + (columns + 1) * padding, rows * side + (rows + 1) * padding)
    }

    /// A pixel in [0, 1] as a byte: outside values are clipped, NaN is black (never a trap, whatever the weights).
    @inline(__always)
    public static func byte(_ value: Float) -> UInt8 {
        value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
    }

    /// Writes the grid as a PNG file, atomically.
    public static func writePNG(_ images: Matrix, columns: Int, to path: String) throws {
        let g = pixels(images, columns: columns)
        try AtomicFile.write(try PNGImage.encode(gray: g.pixels, width: g.width, height: g.height), to: path)
    }
}

extension PNGImage {
    /// The most pixels `readGray` accepts by default (a 100-class grid of 28x28 images is under 1M).
    public static let maximumPixelCount = 1 << 24

    /// Reads a PNG file as 8-bit gray pixels (libpng converts other formats). The size its header claims is
    /// checked before anything is allocated: more than `maximumPixels` pixels is refused.
    public static func readGray(_ path: String, maximumPixels: Int = maximumPixelCount) throws -> (pixels: [UInt8], width: Int, height: Int) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw EncodeError(description: "\(path): " + message(image))
        }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0, width <= maximumPixels / height else {
            png_image_free(&image)
            throw EncodeError(description: "\(path): its header claims \(width)x\(height) pixels, more than the \(maximumPixels) accepted")
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 0, count: width * height)
        guard png_image_finish_read(&image, nil, &pixels, 0, nil) != 0 else {
            throw EncodeError(description: "\(path): " + message(image))
        }
        return (pixels, width, height)
    }
}

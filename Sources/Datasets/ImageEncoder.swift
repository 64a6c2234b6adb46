import CImageCodecs
import Files
import Foundation

/// Writes PNG (libpng) and JPEG (libjpeg-turbo) files: exported data sets, and test images of every kind
/// the importer reads.
public enum ImageEncoder {
    /// PNG colour types, as the format numbers them.
    public enum PNGColourType: Int32, Sendable {
        case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6

        var samplesPerPixel: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    public struct EncodeError: Error, CustomStringConvertible { public let description: String }

    /// A PNG of `samples` (one value per sample, row-major, channels interleaved; palette indices for
    /// `.palette`) at `bitDepth` 1, 2, 4, 8 or 16. `palette`: RGB triples; `transparency`: alpha per
    /// palette entry (a tRNS chunk).
    public static func png(samples: [UInt16], width: Int, height: Int, bitDepth: Int = 8, colourType: PNGColourType,
                           palette: [UInt8] = [], transparency: [UInt8] = [], compressionLevel: Int = 6) throws -> [UInt8] {
        let perRow = width * colourType.samplesPerPixel
        precondition(samples.count == perRow * height, "PNG: sample count does not match the size")
        let rowBytes = (perRow * bitDepth + 7) / 8
        var rows = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            for x in 0..<perRow {
                let v = samples[y * perRow + x], o = y * rowBytes
                switch bitDepth {
                case 16: rows[o + 2 * x] = UInt8(v >> 8); rows[o + 2 * x + 1] = UInt8(v & 0xFF)
                case 8: rows[o + x] = UInt8(v & 0xFF)
                default:
                    let bit = x * bitDepth, shift = 8 - bitDepth - bit % 8
                    rows[o + bit / 8] |= UInt8((Int(v) & ((1 << bitDepth) - 1)) << shift)
                }
            }
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var text = [CChar](repeating: 0, count: 256)
        let status = cpng_encode(rows, rowBytes, UInt32(width), UInt32(height), Int32(bitDepth), colourType.rawValue,
                                 palette, Int32(palette.count / 3), transparency, Int32(transparency.count),
                                 Int32(compressionLevel), &out, &size, &text, text.count)
        guard status == 0, let out else { throw EncodeError(description: "libpng: " + ImageDecoder.cText(text)) }
        defer { cpng_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    /// An 8-bit grey (`channels` 1) or RGB (3, interleaved) PNG.
    public static func png(_ pixels: [UInt8], width: Int, height: Int, channels: Int, compressionLevel: Int = 6) throws -> [UInt8] {
        try png(samples: pixels.map(UInt16.init), width: width, height: height, colourType: channels == 3 ? .rgb : .grey,
                compressionLevel: compressionLevel)
    }

    /// A baseline JPEG of 8-bit grey (`channels` 1) or RGB (3, interleaved) pixels.
    public static func jpeg(_ pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 95) throws -> [UInt8] {
        precondition(pixels.count == width * height * channels && (channels == 1 || channels == 3), "JPEG: pixel count does not match")
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var text = [CChar](repeating: 0, count: 256)
        let status = cjpeg_encode(pixels, UInt32(width), UInt32(height), Int32(channels), Int32(quality), &out, &size, &text, text.count)
        guard status == 0, let out else { throw EncodeError(description: "libjpeg: " + ImageDecoder.cText(text)) }
        defer { cjpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// Planar image bytes (channel after channel, as `LabeledImages` holds them) interleaved for encoders.
    public static func interleaved(_ planar: ArraySlice<UInt8>, channels: Int, side: Int) -> [UInt8] {
        guard channels > 1 else { return Array(planar) }
        let plane = side * side, base = planar.startIndex
        var out = [UInt8](repeating: 0, count: planar.count)
        for i in 0..<plane { for c in 0..<channels { out[i * channels + c] = planar[base + c * plane + i] } }
        return out
    }
}

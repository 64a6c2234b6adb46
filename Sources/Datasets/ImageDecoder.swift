import CImageCodecs
import CPNG
import Files
import Foundation

/// The colour that transparent pixels are composited onto when an image with alpha is imported.
public enum AlphaBackground: String, Sendable, CaseIterable {
    case black, white

    var value: UInt8 { self == .black ? 0 : 255 }
}

/// What an image file's header declares, read without decoding its pixels.
public struct ImageHeader: Sendable, Equatable {
    public enum Format: String, Sendable { case png, jpeg }
    public let format: Format
    public let width: Int
    public let height: Int
    /// Whether the file stores colour (PNG colour or palette types; JPEG with 3 or 4 components).
    public let hasColour: Bool
}

/// An 8-bit image, row-major, channels interleaved.
public struct DecodedImage: Sendable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (red, green, blue).
    public let channels: Int
    public let pixels: [UInt8]
}

/// Reads PNG (libpng) and JPEG (libjpeg-turbo) files as 8-bit grey or RGB.
///
/// PNG: 1, 2, 4, 8 or 16 bits, grey, grey+alpha, RGB, RGBA and palette (with or without transparency).
/// 16-bit samples are taken as sRGB-encoded and scaled to 8 bits (v * 255 / 65535, rounded), not
/// treated as linear light. Alpha is composited as `alpha * colour + (1 - alpha) * background` on the
/// stored 8-bit values. JPEG: grey, YCbCr and Adobe CMYK; a truncated or corrupt stream is an error.
/// Colour becomes grey as ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), grey becomes colour by copying.
public enum ImageDecoder {
    /// The largest canvas accepted, in pixels (2^26, e.g. 8192 x 8192), checked from the header before
    /// any pixel is decoded: a small file can declare a huge canvas (a decompression bomb).
    public static let maximumPixels = 1 << 26

    /// The file's header. Throws a one-line `FileError` for a file that is not a PNG or JPEG, is
    /// unreadable, has a corrupt header, or declares more than `maximumPixels` pixels.
    public static func header(of path: String) throws -> ImageHeader {
        let header: ImageHeader
        switch try format(of: path) {
        case .png: header = try pngHeader(path)
        case .jpeg: header = try jpegHeader(path)
        }
        guard header.width > 0, header.height > 0 else { throw FileError(path, "image has no pixels (\(header.width)x\(header.height))") }
        guard header.width.multipliedReportingOverflow(by: header.height).partialValue <= maximumPixels,
              header.width <= maximumPixels, header.height <= maximumPixels else {
            throw FileError(path, "declares a \(header.width)x\(header.height) canvas, more than the limit of \(maximumPixels) pixels (a decompression bomb?)")
        }
        return header
    }

    /// Decodes the file as `channels` (1 or 3). `minimumSide`: JPEGs may be shrunk while decoding (libjpeg's
    /// DCT scaling by 1/2, 1/4 or 1/8) as long as the shorter side stays at least this long.
    public static func decode(_ path: String, channels: Int, background: AlphaBackground = .black, minimumSide: Int = .max) throws -> DecodedImage {
        try decode(path, header: try header(of: path), channels: channels, background: background, minimumSide: minimumSide)
    }

    /// `decode` for a file whose header was read (by `header(of:)`) moments ago; the canvas limit is
    /// checked again, in case the file changed since.
    static func decode(_ path: String, header: ImageHeader, channels: Int, background: AlphaBackground, minimumSide: Int) throws -> DecodedImage {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        switch header.format {
        case .png: return try decodePNG(path, header: header, channels: channels, background: background)
        case .jpeg: return try decodeJPEG(path, header: header, channels: channels, minimumSide: minimumSide)
        }
    }

    /// The format from the file's first bytes (the name's extension is not trusted).
    static func format(of path: String) throws -> ImageHeader.Format {
        // Non-blocking, so that a FIFO cannot stall the import; only regular files are read.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path, "cannot read the file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw FileError(path, "not a regular file") }
        var bytes = [UInt8](repeating: 0, count: 8)
        let count = read(fd, &bytes, 8)
        guard count >= 0 else { throw FileError(path, "cannot read the file (\(String(cString: strerror(errno))))") }
        bytes.removeLast(8 - count)
        if bytes == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        throw FileError(path, bytes.isEmpty ? "empty file, not an image" : "not a PNG or JPEG image")
    }

    // MARK: PNG

    /// Runs `body` on a png_image whose header has been read. libpng keeps the image's address for its
    /// error handling, so the struct lives on the heap, at one address, until it is freed here.
    private static func withPNG<T>(_ path: String, _ body: (UnsafeMutablePointer<png_image>) throws -> T) throws -> T {
        let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        image.initialize(to: png_image())
        defer { png_image_free(image); image.deallocate() }
        image.pointee.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(image, path) != 0 else { throw FileError(path, "corrupt PNG: \(message(image.pointee))") }
        return try body(image)
    }

    private static func pngHeader(_ path: String) throws -> ImageHeader {
        try withPNG(path) { image in
            ImageHeader(format: .png, width: Int(image.pointee.width), height: Int(image.pointee.height),
                        hasColour: image.pointee.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0)
        }
    }

    private static func decodePNG(_ path: String, header: ImageHeader, channels: Int, background: AlphaBackground) throws -> DecodedImage {
        let (raw, colour, alpha): ([UInt8], Bool, Bool) = try withPNG(path) { image in
            guard Int(image.pointee.width) == header.width, Int(image.pointee.height) == header.height else {
                throw FileError(path, "changed while it was being read")
            }
            let colour = image.pointee.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
            let alpha = image.pointee.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
            let stored = (colour ? 3 : 1) + (alpha ? 1 : 0)
            // 8-bit grey, grey+alpha, RGB or RGBA: palettes expand, 16-bit samples scale down.
            image.pointee.format = (colour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
            // 16-bit files without a gAMA chunk hold sRGB-encoded values like 8-bit ones; without this flag
            // libpng would take them as linear light and brighten them.
            image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            var raw = [UInt8](repeating: 0, count: Int(image.pointee.width) * Int(image.pointee.height) * stored)
            guard png_image_finish_read(image, nil, &raw, Int32(Int(image.pointee.width) * stored), nil) != 0 else {
                throw FileError(path, "corrupt PNG: \(message(image.pointee))")
            }
            return (raw, colour, alpha)
        }
        let width = header.width, height = header.height, stored = (colour ? 3 : 1) + (alpha ? 1 : 0)
        if stored == channels { return DecodedImage(width: width, height: height, channels: channels, pixels: raw) }
        let count = width * height, bg = Int(background.value)
        var out = [UInt8](repeating: 0, count: count * channels)
        raw.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    var r: Int, g: Int, b: Int
                    let p = i * stored
                    if colour { r = Int(src[p]); g = Int(src[p + 1]); b = Int(src[p + 2]) } else { r = Int(src[p]); g = r; b = r }
                    if alpha {
                        let a = Int(src[p + stored - 1])
                        r = (r * a + bg * (255 - a) + 127) / 255
                        g = (g * a + bg * (255 - a) + 127) / 255
                        b = (b * a + bg * (255 - a) + 127) / 255
                    }
                    if channels == 1 {
                        dst[i] = colour ? luma(r, g, b) : UInt8(r)
                    } else {
                        dst[3 * i] = UInt8(r); dst[3 * i + 1] = UInt8(g); dst[3 * i + 2] = UInt8(b)
                    }
                }
            }
        }
        return DecodedImage(width: width, height: height, channels: channels, pixels: out)
    }

    /// ITU-R 601 luma of 8-bit red, green, blue, rounded.
    @inline(__always) static func luma(_ r: Int, _ g: Int, _ b: Int) -> UInt8 {
        UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
    }

    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    // MARK: JPEG

    /// A NUL-terminated C message buffer as a String.
    static func cText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func jpegHeader(_ path: String) throws -> ImageHeader {
        var header = cjpeg_header()
        var text = [CChar](repeating: 0, count: 256)
        guard cjpeg_read_header(path, &header, &text, text.count) == 0 else {
            throw FileError(path, "corrupt JPEG: \(cText(text))")
        }
        return ImageHeader(format: .jpeg, width: Int(header.width), height: Int(header.height), hasColour: header.components >= 3)
    }

    private static func decodeJPEG(_ path: String, header: ImageHeader, channels: Int, minimumSide: Int) throws -> DecodedImage {
        var denominator = 1
        while denominator < 8, min(header.width, header.height) / (denominator * 2) >= minimumSide { denominator *= 2 }
        let width = (header.width + denominator - 1) / denominator, height = (header.height + denominator - 1) / denominator
        var out = [UInt8](repeating: 0, count: width * height * channels)
        var text = [CChar](repeating: 0, count: 256)
        var decodedWidth: UInt32 = 0, decodedHeight: UInt32 = 0
        let status = out.withUnsafeMutableBufferPointer { buffer in
            cjpeg_decode(path, Int32(denominator), Int32(channels), UInt64(maximumPixels), buffer.baseAddress, buffer.count,
                         &decodedWidth, &decodedHeight, &text, text.count)
        }
        guard status == 0 else { throw FileError(path, "corrupt JPEG: \(cText(text))") }
        let w = Int(decodedWidth), h = Int(decodedHeight)
        if w * h * channels < out.count { out.removeLast(out.count - w * h * channels) }
        return DecodedImage(width: w, height: h, channels: channels, pixels: out)
    }
}

import Files
import CGIF
import Foundation

/// An animated, looping grayscale (or colour) GIF of equally sized frames, through giflib: the progress of a run's
/// sample grids in one file.
public enum AnimatedGIF {
    public struct WriteError: Error, CustomStringConvertible { public let description: String }

    /// Writes `frames` (8-bit gray, `width` x `height` each) with `delay` hundredths of a second per frame,
    /// the last frame held three times as long; atomically (temporary file, then rename).
    /// `channels` 3: frames of red, green, blue bytes per pixel, shown in a fixed palette of 252 colours
    /// (6 levels of red and blue, 7 of green), which a sample grid's animation needs no better than.
    public static func write(frames: [[UInt8]], width: Int, height: Int, channels: Int = 1, delay: Int = 40, to path: String) throws {
        guard !frames.isEmpty else { return }
        try AtomicFile.checkWritable(path)
        do {
            try AtomicFile.write(encode(frames: frames, width: width, height: height, channels: channels, delay: delay), to: path)
        } catch let e as WriteError {
            throw WriteError(description: "\(path): \(e.description)")
        }
    }

    /// The GIF file's bytes (see `write`).
    public static func encode(frames: [[UInt8]], width: Int, height: Int, channels: Int = 1, delay: Int = 40) throws -> Data {
        if channels == 3 {
            return try encode(frames: frames.map(colourCubeIndices), width: width, height: height, delay: delay, palette: colourCube)
        }
        return try encode(frames: frames, width: width, height: height, delay: delay,
                          palette: (0..<256).map { GifColorType(Red: UInt8($0), Green: UInt8($0), Blue: UInt8($0)) })
    }

    /// The fixed colour palette: index r·42 + g·6 + b for levels r, b in 0..<6 and g in 0..<7, padded to 256.
    static let colourCube: [GifColorType] = (0..<256).map { i in
        guard i < 252 else { return GifColorType(Red: 0, Green: 0, Blue: 0) }
        func level(_ l: Int, _ levels: Int) -> UInt8 { UInt8((l * 255 + (levels - 1) / 2) / (levels - 1)) }
        return GifColorType(Red: level(i / 42, 6), Green: level(i / 6 % 7, 7), Blue: level(i % 6, 6))
    }

    /// RGB bytes -> indices into `colourCube` (the nearest level of each channel).
    static func colourCubeIndices(_ rgb: [UInt8]) -> [UInt8] {
        (0..<rgb.count / 3).map { p in
            func level(_ v: UInt8, _ levels: Int) -> Int { (Int(v) * (levels - 1) + 127) / 255 }
            return UInt8(level(rgb[3 * p], 6) * 42 + level(rgb[3 * p + 1], 7) * 6 + level(rgb[3 * p + 2], 6))
        }
    }

    /// The GIF file's bytes for frames of indices into `palette` (256 colours).
    static func encode(frames: [[UInt8]], width: Int, height: Int, delay: Int, palette: [GifColorType]) throws -> Data {
        let sink = Sink()
        var error: Int32 = 0
        let output: OutputFunc = { gif, bytes, count in
            guard let gif, let bytes, let box = gif.pointee.UserData else { return 0 }
            Unmanaged<Sink>.fromOpaque(box).takeUnretainedValue().data.append(bytes, count: Int(count))
            return count
        }
        guard let gif = EGifOpen(Unmanaged.passUnretained(sink).toOpaque(), output, &error) else {
            throw WriteError(description: "giflib could not start a file (error \(error))")
        }
        var closed = false
        defer { if !closed { EGifCloseFile(gif, &error) } }
        guard let colors = palette.withUnsafeBufferPointer({ GifMakeMapObject(256, $0.baseAddress) }) else {
            throw WriteError(description: "giflib could not make a palette")
        }
        defer { GifFreeMapObject(colors) }
        EGifSetGifVersion(gif, true)
        func check(_ status: Int32, _ what: String) throws {
            if status != GIF_OK { throw WriteError(description: "giflib failed to write \(what)") }
        }
        try check(EGifPutScreenDesc(gif, Int32(width), Int32(height), 8, 0, colors), "the screen descriptor")
        // NETSCAPE2.0 application extension: loop forever.
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "the loop extension")
        try check(EGifPutExtensionBlock(gif, 11, Array("NETSCAPE2.0".utf8)), "the loop extension")
        try check(EGifPutExtensionBlock(gif, 3, [1, 0, 0] as [UInt8]), "the loop extension")
        try check(EGifPutExtensionTrailer(gif), "the loop extension")
        for (i, frame) in frames.enumerated() {
            precondition(frame.count == width * height, "GIF frame of the wrong size")
            let d = i == frames.count - 1 ? 3 * delay : delay
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, [0, UInt8(d & 0xFF), UInt8(d >> 8), 0] as [UInt8]), "a frame delay")
            try check(EGifPutImageDesc(gif, 0, 0, Int32(width), Int32(height), false, nil), "a frame")
            var pixels = frame
            for row in 0..<height {
                try pixels.withUnsafeMutableBufferPointer { p in
                    try check(EGifPutLine(gif, p.baseAddress! + row * width, Int32(width)), "a frame")
                }
            }
        }
        closed = true
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw WriteError(description: "giflib error \(error) on close") }
        return sink.data
    }

    /// Where giflib's output function appends the bytes.
    private final class Sink { var data = Data() }
}

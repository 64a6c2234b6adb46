import Files
import Foundation
import XCTest
@testable import Datasets
import TestSupport

/// Writes `bytes` to `directory/relative`, creating folders.
private func put(_ bytes: [UInt8], _ directory: String, _ relative: String) {
    let path = directory + "/" + relative
    try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    write(bytes, path)
}

/// 8-bit grey PNG of a constant value.
private func greyPNG(_ value: UInt8, width: Int, height: Int) -> [UInt8] {
    try! ImageEncoder.png([UInt8](repeating: value, count: width * height), width: width, height: height, channels: 1)
}

/// CRC-32 as PNG chunks use it.
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }
    return ~c
}

private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = [UInt8](type.utf8) + data
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return be(UInt32(data.count)) + body + be(crc32(body))
}

/// A PNG whose header declares width x height but holds no pixels: a decompression bomb's header.
private func bombPNG(width: UInt32, height: UInt32) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + chunk("IHDR", be(width) + be(height) + [8, 0, 0, 0, 0]) + chunk("IDAT", [0x78, 0x01]) + chunk("IEND", [])
}

/// Progress reports, which arrive from the decoding threads.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [[Int]] = []
    func add(_ done: Int, _ total: Int) { lock.lock(); log.append([done, total]); lock.unlock() }
    var values: [[Int]] { lock.lock(); defer { lock.unlock() }; return log }
    var last: [Int]? { values.last }
}

final class ImageFolderTests: XCTestCase {
    override func setUp() { useFastBLASKernel() }

    // MARK: Decoding

    func testDecodesEveryPNGKindToExactValues() throws {
        let dir = temporaryDirectory(self)
        func decode(_ bytes: [UInt8], channels: Int, background: AlphaBackground = .black) throws -> DecodedImage {
            let path = dir + "/" + UUID().uuidString + ".png"
            write(bytes, path)
            return try ImageDecoder.decode(path, channels: channels, background: background)
        }
        // 16-bit grey: samples are sRGB like 8-bit ones, so 0x8080 is 128 (not brightened as if linear).
        let sixteen = try ImageEncoder.png(samples: [UInt16](repeating: 0x8080, count: 6), width: 3, height: 2, bitDepth: 16, colourType: .grey)
        XCTAssertEqual(try decode(sixteen, channels: 1).pixels, [UInt8](repeating: 128, count: 6))
        // 16-bit RGBA, half transparent, on black and on white.
        let rgba16 = try ImageEncoder.png(samples: [0xFFFF, 0, 0x8080, 0x8080], width: 1, height: 1, bitDepth: 16, colourType: .rgba)
        XCTAssertEqual(try decode(rgba16, channels: 3).pixels, [128, 0, 64])
        XCTAssertEqual(try decode(rgba16, channels: 3, background: .white).pixels, [255, 127, 191])
        // Palette with transparency: index 1 is fully transparent.
        let palette = try ImageEncoder.png(samples: [0, 1, 2, 0], width: 2, height: 2, colourType: .palette,
                                           palette: [255, 0, 0, 0, 255, 0, 10, 200, 30], transparency: [255, 0])
        XCTAssertEqual(try decode(palette, channels: 3).pixels, [255, 0, 0, 0, 0, 0, 10, 200, 30, 255, 0, 0])
        XCTAssertEqual(try decode(palette, channels: 3, background: .white).pixels, [255, 0, 0, 255, 255, 255, 10, 200, 30, 255, 0, 0])
        // Colour to grey: ITU-R 601 luma, (10, 200, 30) -> 124.31.
        XCTAssertEqual(try decode(palette, channels: 1).pixels, [76, 0, 124, 76])
        // Grey + alpha: 200 at alpha 128 on black is 200 * 128 / 255 = 100.4.
        let ga = try ImageEncoder.png(samples: [200, 128], width: 1, height: 1, colourType: .greyAlpha)
        XCTAssertEqual(try decode(ga, channels: 1).pixels, [100])
        XCTAssertEqual(try decode(ga, channels: 3).pixels, [100, 100, 100])
        // 1-bit grey expands to 0 and 255.
        let bits = try ImageEncoder.png(samples: [1, 0, 1], width: 3, height: 1, bitDepth: 1, colourType: .grey)
        XCTAssertEqual(try decode(bits, channels: 1).pixels, [255, 0, 255])
        // Headers say whether a file is colour.
        write(palette, dir + "/p.png")
        write(sixteen, dir + "/g.png")
        XCTAssertTrue(try ImageDecoder.header(of: dir + "/p.png").hasColour)
        XCTAssertEqual(try ImageDecoder.header(of: dir + "/g.png"), ImageHeader(format: .png, width: 3, height: 2, hasColour: false))
    }

    func testDecodesJPEGAndShrinksLargeOnesWhileDecoding() throws {
        let dir = temporaryDirectory(self)
        let grey = try ImageEncoder.jpeg([UInt8](repeating: 90, count: 16 * 16), width: 16, height: 16, channels: 1, quality: 100)
        write(grey, dir + "/g.jpg")
        let header = try ImageDecoder.header(of: dir + "/g.jpg")
        XCTAssertEqual(header, ImageHeader(format: .jpeg, width: 16, height: 16, hasColour: false))
        XCTAssertTrue(try ImageDecoder.decode(dir + "/g.jpg", channels: 1).pixels.allSatisfy { abs(Int($0) - 90) <= 1 })
        let colour = try ImageEncoder.jpeg([UInt8]((0..<256).flatMap { _ in [200, 40, 40] as [UInt8] }), width: 16, height: 16, channels: 3, quality: 100)
        write(colour, dir + "/c.jpg")
        let rgb = try ImageDecoder.decode(dir + "/c.jpg", channels: 3)
        XCTAssertTrue(try ImageDecoder.header(of: dir + "/c.jpg").hasColour)
        XCTAssertEqual(rgb.pixels.count, 16 * 16 * 3)
        XCTAssertTrue(abs(Int(rgb.pixels[0]) - 200) <= 2 && abs(Int(rgb.pixels[1]) - 40) <= 2, "\(rgb.pixels.prefix(3))")
        // 256 x 256 decoded for an 8-pixel target: DCT-scaled to 1/8 (32 x 32, still 2 x 8 or more).
        let big = try ImageEncoder.jpeg([UInt8](repeating: 60, count: 256 * 256), width: 256, height: 256, channels: 1)
        write(big, dir + "/big.jpg")
        let small = try ImageDecoder.decode(dir + "/big.jpg", channels: 1, minimumSide: 16)
        XCTAssertEqual([small.width, small.height], [32, 32])
        XCTAssertTrue(small.pixels.allSatisfy { abs(Int($0) - 60) <= 1 })
    }

    func testRefusesCorruptTruncatedAndBombFilesInOneLine() throws {
        let dir = temporaryDirectory(self)
        let png = greyPNG(7, width: 20, height: 20)
        put(Array(png.prefix(png.count / 2)), dir, "truncated.png")
        let jpeg = try ImageEncoder.jpeg((0..<4096).map { UInt8($0 % 251) }, width: 64, height: 64, channels: 1)
        put(Array(jpeg.prefix(jpeg.count / 2)), dir, "truncated.jpg")
        put([UInt8]("not an image at all".utf8), dir, "text.png")
        put([], dir, "empty.jpg")
        put(bombPNG(width: 20_000, height: 20_000), dir, "bomb.png")
        // A JPEG whose frame header is patched to 65535 x 65535.
        var bomb = try ImageEncoder.jpeg([UInt8](repeating: 0, count: 64), width: 8, height: 8, channels: 1)
        let sof = (0..<bomb.count - 1).first { bomb[$0] == 0xFF && bomb[$0 + 1] == 0xC0 }!
        for (k, byte) in [(5, 0xF0), (6, 0), (7, 0xF0), (8, 0)] { bomb[sof + k] = UInt8(byte) }
        put(bomb, dir, "bomb.jpg")
        assertOneLineError(FileError.self, "truncated.png: corrupt PNG") { _ = try ImageDecoder.decode(dir + "/truncated.png", channels: 1) }
        assertOneLineError(FileError.self, "truncated.jpg: corrupt JPEG") { _ = try ImageDecoder.decode(dir + "/truncated.jpg", channels: 1) }
        assertOneLineError(FileError.self, "text.png: not a PNG or JPEG image") { _ = try ImageDecoder.header(of: dir + "/text.png") }
        assertOneLineError(FileError.self, "empty.jpg: empty file") { _ = try ImageDecoder.header(of: dir + "/empty.jpg") }
        assertOneLineError(FileError.self, "bomb.png: declares a 20000x20000 canvas") { _ = try ImageDecoder.header(of: dir + "/bomb.png") }
        assertOneLineError(FileError.self, "bomb.jpg: declares a 61440x61440 canvas") { _ = try ImageDecoder.header(of: dir + "/bomb.jpg") }
    }

    // MARK: Resizing

    func testResizeKeepsConstantsAndAveragesBoxes() {
        let constant = DecodedImage(width: 37, height: 23, channels: 3, pixels: [UInt8](repeating: 173, count: 37 * 23 * 3))
        for side in [1, 5, 8, 23, 40] {
            var out = [UInt8](repeating: 0, count: 3 * side * side)
            out.withUnsafeMutableBufferPointer { ImageResize.centreSquare(constant, side: side, into: $0) }
            XCTAssertTrue(out.allSatisfy { $0 == 173 }, "side \(side)")
        }
        // 2x box: each output pixel is the rounded mean of a 2x2 block.
        let pattern: [UInt8] = [0, 10, 20, 30,
                                40, 50, 60, 70,
                                100, 100, 0, 255,
                                101, 100, 255, 255]
        var out = [UInt8](repeating: 0, count: 4)
        out.withUnsafeMutableBufferPointer {
            ImageResize.centreSquare(DecodedImage(width: 4, height: 4, channels: 1, pixels: pattern), side: 2, into: $0)
        }
        XCTAssertEqual(out, [25, 45, 100, 191])  // 100, 180, 401, 765 over 4: 25, 45, 100.25, 191.25
        // Centre crop: a 6 x 4 image keeps columns 1...4; 3x area shrink of 6 -> 2 averages thirds.
        let wide = DecodedImage(width: 6, height: 4, channels: 1, pixels: (0..<24).map { UInt8($0 % 6 == 0 || $0 % 6 == 5 ? 255 : 12) })
        var cropped = [UInt8](repeating: 0, count: 16)
        cropped.withUnsafeMutableBufferPointer { ImageResize.centreSquare(wide, side: 4, into: $0) }
        XCTAssertEqual(cropped, [UInt8](repeating: 12, count: 16))
        // Colour output is planar: all red, then all green, then all blue.
        let rgb = DecodedImage(width: 2, height: 2, channels: 3, pixels: [UInt8]((0..<4).flatMap { _ in [1, 2, 3] as [UInt8] }))
        var planar = [UInt8](repeating: 0, count: 12)
        planar.withUnsafeMutableBufferPointer { ImageResize.centreSquare(rgb, side: 2, into: $0) }
        XCTAssertEqual(planar, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        // Non-integer shrink 3 -> 2: output 0 covers input 0 fully and half of 1.
        var third = [UInt8](repeating: 0, count: 4)
        third.withUnsafeMutableBufferPointer {
            ImageResize.centreSquare(DecodedImage(width: 3, height: 3, channels: 1, pixels: [0, 90, 180, 0, 90, 180, 0, 90, 180]), side: 2, into: $0)
        }
        XCTAssertEqual(third, [30, 150, 30, 150])  // (0 + 0.5 * 90) / 1.5, (0.5 * 90 + 180) / 1.5
    }

    // MARK: Folders

    /// A folder of three classes with every kind of file; returns its path.
    private func mixedFolder() throws -> String {
        let dir = temporaryDirectory(self) + "/images"
        put(greyPNG(10, width: 8, height: 8), dir, "b_dog/1.png")
        put(try ImageEncoder.png(samples: [UInt16](repeating: 0x1414, count: 12 * 9), width: 12, height: 9, bitDepth: 16, colourType: .grey), dir, "b_dog/2.PNG")
        put(try ImageEncoder.jpeg([UInt8](repeating: 128, count: 8 * 8 * 3), width: 8, height: 8, channels: 3), dir, "a_cat/x.jpg")
        put(try ImageEncoder.png(samples: [UInt16](repeating: 1, count: 5 * 7), width: 5, height: 7, colourType: .palette,
                                 palette: [0, 0, 0, 30, 60, 90]), dir, "a_cat/sub/y.png")
        put(try ImageEncoder.png(samples: [UInt16]((0..<9 * 9).flatMap { _ in [255, 255, 255, 0] as [UInt16] }), width: 9, height: 9,
                                 colourType: .rgba), dir, "c/clear.png")
        put([UInt8]("notes".utf8), dir, "c/readme.txt")
        put([UInt8]("hidden".utf8), dir, "c/.DS_Store")
        return dir
    }

    func testImportsClassesInSortedOrderWithDefaults() throws {
        let dir = try mixedFolder()
        let reports = ProgressLog()
        let result = try ImageFolder.load(dir, options: ImageFolderOptions(imageSize: 4), cache: nil, progress: { reports.add($0, $1) })
        XCTAssertEqual(reports.last, [5, 5], "progress ends at all images decoded")
        XCTAssertEqual(reports.values.map { $0[0] }, reports.values.map { $0[0] }.sorted(), "progress only grows")
        let set = result.images
        XCTAssertEqual(set.classNames, ["a_cat", "b_dog", "c"])
        XCTAssertEqual(set.labels, [0, 0, 1, 1, 2])
        XCTAssertEqual(set.channels, 3, "a colour image makes the default 3 channels")
        XCTAssertEqual([set.side, set.imageSize], [4, 48])
        XCTAssertEqual(result.ignored, ["c/readme.txt"])
        XCTAssertEqual(result.decodedCount, 5)
        // a_cat/sub/y.png (palette colour 30, 60, 90) is listed before a_cat/x.jpg ("sub" < "x.jpg"); planes
        // hold one value each.
        let y = Array(set.pixels[0..<48])
        XCTAssertEqual(y, [UInt8](repeating: 30, count: 16) + [UInt8](repeating: 60, count: 16) + [UInt8](repeating: 90, count: 16))
        XCTAssertEqual(Array(set.pixels[96..<112]), [UInt8](repeating: 10, count: 16))
        XCTAssertEqual(Array(set.pixels[144..<160]), [UInt8](repeating: 20, count: 16), "16-bit 0x1414 is 20")
        XCTAssertTrue(set.pixels[192..<240].allSatisfy { $0 == 0 }, "fully transparent white on black")
        // Grey only and sizes shared: default 1 channel at the images' own size.
        let greyDir = temporaryDirectory(self) + "/grey"
        put(greyPNG(1, width: 6, height: 6), greyDir, "0/a.png")
        put(greyPNG(2, width: 6, height: 6), greyDir, "1/a.png")
        let grey = try ImageFolder.load(greyDir, cache: nil).images
        XCTAssertEqual([grey.channels, grey.side], [1, 6])
        // Sizes differ: default 32.
        put(greyPNG(3, width: 7, height: 9), greyDir, "1/b.png")
        XCTAssertEqual(try ImageFolder.load(greyDir, cache: nil).images.side, 32)
        XCTAssertEqual(try ImageFolder.load(greyDir, options: ImageFolderOptions(channels: 3), cache: nil).images.channels, 3)
    }

    func testBadImagesStopTheImportOrAreSkippedAndReported() throws {
        let dir = try mixedFolder()
        put([UInt8]("garbage".utf8), dir, "b_dog/bad.png")
        put(bombPNG(width: 10_000, height: 10_000), dir, "c/bomb.png")
        let noisy = try ImageEncoder.png((0..<400).map { UInt8($0 * 37 % 251) }, width: 20, height: 20, channels: 1)
        put(Array(noisy.prefix(noisy.count - 100)), dir, "c/cut.png")
        let cache = temporaryDirectory(self) + "/set.safetensors"
        assertOneLineError(ImageFolder.ImportError.self, "b_dog/bad.png: not a PNG or JPEG image (and 1 more bad file); --skip-bad-images") {
            _ = try ImageFolder.load(dir, options: ImageFolderOptions(imageSize: 4), cache: cache)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache), "nothing written when the import stops")
        let result = try ImageFolder.load(dir, options: ImageFolderOptions(imageSize: 4, skipBadImages: true), cache: cache)
        XCTAssertEqual(result.images.count, 5)
        XCTAssertEqual(result.skipped.count, 3)
        XCTAssertTrue(result.skipped[0].hasSuffix("b_dog/bad.png: not a PNG or JPEG image"), result.skipped[0])
        XCTAssertTrue(result.skipped[1].contains("c/bomb.png: declares a 10000x10000 canvas"), result.skipped[1])
        XCTAssertTrue(result.skipped[2].contains("c/cut.png: corrupt PNG"), result.skipped[2])
        // The skipped list survives the cache.
        let again = try ImageFolder.load(dir, options: ImageFolderOptions(imageSize: 4, skipBadImages: true), cache: cache)
        XCTAssertTrue(again.fromCache)
        XCTAssertEqual(again.skipped, result.skipped)
    }

    func testFolderProblemsAreOneLineErrors() throws {
        let base = temporaryDirectory(self)
        assertOneLineError(FileError.self, "cannot read the folder") { _ = try ImageFolderListing(root: base + "/absent") }
        put(greyPNG(1, width: 2, height: 2), base, "file.png")
        assertOneLineError(FileError.self, "not a folder") { _ = try ImageFolderListing(root: base + "/file.png") }
        let one = base + "/one"
        put(greyPNG(1, width: 2, height: 2), one, "only/a.png")
        assertOneLineError(FileError.self, "only one class folder (only)") { _ = try ImageFolderListing(root: one) }
        try FileManager.default.createDirectory(atPath: one + "/empty", withIntermediateDirectories: true)
        put([1], one, "empty/notes.txt")
        assertOneLineError(FileError.self, "one/empty: class folder holds no .png") { _ = try ImageFolderListing(root: one) }
        let none = base + "/none"
        put(greyPNG(1, width: 2, height: 2), none, "a.png")
        assertOneLineError(FileError.self, "no class folders") { _ = try ImageFolderListing(root: none) }
        let many = base + "/many"
        for k in 0...ImageFolderListing.maximumClassCount {
            try FileManager.default.createDirectory(atPath: many + "/c\(k)", withIntermediateDirectories: true)
        }
        assertOneLineError(FileError.self, "1001 class folders, more than the limit of 1000") { _ = try ImageFolderListing(root: many) }
        // A folder link to its own parent.
        let loop = base + "/loop"
        put(greyPNG(1, width: 2, height: 2), loop, "a/1.png")
        put(greyPNG(1, width: 2, height: 2), loop, "b/1.png")
        try FileManager.default.createSymbolicLink(atPath: loop + "/b/again", withDestinationPath: loop + "/b")
        assertOneLineError(FileError.self, "b/again: symbolic link loop") { _ = try ImageFolderListing(root: loop) }
        try FileManager.default.removeItem(atPath: loop + "/b/again")
        // A file link to itself is a bad image: named by the import, left out by --skip-bad-images.
        try FileManager.default.createSymbolicLink(atPath: loop + "/b/self.png", withDestinationPath: loop + "/b/self.png")
        assertOneLineError(ImageFolder.ImportError.self, "b/self.png: cannot read the file") { _ = try ImageFolder.load(loop, cache: nil) }
        XCTAssertEqual(try ImageFolder.load(loop, options: ImageFolderOptions(skipBadImages: true), cache: nil).images.count, 2)
        try FileManager.default.removeItem(atPath: loop + "/b/self.png")
        // A name that is not UTF-8.
        let raw: [UInt8] = Array((loop + "/b/x").utf8) + [0xFF, 0xFE] + Array(".png".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        assertOneLineError(FileError.self, "file name is not UTF-8") { _ = try ImageFolderListing(root: loop) }
    }

    func testUnreadableFileIsABadImage() throws {
        let dir = temporaryDirectory(self) + "/images"
        put(greyPNG(1, width: 2, height: 2), dir, "a/1.png")
        put(greyPNG(1, width: 2, height: 2), dir, "b/1.png")
        // A link to nothing reads like a file without permission (which root could still read).
        try FileManager.default.createSymbolicLink(atPath: dir + "/a/2.png", withDestinationPath: dir + "/missing.png")
        assertOneLineError(ImageFolder.ImportError.self, "a/2.png: cannot read the file (No such file") { _ = try ImageFolder.load(dir, cache: nil) }
        XCTAssertEqual(try ImageFolder.load(dir, options: ImageFolderOptions(skipBadImages: true), cache: nil).images.count, 2)
    }

    // MARK: Cache

    func testSecondLoadReadsTheCacheAndChangesImportAgain() throws {
        let dir = try mixedFolder()
        let cache = temporaryDirectory(self) + "/set.safetensors"
        let options = ImageFolderOptions(imageSize: 4)
        let first = try ImageFolder.load(dir, options: options, cache: cache)
        XCTAssertEqual(first.decodedCount, 5)
        let manifest = try ImageSetFile.manifest(cache, header: try ImageSetFile.readHeader(cache))
        let second = try ImageFolder.load(dir, options: options, cache: cache)
        XCTAssertEqual(second.decodedCount, 0, "an unchanged folder is not decoded again")
        XCTAssertEqual(second.images.pixels, first.images.pixels)
        XCTAssertEqual(second.images.labels, first.images.labels)
        XCTAssertEqual(second.images.classNames, first.images.classNames)
        XCTAssertEqual(try ImageSetFile.manifest(cache, header: try ImageSetFile.readHeader(cache)), manifest)
        // The file alone reads back as the same set.
        XCTAssertEqual(try ImageSetFile.read(cache).pixels, first.images.pixels)
        // Other options: imported again.
        var logged: [String] = []
        XCTAssertEqual(try ImageFolder.load(dir, options: ImageFolderOptions(imageSize: 2), cache: cache, log: { logged.append($0) }).decodedCount, 5)
        XCTAssertEqual(logged.count, 1)
        XCTAssertEqual(try ImageSetFile.readHeader(cache).side, 2)
        // A new file: imported again, with it.
        put(greyPNG(99, width: 3, height: 3), dir, "c/new.png")
        let third = try ImageFolder.load(dir, options: options, cache: cache)
        XCTAssertEqual([third.decodedCount, third.images.count], [6, 6])
        // A file rewritten with other content (size and time change): imported again.
        put(greyPNG(50, width: 4, height: 5), dir, "c/new.png")
        let fourth = try ImageFolder.load(dir, options: options, cache: cache)
        XCTAssertEqual(fourth.decodedCount, 6)
        XCTAssertEqual(fourth.images.pixels.last, 50)
        XCTAssertTrue(try ImageFolder.load(dir, options: options, cache: cache).fromCache)
    }

    func testRefusesToReplaceAFileThatIsNotAnImageSet() throws {
        let dir = try mixedFolder()
        let other = temporaryDirectory(self) + "/checkpoint.safetensors"
        write([1, 2, 3, 4, 5, 6, 7, 8, 9], other)
        assertOneLineError(FileError.self, "exists and is not an imported image set; refusing to replace it") {
            _ = try ImageFolder.load(dir, cache: other)
        }
        XCTAssertEqual([UInt8](FileManager.default.contents(atPath: other)!), [1, 2, 3, 4, 5, 6, 7, 8, 9])
        assertOneLineError(FileError.self, "not an imported image set") { _ = try ImageSetFile.read(other) }
    }

    // MARK: Round trip, split, synthetic colour

    func testExportedIDXSetImportsBackIdentically() throws {
        let base = temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: base + "/idx", withIntermediateDirectories: true)
        let spec = smallDataset(in: base + "/idx", train: 40, test: 10)
        let data = try MNISTFamilyDataset.load(spec, from: base + "/idx")
        try ImageFolderWriter.write(data.train, to: base + "/folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/folder").sorted(), (0..<10).map(String.init))
        XCTAssertThrowsError(try ImageFolderWriter.write(data.train, to: base + "/folder"), "a non-empty folder is not written into")
        let back = try ImageFolder.load(base + "/folder", cache: nil).images
        XCTAssertEqual([back.channels, back.side, back.count], [1, 28, 40])
        XCTAssertEqual(back.classNames, spec.classNames)
        // The folder groups by class, keeping the original order within a class.
        let order = (0..<40).sorted { (data.train.labels[$0], $0) < (data.train.labels[$1], $1) }
        XCTAssertEqual(back.labels, order.map { data.train.labels[$0] })
        XCTAssertEqual(back.pixels, order.flatMap { data.train.pixels[$0 * 784..<($0 + 1) * 784] })
    }

    func testFolderNamesSortInLabelOrder() {
        XCTAssertEqual(ImageFolderWriter.folderNames((0..<10).map(String.init)), (0..<10).map(String.init))
        let fashion = ImageFolderWriter.folderNames(DatasetRegistry.fashionMNIST.classNames)
        XCTAssertEqual(fashion[0], "0_T-shirt-top")
        let kmnist = ImageFolderWriter.folderNames(DatasetRegistry.kmnist.classNames)
        XCTAssertEqual(kmnist.sorted(), kmnist)
        let eleven = ImageFolderWriter.folderNames((0..<11).map { "c\($0)" })
        XCTAssertEqual(eleven.sorted(), eleven)
        XCTAssertEqual(eleven[10], "10_c10")
    }

    func testStratifiedSplitKeepsClassBalanceAndIsDeterministic() {
        let labels: [Int32] = (0..<60).map { $0 < 20 ? 0 : ($0 < 30 ? 1 : 2) }
        let set = LabeledImages(pixels: (0..<60).map { UInt8($0) }, labels: labels, imageSize: 1, classCount: 3)
        let (train, validation) = set.stratifiedSplit()
        XCTAssertEqual(validation.classHistogram, [2, 1, 3])
        XCTAssertEqual(train.classHistogram, [18, 9, 27])
        XCTAssertEqual(Set(train.pixels + validation.pixels).count, 60, "disjoint and complete")
        XCTAssertEqual(train.pixels, train.pixels.sorted(), "original order kept")
        XCTAssertEqual(set.stratifiedSplit().validation.pixels, validation.pixels)
        XCTAssertNotEqual(set.stratifiedSplit(valFraction: 0.1, seed: 7).validation.pixels, validation.pixels)
        XCTAssertEqual(set.stratifiedSplit(valFraction: 0.5).validation.count, 30)
    }

    func testColoredMNISTIsDeterministicWithDistinctColours() throws {
        let digits = LabeledImages(pixels: smallImages(20), labels: smallLabels(20).map(Int32.init), classCount: 10)
        let a = ColoredMNIST.make(from: digits, seed: 1), b = ColoredMNIST.make(from: digits, seed: 1)
        XCTAssertEqual(a.pixels, b.pixels)
        XCTAssertNotEqual(ColoredMNIST.make(from: digits, seed: 2).pixels, a.pixels)
        XCTAssertEqual([a.channels, a.side, a.count], [3, 32, 20])
        XCTAssertEqual(a.labels, digits.labels)
        for i in 0..<20 {
            // Corner pixel is the background; a pixel of grey 255 would be the foreground: they differ.
            let corner = (0..<3).map { a.pixels[i * 3072 + $0 * 1024] }
            XCTAssertTrue(ColoredMNIST.palette.contains { [$0.0, $0.1, $0.2] == corner })
        }
        let dir = temporaryDirectory(self) + "/colour"
        try ImageFolderWriter.write(a, to: dir)
        let back = try ImageFolder.load(dir, cache: nil).images
        XCTAssertEqual([back.channels, back.side], [3, 32])
        XCTAssertEqual(back.count, 20)
    }
}

import Dispatch
import Files
import Foundation

/// How a folder of images becomes a data set.
public struct ImageFolderOptions: Sendable, Equatable {
    /// Output side in pixels; nil: the images' own (shorter) side when all share one size, else 32.
    public var imageSize: Int?
    /// 1 or 3; nil: 3 when any image's header declares colour, else 1.
    public var channels: Int?
    /// What transparent pixels are composited onto.
    public var background: AlphaBackground
    /// Leave out files that fail to decode (and say which) instead of stopping at the first.
    public var skipBadImages: Bool

    public init(imageSize: Int? = nil, channels: Int? = nil, background: AlphaBackground = .black, skipBadImages: Bool = false) {
        self.imageSize = imageSize; self.channels = channels
        self.background = background; self.skipBadImages = skipBadImages
    }
}

/// The result of loading an image folder.
public struct ImageFolderImport: Sendable {
    /// The images, grouped by class in listing order.
    public let images: LabeledImages
    /// "path: problem" for each image left out (with `skipBadImages`).
    public let skipped: [String]
    /// Files below the folder that are not images by their extension.
    public let ignored: [String]
    /// How many files were decoded: 0 when the cache was current.
    public let decodedCount: Int
    public var fromCache: Bool { decodedCount == 0 }
}

/// Imports a folder of labelled images (one sub-folder per class; see `ImageFolderListing`) into a
/// `LabeledImages` set of square 8-bit images, decoding on all cores, and keeps the result in a cache file
/// (`ImageSetFile`) that later loads reuse while the folder is unchanged.
///
/// Each image is decoded (`ImageDecoder`), converted to the chosen channels, centre-cropped to a square and
/// resized (`ImageResize`). Memory: the output set, plus one decoded image per core (at most
/// `ImageDecoder.maximumPixels` pixels each); never the whole input.
public enum ImageFolder {
    public static let defaultSide = 32
    public static let maximumSide = 1024
    /// The largest output accepted: 8 GiB of pixels.
    public static let maximumOutputBytes = 8 << 30

    /// Loads `root`: from `cache` when that file holds an import of the same files with the same options,
    /// else by importing and then writing `cache` atomically. `log` hears one line when a cache is stale;
    /// `progress` hears (images decoded, images to decode), at most about a hundred times.
    public static func load(_ root: String, options: ImageFolderOptions = ImageFolderOptions(), cache: String?,
                            log: (String) -> Void = { _ in },
                            progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> ImageFolderImport {
        let listing = try ImageFolderListing(root: root)
        let manifest = manifest(of: listing, options: options)
        if let cache, FileManager.default.fileExists(atPath: cache) {
            try AtomicFile.checkWritable(cache)
            let header: ImageSetFile.Header
            do { header = try ImageSetFile.readHeader(cache) } catch {
                throw FileError(cache, "exists and is not an imported image set; refusing to replace it (choose another file, "
                                + "or delete it if it is a damaged import cache)")
            }
            if try ImageSetFile.manifest(cache, header: header) == manifest {
                return ImageFolderImport(images: try ImageSetFile.read(cache, header: header), skipped: header.skipped,
                                         ignored: listing.ignored, decodedCount: 0)
            }
            log("\(cache): the folder or the options changed since it was written; importing again")
        }
        let result = try importImages(listing, options: options, progress: progress)
        if let cache { try ImageSetFile.write(result.images, manifest: manifest, skipped: result.skipped, to: cache) }
        return result
    }

    /// What a cache must match: the options and each file's path, size and modification time.
    static func manifest(of listing: ImageFolderListing, options: ImageFolderOptions) -> [UInt8] {
        var text = "\(ImageSetFile.formatName)\nimage-size \(options.imageSize.map(String.init) ?? "auto")\n"
            + "channels \(options.channels.map(String.init) ?? "auto")\nbackground \(options.background.rawValue)\n"
            + "skip-bad-images \(options.skipBadImages)\n"
        var bytes = [UInt8](text.utf8)
        for e in listing.entries {
            text = "\(e.size) \(e.modified) "
            bytes += text.utf8
            bytes += e.relativePath.utf8
            bytes.append(0)  // paths may hold any character but NUL
        }
        return bytes
    }

    /// Decodes every listed image. Throws the first bad image's one-line error unless `skipBadImages`.
    public static func importImages(_ listing: ImageFolderListing, options: ImageFolderOptions,
                                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> ImageFolderImport {
        if let size = options.imageSize, !(1...maximumSide).contains(size) {
            throw FileError(listing.root, "image size \(size) is outside 1...\(maximumSide)")
        }
        if let channels = options.channels, channels != 1, channels != 3 {
            throw FileError(listing.root, "channels must be 1 or 3, not \(channels)")
        }
        let entries = listing.entries, n = entries.count
        var problems = [String?](repeating: nil, count: n)
        // Headers first: the bomb check, and the defaults for size and channels, before any pixel is decoded.
        var headers = [ImageHeader?](repeating: nil, count: n)
        problems.withUnsafeMutableBufferPointer { problems in
            headers.withUnsafeMutableBufferPointer { headers in
                parallelForEach(n, stopEarly: false) { i in
                    do { headers[i] = try ImageDecoder.header(of: listing.path(of: entries[i])) } catch {
                        problems[i] = String(describing: error)
                    }
                    return true
                }
            }
        }
        try checkBad(problems, options: options)
        let good = headers.compactMap { $0 }
        guard !good.isEmpty else { throw FileError(listing.root, "no image could be read") }
        let channels = options.channels ?? (good.contains { $0.hasColour } ? 3 : 1)
        let side: Int
        if let size = options.imageSize { side = size } else {
            let first = good[0]
            let shared = good.allSatisfy { $0.width == first.width && $0.height == first.height }
            side = shared && min(first.width, first.height) <= maximumSide ? min(first.width, first.height) : defaultSide
        }
        let imageBytes = channels * side * side
        guard good.count <= maximumOutputBytes / imageBytes else {
            throw FileError(listing.root, "\(good.count) images of \(channels)x\(side)x\(side) bytes exceed \(maximumOutputBytes >> 30) GiB; choose a smaller image size")
        }
        let total = headers.count { $0 != nil }
        var pixels = [UInt8](repeating: 0, count: n * imageBytes)
        let counter = ProgressCounter(total: total, report: progress)
        let background = options.background, skip = options.skipBadImages
        pixels.withUnsafeMutableBufferPointer { out in
            problems.withUnsafeMutableBufferPointer { problems in
                let headers = headers
                parallelForEach(n, stopEarly: !skip) { i in
                    guard problems[i] == nil, let header = headers[i] else { return true }
                    do {
                        let image = try ImageDecoder.decode(listing.path(of: entries[i]), header: header, channels: channels,
                                                            background: background, minimumSide: 2 * side)
                        ImageResize.centreSquare(image, side: side, into: UnsafeMutableBufferPointer(rebasing: out[i * imageBytes..<(i + 1) * imageBytes]))
                        counter.advance()
                        return true
                    } catch {
                        problems[i] = String(describing: error)
                        return skip
                    }
                }
            }
        }
        try checkBad(problems, options: options)
        // Close the gaps the bad images left.
        var labels: [Int32] = [], kept = 0
        var present = Set<Int>()
        pixels.withUnsafeMutableBufferPointer { out in
            for i in 0..<n where problems[i] == nil {
                if kept != i {
                    for b in 0..<imageBytes { out[kept * imageBytes + b] = out[i * imageBytes + b] }
                }
                labels.append(Int32(entries[i].classIndex))
                present.insert(entries[i].classIndex)
                kept += 1
            }
        }
        pixels.removeLast((n - kept) * imageBytes)
        if let empty = listing.classNames.indices.first(where: { !present.contains($0) }) {
            throw FileError(listing.root + "/" + listing.classNames[empty], "class folder holds no readable image")
        }
        let skipped = zip(entries, problems).compactMap { $0.1 }
        let images = LabeledImages(pixels: pixels, labels: labels, imageSize: imageBytes, classCount: listing.classNames.count,
                                   channels: channels, side: side, classNames: listing.classNames)
        return ImageFolderImport(images: images, skipped: skipped, ignored: listing.ignored, decodedCount: counter.done)
    }

    private static func checkBad(_ problems: [String?], options: ImageFolderOptions) throws {
        guard !options.skipBadImages, let first = problems.firstIndex(where: { $0 != nil }) else { return }
        let count = problems.count { $0 != nil }
        let more = count > 1 ? " (and \(count - 1) more bad file\(count > 2 ? "s" : ""))" : ""
        throw ImportError(description: problems[first]! + more + "; --skip-bad-images leaves bad files out")
    }

    /// A bad image that stopped an import, as one line.
    public struct ImportError: Error, CustomStringConvertible { public let description: String }

    /// Runs `body(i)` for i in 0..<count on all cores, handing out small chunks; a `false` from `body`
    /// stops the others taking new work when `stopEarly`.
    static func parallelForEach(_ count: Int, stopEarly: Bool, _ body: (Int) -> Bool) {
        let queue = WorkQueue(count: count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        withoutActuallyEscaping(body) { body in
            // Each index runs once, on one thread; `body` writes only to its own slots.
            let shared = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let range = queue.take() {
                    for i in range where !shared.value(i) && stopEarly {
                        queue.stop()
                        return
                    }
                }
            }
        }
    }

    private struct UncheckedSendable<Value>: @unchecked Sendable { let value: Value }

    private final class WorkQueue: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0, stopped = false
        let count: Int
        init(count: Int) { self.count = count }
        func take() -> Range<Int>? {
            lock.lock(); defer { lock.unlock() }
            guard !stopped, next < count else { return nil }
            let range = next..<min(count, next + 8)
            next = range.upperBound
            return range
        }
        func stop() { lock.lock(); stopped = true; lock.unlock() }
    }

    private final class ProgressCounter: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var done = 0
        private var reported = 0
        let total: Int
        let report: @Sendable (Int, Int) -> Void
        init(total: Int, report: @escaping @Sendable (Int, Int) -> Void) { self.total = total; self.report = report }
        func advance() {
            lock.lock(); defer { lock.unlock() }
            done += 1
            if done == total || done - reported >= max(1, total / 100) { reported = done; report(done, total) }
        }
    }
}

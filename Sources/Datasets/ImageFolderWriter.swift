import Files
import Foundation

/// Writes a labelled set as a folder of PNGs, one sub-folder per class, which `ImageFolder` (and
/// torchvision's ImageFolder) reads back as the same images, labels and class order.
///
/// Folder names keep the label order when sorted: the class name itself where the names are already
/// "0", "1", ... (MNIST), else the zero-padded label, "_", and the name with "/" replaced by "-"
/// ("0_T-shirt-top"). Files are numbered by their position in the set ("00042.png").
public enum ImageFolderWriter {
    /// The folder name of each class.
    public static func folderNames(_ classNames: [String]) -> [String] {
        let digits = String(max(classNames.count - 1, 0)).count
        if classNames.enumerated().allSatisfy({ $0.element == String($0.offset) }), classNames.count <= 10 { return classNames }
        return classNames.enumerated().map { index, name in
            let padded = String(repeating: "0", count: digits - String(index).count) + String(index)
            let safe = name.map { $0 == "/" || $0 == "\0" ? "-" : String($0) }.joined()
            return padded + "_" + safe
        }
    }

    /// Writes `images` as PNGs below `directory`, which must be absent or empty: everything is written into a
    /// temporary folder beside it that is renamed into place at the end, so a failed or interrupted export
    /// leaves no partial folder under the final name.
    public static func write(_ images: LabeledImages, to directory: String,
                             progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws {
        precondition(images.side > 0, "images must be square")
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FileError(directory, "exists and is not a folder; refusing to replace it") }
            guard ((try? fm.contentsOfDirectory(atPath: directory)) ?? ["?"]).isEmpty else {
                throw FileError(directory, "folder exists and is not empty; refusing to write into it")
            }
        }
        let temporary = try AtomicFile.temporaryPath(for: directory)
        try? fm.removeItem(atPath: temporary)
        let names = folderNames(images.classNames)
        do {
            for name in names { try fm.createDirectory(atPath: temporary + "/" + name, withIntermediateDirectories: true) }
        } catch {
            throw FileError(directory, "cannot create the folder (is its parent writable?)")
        }
        let digits = max(5, String(max(images.count - 1, 0)).count)
        let failure = FirstFailure()
        let done = Counter()
        ImageFolder.parallelForEach(images.count, stopEarly: true) { i in
            let planar = images.pixels[i * images.imageSize..<(i + 1) * images.imageSize]
            let number = String(i), file = String(repeating: "0", count: max(0, digits - number.count)) + number + ".png"
            let path = temporary + "/" + names[Int(images.labels[i])] + "/" + file
            do {
                let png = try ImageEncoder.png(ImageEncoder.interleaved(planar, channels: images.channels, side: images.side),
                                               width: images.side, height: images.side, channels: images.channels)
                guard fm.createFile(atPath: path, contents: Data(png)) else { throw FileError(path, "cannot write the file (disk full?)") }
            } catch {
                failure.record(error)
                return false
            }
            let n = done.increment()
            if n == images.count || n % max(1, images.count / 100) == 0 { progress(n, images.count) }
            return true
        }
        if let error = failure.error {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        try? fm.removeItem(atPath: directory)  // absent or empty, checked above
        guard rename(temporary, directory) == 0 else {
            try? fm.removeItem(atPath: temporary)
            throw FileError(directory, "cannot move the new folder into place")
        }
    }

    private final class FirstFailure: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var error: Error?
        func record(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}

import ArgumentParser
import Datasets
import Files
import Foundation

/// Progress of a long pass over images: one redrawn line on a terminal (stderr), else a line per 10% on
/// stdout, so that stderr holds only errors.
private func progressPrinter(_ verb: String) -> @Sendable (Int, Int) -> Void {
    let isTerminal = isatty(STDERR_FILENO) != 0
    return { done, total in
        if isTerminal {
            StandardStream.error("\r\u{1B}[2K\(verb) \(done)/\(total)")
            if done == total { StandardStream.error("\n") }
        } else if done == total || done * 10 / total != (done - max(1, total / 100)) * 10 / total {
            StandardStream.output("\(verb) \(done)/\(total)\n")
        }
    }
}

extension DataCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a folder of labelled PNG/JPEG images (one sub-folder per class) into one data file.",
            discussion: """
            DIR holds one folder per class (DIR/cat/*.png, DIR/dog/*.jpg); classes are the folder names in sorted \
            order. Each image is converted to the chosen channels, centre-cropped to a square and resized (area \
            filter when shrinking); transparent pixels are composited onto --background. The result is a \
            safetensors file (uint8 images [n, channels, side, side], int32 labels, and a manifest of the source \
            files): running the same import again reuses it while the folder is unchanged, and imports again \
            when a file was added, removed or modified. Images may declare at most 2^26 pixels.
            """)

        @Argument(help: "Folder with one sub-folder of images per class.")
        var directory: String

        @Option(help: "Side of the square output images in pixels (default: the images' own size when all share one, else 32).")
        var imageSize: Int?

        @Option(help: "1 (grey) or 3 (colour) (default: 3 when any image is colour, else 1).")
        var channels: Int?

        @Option(help: "Background for transparent pixels: black or white.")
        var background: String = "black"

        @Option(help: "The data file to write (safetensors).")
        var out: String

        @Flag(help: "Leave out files that are not readable PNG/JPEG images, and list them, instead of stopping at the first.")
        var skipBadImages = false

        func validate() throws {
            if let imageSize, !(1...ImageFolder.maximumSide).contains(imageSize) {
                throw CommandError("--image-size must be in 1...\(ImageFolder.maximumSide), not \(imageSize)")
            }
            if let channels, channels != 1, channels != 3 { throw CommandError("--channels must be 1 or 3, not \(channels)") }
            guard AlphaBackground(rawValue: background) != nil else { throw CommandError("--background must be black or white, not \(background)") }
        }

        func run() throws {
            let options = ImageFolderOptions(imageSize: imageSize, channels: channels,
                                             background: AlphaBackground(rawValue: background)!, skipBadImages: skipBadImages)
            let start = Date()
            let result = try ImageFolder.load(directory, options: options, cache: out,
                                              log: { StandardStream.error($0 + "\n") },
                                              progress: progressPrinter("decoded"))
            let set = result.images
            let how = result.fromCache
                ? "unchanged since the last import; nothing decoded"
                : String(format: "decoded %d files in %.1f s", result.decodedCount, Date().timeIntervalSince(start))
            print("\(out): \(set.count) images, \(set.classCount) classes, \(set.side)x\(set.side), \(set.channels) channel\(set.channels == 1 ? "" : "s") (\(how))")
            print("classes: " + set.classNames.enumerated().map { "\($0.element.printableExcerpt(40)) \(set.classHistogram[$0.offset])" }.joined(separator: ", "))
            if !result.skipped.isEmpty {
                print("skipped \(result.skipped.count) bad file\(result.skipped.count == 1 ? "" : "s"):")
                for line in result.skipped.prefix(5) { print("  " + line.printableExcerpt(500)) }
                if result.skipped.count > 5 { print("  ... and \(result.skipped.count - 5) more") }
            }
            if !result.ignored.isEmpty {
                print("ignored \(result.ignored.count) file\(result.ignored.count == 1 ? "" : "s") without a .png, .jpg or .jpeg name: "
                      + result.ignored.prefix(3).map { $0.printableExcerpt(200) }.joined(separator: ", ") + (result.ignored.count > 3 ? ", ..." : ""))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a registered data set as a folder of PNGs, one sub-folder per class.",
            discussion: """
            The folder is what `cgan data import` and torchvision's ImageFolder read. Class folders sort in label \
            order: the class name where names are the digits, else "<label>_<name>" (e.g. 0_T-shirt-top). The \
            folder is written beside --out under a temporary name and renamed when complete; --out must be absent \
            or empty.
            """)

        @OptionGroup var location: Location

        @Option(help: "Output format; only 'folder' (PNG files in class folders).")
        var format: String = "folder"

        @Option(help: "Which part: train (60,000 images) or test (10,000).")
        var split: String = "train"

        @Option(help: "The folder to create.")
        var out: String

        func validate() throws {
            guard format == "folder" else { throw CommandError("--format must be folder, not \(format)") }
            guard split == "train" || split == "test" else { throw CommandError("--split must be train or test, not \(split)") }
        }

        func run() throws {
            let data = try location.load()
            let set = split == "train" ? data.train : data.test
            let images = LabeledImages(pixels: set.pixels, labels: set.labels, imageSize: set.imageSize, classCount: set.classCount,
                                       classNames: data.spec.classNames)
            try ImageFolderWriter.write(images, to: out, progress: progressPrinter("written"))
            print("\(out): \(images.count) PNGs of \(data.spec.name) (\(split)) in \(images.classCount) class folders")
        }
    }

    struct Make: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a synthetic data set as a folder of PNGs.",
            discussion: """
            colored-mnist: every MNIST digit at 32x32 in one of eight colours on a background of another colour; \
            classes are the digits. The colours follow from --seed alone. Written as a folder of PNGs, one \
            sub-folder per digit, to import with `cgan data import`.
            """)

        @Argument(help: "What to make: colored-mnist.")
        var name: String

        @Option(help: "The folder to create (absent or empty).")
        var out: String

        @Option(help: "Seed of the colour choices.")
        var seed: UInt64 = 0

        @Option(help: "Which MNIST part to colour: train or test.")
        var split: String = "train"

        @Option(help: "Colour only the first N images (every digit must be among them).")
        var limit: Int?

        @Option(help: ArgumentHelp("Directory holding MNIST's four IDX files (.gz or raw).",
                                   discussion: "Default: $CGAN_DATA_DIR, else ./data/mnist/."))
        var dataDir: String?

        func validate() throws {
            guard name == "colored-mnist" else { throw CommandError("unknown data set '\(name)'; known: colored-mnist") }
            guard split == "train" || split == "test" else { throw CommandError("--split must be train or test, not \(split)") }
            if let limit, limit < 1 { throw CommandError("--limit must be at least 1") }
        }

        func run() throws {
            let locator = DataLocator(spec: DatasetRegistry.mnist, directory: dataDir)
            guard let directory = locator.directoryWithAllFiles() else {
                throw FileError(locator.candidates.joined(separator: ", "), "mnist not found; run `cgan data fetch --dataset mnist`")
            }
            let data = try MNISTFamilyDataset.load(locator.spec, from: directory)
            var digits = split == "train" ? data.train : data.test
            if let limit, limit < digits.count { digits = digits.subset(0..<limit) }
            // An empty class folder would be refused by every command that reads the folder back.
            let missing = digits.classHistogram.enumerated().filter { $0.element == 0 }.map { String($0.offset) }
            if !missing.isEmpty {
                throw CommandError("\(limit.map { "--limit \($0)" } ?? "MNIST's \(split) part") leaves no image of digit\(missing.count == 1 ? "" : "s") "
                                   + "\(missing.joined(separator: ", ")), and a folder needs every class; give a larger --limit")
            }
            let coloured = ColoredMNIST.make(from: digits, seed: seed)
            try ImageFolderWriter.write(coloured, to: out, progress: progressPrinter("written"))
            print("\(out): \(coloured.count) colour digits at 32x32 in 10 class folders (seed \(seed))")
        }
    }
}

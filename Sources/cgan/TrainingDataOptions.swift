import ArgumentParser
import CGAN
import Datasets
import Files
import Foundation

/// `cgan train`'s data options: which data set or image folder, where it is, and how much of it to train on.
struct TrainingDataOptions: TrainingOptionGroup {
    @OptionGroup var location: DataCommand.Location

    @Option(help: .setting(\.data.trainLimit, "Train on the first N training images only (quick trials)"))
    var trainLimit: Int?

    @Option(help: ArgumentHelp("Image folder: a sub-folder per class (default: none).", valueName: "dir"))
    var images: String?

    @Option(help: ArgumentHelp("--images: image side in pixels (default: 32).", valueName: "n"))
    var imageSize: Int?

    @Option(help: ArgumentHelp("--images: 1 or 3 (default: 3 if any is colour).", valueName: "n"))
    var channels: Int?

    @Option(help: ArgumentHelp("--images: validation share (default: 0.1).", valueName: "f"))
    var valFraction: Double?

    @Flag(help: "--images: skip unreadable files (default: off).")
    var skipBadImages = false

    /// The side a folder run's images take when --image-size is not given.
    static let defaultFolderSide = 32
    static let defaultValidationFraction = 0.1

    var settings: [TrainingSetting] {
        [TrainingSetting("--dataset", \.data.dataset, location.dataset?.lowercased()),
         TrainingSetting("--train-limit", optional: \.data.trainLimit, trainLimit),
         TrainingSetting("--images", \.data.dataset, images.map { _ in DataSettings.imageFolderName }),
         TrainingSetting("--images", optional: \.data.imageFolder, images),
         TrainingSetting("--image-size", \.data.imageSize, imageSize),
         TrainingSetting("--channels", \.data.channels, channels),
         TrainingSetting("--val-fraction", optional: \.data.validationFraction, valFraction),
         TrainingSetting("--skip-bad-images", \.data.skipBadImages, skipBadImages ? true : nil)]
    }

    /// The defaults of a new run on an image folder, before the options given apply.
    func applyFolderDefaults(to config: inout TrainingConfig) {
        guard images != nil else { return }
        config.data.imageSize = Self.defaultFolderSide
        config.data.validationFraction = Self.defaultValidationFraction
    }

    /// Checks the options of a new run (a resumed run's are checked against its stored settings instead).
    func validateNewRun() throws {
        if images != nil && location.dataset != nil { throw CommandError("give --images or --dataset, not both") }
        if images != nil && location.dataDir != nil { throw CommandError("--data-dir names an MNIST-family data set; --images names the image folder itself") }
        if images == nil {
            for (flag, given) in [("--image-size", imageSize != nil && imageSize != 28), ("--channels", channels != nil && channels != 1),
                                  ("--val-fraction", valFraction != nil), ("--skip-bad-images", skipBadImages)] where given {
                throw CommandError("\(flag) applies to --images runs (the MNIST-family data sets are 28x28 grey, their validation set the last 10,000 training images)")
            }
        }
    }

    /// Loads the image folder a run trains on, through its cache: `folder` with the shape and options of `data`
    /// (channels nil: as the images are). Bad input is one line (`CommandError`).
    static func loadFolder(_ folder: String, data: DataSettings, channels: Int?, log: @escaping (String) -> Void) throws -> TrainingData {
        let options = ImageFolderOptions(imageSize: data.imageSize, channels: channels, skipBadImages: data.skipBadImages)
        let cache = FileManager.default.isWritableFile(atPath: folder)
            ? folder + "/.cgan-images-\(data.imageSize)-\(channels.map(String.init) ?? "auto").safetensors" : nil
        let start = Date()
        let result = try ImageFolder.load(folder, options: options, cache: cache, log: log)
        let set = result.images
        log(result.fromCache ? "\(folder): \(set.count) images, unchanged since \(cache!) was written"
            : String(format: "%@: decoded %d images in %.1f s", folder, result.decodedCount, Date().timeIntervalSince(start)))
        if !result.skipped.isEmpty {
            log("skipped \(result.skipped.count) bad file\(result.skipped.count == 1 ? "" : "s"): " + result.skipped.prefix(3).map { $0.printableExcerpt(500) }.joined(separator: "; ")
                + (result.skipped.count > 3 ? "; ..." : ""))
        }
        if let channels, set.channels != channels { throw CommandError("\(folder): the images load with \(set.channels) channels, not \(channels)") }
        return TrainingData(folder: folder, images: set, validationFraction: data.validationFraction ?? defaultValidationFraction)
    }
}

import Datasets

/// The images a run trains on, split into training and validation images: a data set of the MNIST family,
/// or a folder of labelled images (`cgan train --images`).
public struct TrainingData: Sendable {
    /// The data set's name (`DataSettings.imageFolderName` for a folder), as the config stores it.
    public let name: String
    public let classNames: [String]
    public let train: LabeledImages
    public let validation: LabeledImages
    /// The folder the images came from; nil for a data set of the MNIST family.
    public let folder: String?
    /// The MNIST-family files read, each with its path and how it was verified (config.json records them).
    let files: [[String: String]]

    public var classCount: Int { classNames.count }
    /// True when the classes have names of their own, not just their numbers.
    public var hasClassNames: Bool { !classNames.areClassNumbers }
    public var side: Int { train.side }
    public var channels: Int { train.channels }

    /// The training images of `dataset` without its validation set (the paper's split: the last 10,000).
    public init(_ dataset: MNISTFamilyDataset) {
        name = dataset.spec.name
        classNames = dataset.spec.classNames
        train = dataset.trainWithoutValidation
        validation = dataset.validation
        folder = nil
        files = dataset.provenance.map { p in
            let f = dataset.spec.file(p.role)
            return ["file": f.name, "path": p.path, "verified_by": p.method.rawValue,
                    "sha256": (p.method == .gzipDigest ? f.gzipSHA256 : f.rawSHA256) ?? ""]
        }
    }

    /// The images of a folder (`ImageFolder.load`), `validationFraction` of each class held out for validation
    /// (a stratified split, the same for every run on the same images). The training images take turns by
    /// class, so that the first N (`--train-limit`) hold every class alike.
    public init(folder: String, images: LabeledImages, validationFraction: Double) {
        name = DataSettings.imageFolderName
        classNames = images.classNames
        let split = images.stratifiedSplit(valFraction: validationFraction, seed: 0)
        train = Self.interleavedByClass(split.train)
        validation = split.validation
        self.folder = folder
        files = []
    }

    /// `images` reordered one of each class in turn (class 0, 1, ..., 0, 1, ...), each class in its own order.
    static func interleavedByClass(_ images: LabeledImages) -> LabeledImages {
        var byClass = [[Int]](repeating: [], count: images.classCount)
        for (i, label) in images.labels.enumerated() { byClass[Int(label)].append(i) }
        var order: [Int] = []
        order.reserveCapacity(images.count)
        for round in 0..<(byClass.map(\.count).max() ?? 0) {
            for members in byClass where round < members.count { order.append(members[round]) }
        }
        var pixels = [UInt8]()
        pixels.reserveCapacity(images.pixels.count)
        for i in order { pixels += images.pixels[i * images.imageSize..<(i + 1) * images.imageSize] }
        return LabeledImages(pixels: pixels, labels: order.map { images.labels[$0] }, imageSize: images.imageSize,
                             classCount: images.classCount, channels: images.channels, side: images.side == 0 ? nil : images.side,
                             classNames: images.classNames)
    }

    /// The classes with fewer than 2 held-out images, by name: `cgan evaluate` cannot score a folder run
    /// with any (its FID needs two images of a class).
    public var classesShortOfHeldOutImages: [String] {
        validation.classHistogram.enumerated().filter { $0.element < 2 }.map { classNames[$0.offset] }
    }

    /// Training images in the validation set's class proportions, as many of each class as it holds (fewer
    /// where a class has fewer): the real side of a folder's FID floor, so that the floor compares like with like.
    public var trainingImagesMatchingValidation: LabeledImages {
        var wanted = validation.classHistogram
        var pixels: [UInt8] = [], labels: [Int32] = []
        for (i, label) in train.labels.enumerated() where wanted[Int(label)] > 0 {
            wanted[Int(label)] -= 1
            pixels += train.pixels[i * train.imageSize..<(i + 1) * train.imageSize]
            labels.append(label)
        }
        return LabeledImages(pixels: pixels, labels: labels, imageSize: train.imageSize, classCount: train.classCount,
                             channels: train.channels, side: train.side == 0 ? nil : train.side, classNames: train.classNames)
    }

    /// Why these images are not the ones a run on `settings` held out (its folder changed since the run
    /// started); nil when they are, or the run predates the record.
    public func heldOutProblem(_ settings: DataSettings) -> String? {
        guard let folder, let recorded = settings.heldOutDigest, recorded != sha256Hex(validation) else { return nil }
        return "\(folder) changed since the run started (images added, removed or modified): its held-out images "
            + "are no longer the ones the run held out; restore the folder, or train a new run on it"
    }

    /// What config.json says about the data.
    var record: [String: Any] {
        guard let folder else { return ["name": name, "files": files] }
        return ["name": name, "folder": folder, "classes": classNames, "training_images": train.count,
                "validation_images": validation.count, "image": "\(channels)x\(side)x\(side)"]
    }
}

import Datasets
import Files
import Foundation
import NN

/// The evaluation classifier of a data set, trained once and cached on disk.
public enum ClassifierCache {
    /// `$CGAN_CACHE_DIR`, else `$XDG_CACHE_HOME/swift-cgan`, else `$HOME/.cache/swift-cgan` (the account's
    /// home directory when HOME is unset).
    public static var directory: String { directory(environment: ProcessInfo.processInfo.environment) }

    /// The cache directory `environment` names (see `directory`).
    public static func directory(environment: [String: String]) -> String {
        if let d = environment["CGAN_CACHE_DIR"], !d.isEmpty { return d }
        if let d = environment["XDG_CACHE_HOME"], !d.isEmpty { return d + "/swift-cgan" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/swift-cgan" }
        return NSHomeDirectory() + "/.cache/swift-cgan"
    }

    /// Throws a one-line error unless a file can be written in `directory` (creating it if needed): checked
    /// before a classifier is trained, not after.
    public static func checkWritable(_ directory: String) throws {
        let hint = "; set CGAN_CACHE_DIR to a writable directory"
        do {
            try DirectoryCreation.create(directory)
            let probe = directory + "/.write-test-\(getpid())"
            let sink = try FileSink(creating: probe)
            sink.closeQuietly()
            unlink(probe)
        } catch let error as FileError {
            throw FileError(error.file, "the classifier cache cannot be written: " + error.problem + hint)
        }
    }

    /// The cached classifier for `data` and its test accuracy, training and caching one if needed.
    /// The cache is keyed by the data set's name and the digest of its training images.
    /// `epochs` below the default makes a weaker classifier quickly (tests); it is cached under its own key.
    public static func classifier(for data: MNISTFamilyDataset, cacheDirectory: String = directory,
                                  epochs: Int = ImageClassifier.defaultEpochs,
                                  log: (String) -> Void = { _ in }) throws -> (classifier: ImageClassifier, testAccuracy: Double) {
        let path = cacheDirectory + "/classifier-\(data.spec.name).safetensors"
        let key = ["dataset": data.spec.name, "epochs": String(epochs),
                   "train_sha256": data.spec.file(.trainImages).rawSHA256 ?? data.spec.file(.trainImages).gzipSHA256 ?? ""]
        let testImages = data.test.matrix(scale: .unit), testLabels = data.test.labels.map(Int.init)
        if let cached = ImageClassifier.load(from: path, classCount: data.spec.classCount, expecting: key) {
            return (cached, cached.accuracy(testImages, labels: testLabels))
        }
        try checkWritable(cacheDirectory)
        log("training the evaluation classifier for \(data.spec.name) (once; cached in \(path))")
        return try train(on: data.train, testing: data.test, epochs: epochs, saveTo: path, key: key, log: log)
    }

    /// The cached classifier of a folder's training images (`train`, e.g. the training split of an imported
    /// folder) and its accuracy on `test` (the held-out split), training and caching one if needed. The cache
    /// is keyed by the digest of the training images and labels, so a changed folder gets a classifier of its own.
    public static func classifier(training train: LabeledImages, testing test: LabeledImages, cacheDirectory: String = directory,
                                  epochs: Int = ImageClassifier.defaultEpochs,
                                  log: (String) -> Void = { _ in }) throws -> (classifier: ImageClassifier, testAccuracy: Double) {
        let digest = sha256Hex(train)
        let shape = ImageShape(channels: train.channels, height: train.side, width: train.side)
        let path = cacheDirectory + "/classifier-images-\(digest.prefix(16)).safetensors"
        let key = ["dataset": "images", "epochs": String(epochs), "train_sha256": digest, "shape": "\(shape)",
                   "classes": String(train.classCount)]
        if let cached = ImageClassifier.load(from: path, classCount: train.classCount, shape: shape, expecting: key) {
            return (cached, cached.accuracy(test.matrix(scale: .unit), labels: test.labels.map(Int.init)))
        }
        try checkWritable(cacheDirectory)
        log("training the evaluation classifier for these images (once; cached in \(path))")
        // A small folder gets more epochs: at least `minimumSteps` Adam steps, as MNIST's 12 epochs give 7,200.
        let batches = max(1, train.count / ImageClassifier.batchSize)
        return try self.train(on: train, testing: test, epochs: max(epochs, (minimumSteps + batches - 1) / batches),
                              saveTo: path, key: key, log: log)
    }

    /// The fewest training steps of a folder's classifier.
    static let minimumSteps = 1000

    /// Trains a classifier on `train`, measures it on `test` and caches it at `path` under `key`.
    static func train(on train: LabeledImages, testing test: LabeledImages, epochs: Int, saveTo path: String,
                      key: [String: String], log: (String) -> Void) throws -> (classifier: ImageClassifier, testAccuracy: Double) {
        let classifier = ImageClassifier(classCount: train.classCount,
                                         shape: ImageShape(channels: train.channels, height: train.side, width: train.side))
        classifier.train(images: train.matrix(scale: .unit), labels: train.labels, epochs: epochs, log: log)
        let accuracy = classifier.accuracy(test.matrix(scale: .unit), labels: test.labels.map(Int.init))
        log(String(format: "classifier test accuracy: %.4f", accuracy))
        var metadata = key
        metadata["test_accuracy"] = String(accuracy)
        try classifier.save(to: path, metadata: metadata)
        return (classifier, accuracy)
    }
}

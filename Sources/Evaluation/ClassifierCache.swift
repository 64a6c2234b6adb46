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
                                  epochs: Int = DigitClassifier.defaultEpochs,
                                  log: (String) -> Void = { _ in }) throws -> (classifier: DigitClassifier, testAccuracy: Double) {
        let path = cacheDirectory + "/classifier-\(data.spec.name).safetensors"
        let key = ["dataset": data.spec.name, "epochs": String(epochs),
                   "train_sha256": data.spec.file(.trainImages).rawSHA256 ?? data.spec.file(.trainImages).gzipSHA256 ?? ""]
        let testImages = data.test.matrix(scale: .unit), testLabels = data.test.labels.map(Int.init)
        if let cached = DigitClassifier.load(from: path, classCount: data.spec.classCount, expecting: key) {
            return (cached, cached.accuracy(testImages, labels: testLabels))
        }
        try checkWritable(cacheDirectory)
        log("training the evaluation classifier for \(data.spec.name) (once; cached in \(path))")
        let classifier = DigitClassifier(classCount: data.spec.classCount)
        classifier.train(images: data.train.matrix(scale: .unit), labels: data.train.labels, epochs: epochs, log: log)
        let accuracy = classifier.accuracy(testImages, labels: testLabels)
        log(String(format: "classifier test accuracy: %.4f", accuracy))
        var metadata = key
        metadata["test_accuracy"] = String(accuracy)
        try classifier.save(to: path, metadata: metadata)
        return (classifier, accuracy)
    }
}

import Datasets
import Foundation
import NN

/// The evaluation classifier of a data set, trained once and cached on disk.
public enum ClassifierCache {
    /// `$CGAN_CACHE_DIR`, else `~/.cache/swift-cgan`.
    public static var directory: String {
        if let d = ProcessInfo.processInfo.environment["CGAN_CACHE_DIR"], !d.isEmpty { return d }
        return NSHomeDirectory() + "/.cache/swift-cgan"
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

import Datasets
import Evaluation
import Foundation
import NN

/// The numbers a conditional generator is judged by, for one way of sampling.
public struct EvaluationReport: Codable, Sendable {
    public struct PerClass: Codable, Sendable {
        public let label: Int
        public let labelAccuracy: Double
        /// Mean Parzen log-likelihood of this class's test images (under the window of all samples); nil where
        /// the Parzen window is not scored (`GeneratorEvaluator.scoresParzen`).
        public let testLogLikelihood: Double?
        /// FID between this class's samples and its test images (within-class: style, not class, differences).
        public let fid: Double
        /// The samples' total pixel variance over the test images' (`ClassDiversity`): near 0 means collapse.
        public let diversity: Double
    }
    public let dropoutAtSampling: Bool
    /// The noise's truncation (`ConditionalGenerator.truncation`); nil: none.
    public let truncation: Double?
    public let samplesPerClass: Int
    public let seed: UInt64
    /// σ tried on the validation set, and the test score at the best one; empty and nil for images the
    /// Parzen window is not scored on (anything but the grey 28 x 28 MNIST family).
    public let parzenValidation: [ParzenWindow.Score]
    public let parzenTest: ParzenWindow.Score?
    public let labelAccuracy: Double
    public let fid: Double
    /// FID between real training images (the validation set; for an image folder, as many training images as
    /// it holds out) and the test set (for a folder, its held-out images): the floor to read FID against.
    public let fidRealFloor: Double
    public let classifierTestAccuracy: Double
    public let perClass: [PerClass]
    /// Classes whose samples look collapsed (`ClassDiversity.collapsedClasses`).
    public let collapsedClasses: [Int]

    /// One plain line.
    public var summary: String {
        (parzenTest.map { String(format: "Parzen LL %.1f ± %.1f nats (σ %.3f), ", $0.mean, $0.standardError, $0.sigma) } ?? "")
            + String(format: "label accuracy %.3f, FID %.2f (real floor %.2f), dropout at sampling %@",
                     labelAccuracy, fid, fidRealFloor, dropoutAtSampling ? "on" : "off") + truncationNote
    }

    /// ", noise truncated at ±T" when the noise was truncated, else empty: for the summary and tables.
    public var truncationNote: String { truncation.map { String(format: ", noise truncated at ±%g", $0) } ?? "" }

    /// A warning line when the evaluation classifier itself is near chance on held-out real images (under
    /// twice chance, or halfway from chance to 1 for few classes; a small or hard image folder), so label
    /// accuracy and FID say little; nil otherwise.
    public var weakClassifierWarning: String? {
        let chance = 1 / Double(max(perClass.count, 1))
        return classifierTestAccuracy >= min(2 * chance, (1 + chance) / 2) ? nil
            : String(format: "warning: the evaluation classifier labels only %.1f%% of held-out real images correctly (chance: %.1f%%): "
                     + "label accuracy and FID say little about these samples", 100 * classifierTestAccuracy, 100 * chance)
    }

    /// A warning line when some class collapsed; nil otherwise.
    public var collapseWarning: String? {
        collapsedClasses.isEmpty ? nil : "warning: class(es) \(collapsedClasses.map(String.init).joined(separator: ", ")) look collapsed "
            + "(samples far less varied than the data, or a class FID far above the others)"
    }
}

/// Scores generators against one data set: Parzen window log-likelihood as in the paper's Table 1 (grey
/// 28 x 28 images of the MNIST family), label accuracy by the tool's own classifier, and FID in that
/// classifier's feature space.
public final class GeneratorEvaluator {
    /// Real images that choose σ and stand for the training images in the FID floor.
    let reference: LabeledImages
    /// Real images the samples are scored against.
    let testSet: LabeledImages
    /// Whether the Parzen window is scored: for the grey 28 x 28 MNIST family, where σ chosen on held-out
    /// training images means what the paper's Table 1 means; elsewhere reports carry label accuracy and FID.
    public let scoresParzen: Bool
    public var samplesPerClass = 1000
    /// Validation images used to choose σ: the last 10,000 training images, or the first `n` of them
    /// (Goodfellow et al.'s script used 1,000).
    public var validationCount = MNISTFamilyDataset.validationCount
    public var sigmas = ParzenWindow.sigmaGrid()
    public var seed: UInt64 = 1234
    let validation: Matrix, test: Matrix
    var classifierState: (ImageClassifier, Double, GaussianStatistics, GaussianStatistics, Matrix)?
    let classifierProvider: () throws -> (ImageClassifier, Double)
    /// Checked while validating: true stops it with `Interrupted` (training's Ctrl-C need not wait for it).
    public var isCancelled: () -> Bool = { false }

    /// Validation stopped by `isCancelled`.
    public struct Interrupted: Error {}

    /// An evaluator of `data`'s models: σ chosen on its validation split, scored on its test set.
    public convenience init(data: MNISTFamilyDataset, classifier: @escaping () throws -> (ImageClassifier, Double)) {
        self.init(reference: data.validation, test: data.test, scoresParzen: true, classifier: classifier)
    }

    /// An evaluator of the models of an image folder: samples against its held-out images, the FID floor from
    /// as many of its training images of each class; no Parzen window.
    public convenience init(folder data: TrainingData, classifier: @escaping () throws -> (ImageClassifier, Double)) {
        self.init(reference: data.trainingImagesMatchingValidation, test: data.validation, scoresParzen: false, classifier: classifier)
    }

    init(reference: LabeledImages, test: LabeledImages, scoresParzen: Bool, classifier: @escaping () throws -> (ImageClassifier, Double)) {
        self.reference = reference
        testSet = test
        self.scoresParzen = scoresParzen
        validation = reference.matrix(scale: .unit)
        self.test = test.matrix(scale: .unit)
        classifierProvider = classifier
    }

    var validationImages: Matrix { validation.rows(0..<min(validationCount, validation.rows)) }

    func samples(_ generator: ConditionalGenerator, dropout: Bool) throws -> (images: Matrix, labels: [Int]) {
        let labels = (0..<generator.classCount).flatMap { [Int](repeating: $0, count: samplesPerClass) }
        return (try generator.images(labels: labels, seed: seed, dropout: dropout), labels)
    }

    /// Mean validation log-likelihood at the best σ (the criterion for keeping the best checkpoint), and the
    /// classes whose samples are far less varied than the validation images of their class (collapse).
    /// For evaluators that score the Parzen window only.
    public func validate(_ generator: ConditionalGenerator, dropout: Bool) throws -> (score: ParzenWindow.Score, collapsedClasses: [Int]) {
        precondition(scoresParzen, "validate scores the Parzen window, which this evaluator does not")
        if isCancelled() { throw Interrupted() }
        let (images, labels) = try samples(generator, dropout: dropout)
        var window = ParzenWindow(samples: images)
        window.isCancelled = isCancelled
        let scores = window.scores(validationImages, sigmas: sigmas)
        if isCancelled() { throw Interrupted() }
        let score = scores.max { $0.mean < $1.mean }!
        let realLabels = reference.labels.prefix(validationImages.rows)
        let diversity = (0..<generator.classCount).map { k in
            ClassDiversity.ratio(generated: images, rows: labels.indices.filter { labels[$0] == k },
                                 real: validationImages, realRows: realLabels.indices.filter { Int(realLabels[$0]) == k })
        }
        return (score, ClassDiversity.collapsedClasses(diversity: diversity, classFID: nil, floor: 0))
    }

    /// Gets the classifier (trained, or read from its cache) and the real images' features, once: `evaluate`
    /// does it on first use; training calls it up front, so neither its time nor its errors land in an epoch.
    public func prepareClassifier() throws {
        guard classifierState == nil else { return }
        let (c, accuracy) = try classifierProvider()
        let testFeatures = c.features(test)
        classifierState = (c, accuracy, GaussianStatistics(features: testFeatures),
                           GaussianStatistics(features: c.features(validation)), testFeatures)
    }

    /// The full report for one way of sampling; `parzen: false` leaves the Parzen window out (its σ search is
    /// most of the time where only label accuracy and FID are wanted, as during training).
    public func evaluate(_ generator: ConditionalGenerator, dropout: Bool, parzen scoresWindow: Bool = true) throws -> EvaluationReport {
        // Samples first: unusable weights fail here, before a classifier is trained for them.
        let (images, labels) = try samples(generator, dropout: dropout)
        try prepareClassifier()
        let (classifier, accuracy, testStats, realStats, testFeatures) = classifierState!
        let parzen = scoresParzen && scoresWindow ? ParzenWindow(samples: images).evaluate(validation: validationImages, test: test, sigmas: sigmas) : nil
        let (features, predictions) = classifier.featuresAndPredictions(images)
        func statistics(_ m: Matrix, _ rows: [Int]) -> GaussianStatistics {
            let picked = Matrix(rows: rows.count, cols: m.cols)
            for (i, r) in rows.enumerated() { picked.rows(i..<(i + 1)).copy(from: m.rows(r..<(r + 1))) }
            return GaussianStatistics(features: picked)
        }
        let perClass = (0..<generator.classCount).map { k -> EvaluationReport.PerClass in
            let mine = labels.indices.filter { labels[$0] == k }
            let correct = mine.filter { predictions[$0] == k }.count
            let tests = testSet.labels.indices.filter { Int(testSet.labels[$0]) == k }
            let enough = mine.count > 1 && tests.count > 1
            return .init(label: k, labelAccuracy: Double(correct) / Double(mine.count),
                         testLogLikelihood: parzen.map { p in tests.reduce(0) { $0 + p.testLogLikelihoods[$1] } / Double(max(tests.count, 1)) },
                         fid: enough ? frechetDistance(statistics(features, mine), statistics(testFeatures, tests)) : .nan,
                         diversity: ClassDiversity.ratio(generated: images, rows: mine, real: test, realRows: tests))
        }
        let floor = frechetDistance(realStats, testStats)
        return EvaluationReport(
            dropoutAtSampling: dropout, truncation: generator.truncation, samplesPerClass: samplesPerClass, seed: seed,
            parzenValidation: parzen?.validation ?? [], parzenTest: parzen?.test,
            labelAccuracy: Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count),
            fid: frechetDistance(GaussianStatistics(features: features), testStats),
            fidRealFloor: floor,
            classifierTestAccuracy: accuracy, perClass: perClass,
            collapsedClasses: ClassDiversity.collapsedClasses(diversity: perClass.map(\.diversity),
                                                              classFID: perClass.allSatisfy { $0.fid.isFinite } ? perClass.map(\.fid) : nil,
                                                              floor: floor))
    }
}

import Files
import ArgumentParser
import CGAN
import Datasets
import Evaluation
import Foundation
import NN

/// Options shared by `evaluate` and `train --eval-every`.
struct EvaluationOptions: ParsableArguments {
    @Option(help: "Samples per class for the Parzen window, label accuracy and FID (2...10000).")
    var samplesPerClass = 1000

    @Option(help: "Validation images used to choose σ: 10000 (the last 10,000 training images) or fewer, e.g. 1000 as in Goodfellow et al.'s script.")
    var validationCount = 10_000

    @Option(help: "Number of σ values, log-spaced over [0.1, 1].")
    var sigmaCount = 10

    func validate() throws {
        // Bounded: the samples are held in memory, and every σ costs a pass over the distances.
        if !(2...10_000).contains(samplesPerClass) { throw CommandError("--samples-per-class must be in 2...10000") }
        if !(1...10_000).contains(validationCount) { throw CommandError("--validation-count must be in 1...10000") }
        if !(1...1000).contains(sigmaCount) { throw CommandError("--sigma-count must be in 1...1000") }
    }

    func makeEvaluator(_ data: MNISTFamilyDataset, log: @escaping (String) -> Void) -> GeneratorEvaluator {
        let e = GeneratorEvaluator(data: data) {
            let (c, accuracy) = try ClassifierCache.classifier(for: data, log: log)
            return (c, accuracy)
        }
        return configured(e)
    }

    /// The evaluator of a run on an image folder: a classifier trained on the folder's training split, the
    /// samples scored against its held-out split.
    func makeEvaluator(folder data: TrainingData, log: @escaping (String) -> Void) -> GeneratorEvaluator {
        configured(GeneratorEvaluator(folder: data) {
            let (c, accuracy) = try ClassifierCache.classifier(training: data.train, testing: data.validation, log: log)
            return (c, accuracy)
        })
    }

    func configured(_ e: GeneratorEvaluator) -> GeneratorEvaluator {
        e.samplesPerClass = samplesPerClass
        e.validationCount = validationCount
        e.sigmas = ParzenWindow.sigmaGrid(count: sigmaCount)
        return e
    }
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a checkpoint: Parzen log-likelihood (the paper's Table 1), label accuracy and FID.",
        discussion: """
        Draws --samples-per-class images of every class, fits a Gaussian Parzen window to them, picks σ on the \
        validation images and reports the mean log-likelihood of the 10,000 test images in nats ± its standard \
        error. Label accuracy and FID use the tool's own classifier, trained once and cached in \
        $CGAN_CACHE_DIR or ~/.cache/swift-cgan. Writes evaluation.json beside the run (or --out).

        A run on an image folder (train --images) is scored against the images it held out (--val-fraction), \
        by a classifier trained on its training images: label accuracy and FID only, since the Parzen window \
        means what Table 1 means for grey 28x28 digits alone.
        """)

    @Option(help: "A checkpoint written by cgan train.")
    var checkpoint: String

    @OptionGroup var location: DataCommand.Location
    @OptionGroup var options: EvaluationOptions

    @OptionGroup var sampling: SamplingDropoutOption
    @OptionGroup var truncation: TruncationOption

    @Flag(inversion: .prefixedNo, help: "Score the Parzen window (MNIST family only; most of the time evaluate takes). --no-parzen: label accuracy and FID only, as train's quality.csv.")
    var parzen = true

    @Option(help: "Random seed of the samples.")
    var seed: UInt64 = 1234

    @Option(help: "Where to write the JSON report (default: <run>/evaluation.json).")
    var out: String?

    func run() throws {
        ActiveTemporaries.removeOnTermination()
        try CheckpointPath.require(checkpoint)
        let path = reportPath
        try AtomicFile.checkWritable(path)
        try FileIdentity.checkNotInput(path, inputs: [checkpoint])
        let stored = try Checkpoint(path: checkpoint)
        let generator = try ConditionalGenerator(checkpoint: stored)
        try truncation.apply(to: generator)
        if let reason = Self.unsupportedReason(generator.config.data) { throw CommandError(reason) }
        let evaluator: GeneratorEvaluator
        if let folder = generator.config.data.imageFolder {
            try FileIdentity.checkOutside(path, folder: folder)
            evaluator = options.makeEvaluator(folder: try Self.heldOutImages(folder, of: generator)) { ProgressBar.printLine($0) }
        } else {
            var location = location
            location.dataset = location.dataset ?? generator.config.data.dataset
            guard generator.config.data.dataset == location.name() else {
                throw CommandError("this checkpoint was trained on \(generator.config.data.dataset), not \(location.name())")
            }
            evaluator = options.makeEvaluator(try location.load()) { ProgressBar.printLine($0) }
        }
        evaluator.seed = seed
        var reports: [EvaluationReport] = []
        for dropout in sampling.modes(runSetting: generator.config.model.dropoutAtSampling) {
            let r = try evaluator.evaluate(generator, dropout: dropout, parzen: parzen)
            reports.append(r)
            printTable(r, folder: generator.config.data.imageFolder != nil)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // The classifier's version and the CPU, so that tables gathered from many runs say what scored them and where.
        struct Document: Encodable {
            let checkpoint: String, arch: String, position: Checkpoint.Position, reports: [EvaluationReport], classifier: String, cpu: String
        }
        try AtomicFile.write(try encoder.encode(Document(checkpoint: checkpoint, arch: generator.config.architecture.rawValue,
                                                         position: stored.position, reports: reports,
                                                         classifier: ImageClassifier.version, cpu: BLASRuntime.cpuModel)), to: path)
        print("wrote \(path)")
    }

    /// The image folder a run trained on, loaded and split as training split it, checked against the model.
    static func heldOutImages(_ folder: String, of generator: ConditionalGenerator) throws -> TrainingData {
        let data = try TrainingDataOptions.loadFolder(folder, data: generator.config.data, channels: generator.config.data.channels) {
            ProgressBar.printLine($0)
        }
        if let problem = data.heldOutProblem(generator.config.data) { throw CommandError(problem) }
        if let names = generator.config.data.classNames, names != data.classNames {
            throw CommandError("\(folder) now holds the classes \(data.classNames.joined(separator: ", ")), not the run's \(names.joined(separator: ", "))")
        }
        let short = data.classesShortOfHeldOutImages
        guard short.isEmpty else {
            throw CommandError("\(folder): the run held out \(data.validation.count) images, fewer than 2 of class "
                               + "\(short.prefix(5).joined(separator: ", "))\(short.count > 5 ? ", ..." : ""); evaluating needs at least 2 per class "
                               + "(more images, or train with a larger --val-fraction)")
        }
        return data
    }

    /// Why a run's images cannot be scored here; nil when they can. The Parzen window is fitted and σ chosen
    /// for grey 28 x 28 images, and the classifier is trained on the data set's own images (the MNIST family);
    /// a folder's runs are scored by a classifier of the folder's own images.
    static func unsupportedReason(_ data: DataSettings) -> String? {
        let shape = "\(data.channels)x\(data.imageSize)x\(data.imageSize)"
        if data.imageFolder != nil { return nil }
        guard data.imageSize == 28 && data.channels == 1 else {
            return "evaluate scores grey 28x28 images only (Parzen log-likelihood, the data set's classifier); this run makes \(shape) images"
        }
        return nil
    }

    /// --out, else evaluation.json in the run directory of the checkpoint.
    var reportPath: String {
        let url = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
        return out ?? (url.lastPathComponent == "checkpoints" ? url.deletingLastPathComponent() : url)
            .appendingPathComponent("evaluation.json").path
    }

    func printTable(_ r: EvaluationReport, folder: Bool) {
        print("")
        print("dropout at sampling: \(r.dropoutAtSampling ? "on" : "off")   (\(r.samplesPerClass) samples per class, seed \(r.seed)"
              + r.truncationNote + ")")
        if let parzen = r.parzenTest {
            print("  σ on validation:   " + r.parzenValidation.map { String(format: "%.3f→%.1f", $0.sigma, $0.mean) }.joined(separator: "  "))
            print(String(format: "  Parzen LL (test):  %.1f ± %.1f nats at σ = %.3f   (paper, Table 1: CGAN 132 ± 1.8)",
                         parzen.mean, parzen.standardError, parzen.sigma))
        } else {
            print("  Parzen LL:         not scored (" + (folder ? "it is defined here for grey 28x28 digits only)" : "--no-parzen)"))
        }
        print(String(format: "  label accuracy:    %.3f   (classifier's own test accuracy %.4f)", r.labelAccuracy, r.classifierTestAccuracy))
        print(String(format: "  FID:               %.2f   (real training vs %@ images: %.2f)", r.fid,
                     folder ? "held-out" : "test", r.fidRealFloor))
        print("  class  label acc  test LL  class FID  diversity")
        for c in r.perClass {
            let ll = c.testLogLikelihood.map { String(format: "%7.1f", $0) } ?? "      -"
            print(String(format: "  %5d  %9.3f  %@  %9.2f  %9.2f", c.label, c.labelAccuracy, ll, c.fid, c.diversity))
        }
        print("summary: " + r.summary)
        if let warning = r.collapseWarning { print(warning) }
        if let warning = r.weakClassifierWarning { print(warning) }
    }
}

struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "The evaluation classifier (label accuracy, FID features).",
        subcommands: [Train.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train (or load from the cache) the classifier of a data set and print its test accuracy.")

        @OptionGroup var location: DataCommand.Location

        func run() throws {
            let data = try location.load()
            let (_, accuracy) = try ClassifierCache.classifier(for: data) { ProgressBar.printLine($0) }
            print(String(format: "%@ classifier: test accuracy %.4f (cached in %@)", data.spec.name, accuracy, ClassifierCache.directory))
        }
    }
}

import Files
import ArgumentParser
import CGAN
import Datasets
import Evaluation
import Foundation

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
        Draws --samples-per-class images of every class, fits a Gaussian Parzen window to them, picks σ on the
        validation images and reports the mean log-likelihood of the 10,000 test images in nats ± its standard
        error. Label accuracy and FID use the tool's own classifier, trained once and cached in
        $CGAN_CACHE_DIR or ~/.cache/swift-cgan. Writes evaluation.json beside the run (or --out).
        """)

    @Option(help: "A checkpoint written by cgan train.")
    var checkpoint: String

    @OptionGroup var location: DataCommand.Location
    @OptionGroup var options: EvaluationOptions

    @OptionGroup var sampling: SamplingDropoutOption
    @OptionGroup var truncation: TruncationOption

    @Option(help: "Random seed of the samples.")
    var seed: UInt64 = 1234

    @Option(help: "Where to write the JSON report (default: <run>/evaluation.json).")
    var out: String?

    func run() throws {
        ActiveTemporaries.removeOnTermination()
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw CommandError("checkpoint not found: \(checkpoint)") }
        let path = reportPath
        try AtomicFile.checkWritable(path)
        try FileIdentity.checkNotInput(path, inputs: [checkpoint])
        let generator = try ConditionalGenerator(checkpoint: checkpoint)
        try truncation.apply(to: generator)
        if let reason = Self.unsupportedReason(generator.config.data) { throw CommandError(reason) }
        var location = location
        location.dataset = location.dataset ?? generator.config.data.dataset
        guard generator.config.data.dataset == location.name() else {
            throw CommandError("this checkpoint was trained on \(generator.config.data.dataset), not \(location.name())")
        }
        let data = try location.load()
        let evaluator = options.makeEvaluator(data) { ProgressBar.printLine($0) }
        evaluator.seed = seed
        var reports: [EvaluationReport] = []
        for dropout in sampling.modes(runSetting: generator.config.model.dropoutAtSampling) {
            let r = try evaluator.evaluate(generator, dropout: dropout)
            reports.append(r)
            printTable(r)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Document: Encodable { let checkpoint: String; let arch: String; let reports: [EvaluationReport] }
        try AtomicFile.write(try encoder.encode(Document(checkpoint: checkpoint, arch: generator.config.architecture.rawValue,
                                                         reports: reports)), to: path)
        print("wrote \(path)")
    }

    /// Why a run's images cannot be scored here; nil when they can. The Parzen window is fitted and σ chosen
    /// for grey 28 x 28 images, and the classifier is trained on the data set's own images (the MNIST family).
    static func unsupportedReason(_ data: DataSettings) -> String? {
        let shape = "\(data.channels)x\(data.imageSize)x\(data.imageSize)"
        if let folder = data.imageFolder {
            return "evaluate scores models of the MNIST-family data sets only (Parzen log-likelihood on grey 28x28 images, "
                + "label accuracy and FID by a classifier of that data set); this run trained on the image folder \(folder) (\(shape))"
        }
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

    func printTable(_ r: EvaluationReport) {
        print("")
        print("dropout at sampling: \(r.dropoutAtSampling ? "on" : "off")   (\(r.samplesPerClass) samples per class, seed \(r.seed)"
              + r.truncationNote + ")")
        print("  σ on validation:   " + r.parzenValidation.map { String(format: "%.3f→%.1f", $0.sigma, $0.mean) }.joined(separator: "  "))
        print(String(format: "  Parzen LL (test):  %.1f ± %.1f nats at σ = %.3f   (paper, Table 1: CGAN 132 ± 1.8)",
                     r.parzenTest.mean, r.parzenTest.standardError, r.parzenTest.sigma))
        print(String(format: "  label accuracy:    %.3f   (classifier's own test accuracy %.4f)", r.labelAccuracy, r.classifierTestAccuracy))
        print(String(format: "  FID:               %.2f   (real training vs test images: %.2f)", r.fid, r.fidRealFloor))
        print("  class  label acc  test LL  class FID  diversity")
        for c in r.perClass {
            print(String(format: "  %5d  %9.3f  %7.1f  %9.2f  %9.2f", c.label, c.labelAccuracy, c.testLogLikelihood, c.fid, c.diversity))
        }
        print("summary: " + r.summary)
        if let warning = r.collapseWarning { print(warning) }
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

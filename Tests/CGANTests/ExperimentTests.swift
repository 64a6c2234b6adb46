import Foundation
import TestSupport
import XCTest
import CGAN
import Experiments
import Media
import NN

/// The options the experiments of docs/experiments.md need, and the runner's report arithmetic.
final class ExperimentTests: XCTestCase {
    func testWidthMultiplierScalesEveryHiddenLayer() {
        var c = TrainingConfig(architecture: .paper)
        c.model.widthMultiplier = 0.5
        let m = GANModels(config: c, classCount: 10)
        XCTAssertEqual(m.generator.modules(ofType: Linear.self).map { [$0.inputSize, $0.outputSize] },
                       [[100, 100], [10, 500], [600, 600], [600, 784]])
        XCTAssertEqual(m.discriminator.modules(ofType: Linear.self).map { [$0.inputSize, $0.outputSize] },
                       [[784, 120 * 5], [10, 25 * 5], [145, 120 * 4], [120, 1]])
        c = TrainingConfig(architecture: .mlp)
        c.model.widthMultiplier = 2
        XCTAssertEqual(GANModels(config: c, classCount: 10).generator.modules(ofType: Linear.self).map(\.outputSize), [512, 1024, 2048, 784])
    }

    func testDiscriminatorKindPairsWithAnyMLPGenerator() {
        var c = TrainingConfig(architecture: .paper)
        c.model.discriminator = .leaky
        let m = GANModels(config: c, classCount: 10)
        XCTAssertEqual(m.discriminator.modules(ofType: Linear.self).map { [$0.inputSize, $0.outputSize] },
                       [[794, 1024], [1024, 512], [512, 256], [256, 1]])
        XCTAssertTrue(m.discriminator.modules(ofType: Maxout.self).isEmpty)
        // The paper's G is unchanged, and still initialised uniformly in ±0.05.
        XCTAssertEqual(m.generator.modules(ofType: Linear.self).map(\.outputSize), [200, 1000, 1200, 784])
        XCTAssertLessThanOrEqual(m.generator.modules(ofType: Linear.self)[2].weight.value.array.map(abs).max()!, 0.05)
        // The leaky D gets PyTorch's default initialisation (bound 1/sqrt(fan-in)), not the paper's ±0.005.
        let firstD = m.discriminator.modules(ofType: Linear.self)[0].weight.value.array.map(abs).max()!
        XCTAssertGreaterThan(firstD, 0.01)
        XCTAssertLessThanOrEqual(firstD, 1 / Float(794).squareRoot())
        c = TrainingConfig(architecture: .mlp)
        c.model.discriminator = .maxout
        XCTAssertEqual(GANModels(config: c, classCount: 10).discriminator.modules(ofType: Maxout.self).count, 3)
        XCTAssertFalse(c.isReferenceModel)
        c.model.discriminator = .leaky
        XCTAssertTrue(c.isReferenceModel, "mlp's own D named explicitly is still the reference model")
    }

    /// A known pitfall, measured: with dropout after tanh, G's training-mode samples hold exact mid-grey
    /// pixels (dropped) and pixels beyond the data's range (kept ones doubled), which no real image has.
    func testOutputDropoutLeavesPixelsNoRealImageHas() {
        var c = TrainingConfig(architecture: .mlp)
        c.model.generatorOutputDropout = 0.5
        let m = GANModels(config: c, classCount: 10)
        XCTAssertTrue(m.generator.trunk.layers.last is Dropout)
        // Bright outputs (tanh(2) = 0.96), as a trained G draws strokes: doubled, they leave [-1, 1].
        m.generator.modules(ofType: Linear.self).last!.bias.value.fill(2)
        let g = ConditionalGenerator(net: m.generator, config: c, classCount: 10, imageSize: 784)
        let on = PixelStatistics(generator: g, dropout: true), off = PixelStatistics(generator: g, dropout: false)
        XCTAssertEqual(on.exactMidGrey, 0.5, accuracy: 0.01)
        XCTAssertEqual(on.outOfRange, 0.5, accuracy: 0.01)
        XCTAssertEqual(off.exactMidGrey, 0, accuracy: 0.001)
        XCTAssertEqual(off.outOfRange, 0)
    }

    func testOldConfigsReadWithTheNewSettingsAtTheirDefaults() throws {
        var object = try flatObject(TrainingConfig(architecture: .mlp))
        for key in ["generatorOutputDropout", "widthMultiplier", "discriminator"] { object[key] = nil }
        let config = try XCTUnwrap(TrainingConfig.decode(JSONSerialization.data(withJSONObject: object)))
        XCTAssertEqual(config, TrainingConfig(architecture: .mlp))
    }

    func testExperimentOptionsAreRangeChecked() {
        var c = TrainingConfig(architecture: .mlp)
        c.model.widthMultiplier = 0.01
        XCTAssertEqual(c.problem, "--width must be in 0.125...8")
        c = TrainingConfig(architecture: .mlp)
        c.model.generatorOutputDropout = 1
        XCTAssertEqual(c.problem, "--g-output-dropout must be in [0, 1)")
        c = TrainingConfig(architecture: .dcgan)
        c.model.discriminator = .leaky
        XCTAssertEqual(c.problem, "--discriminator applies to the MLP models only, not dcgan")
        c = TrainingConfig(architecture: .mlp)
        c.additions.projectionDiscriminator = true
        XCTAssertEqual(c.problem, "--projection applies to dcgan only")
        c = TrainingConfig(architecture: .dcgan)
        c.additions.generatorAverageDecay = 1
        XCTAssertEqual(c.problem, "--g-average must be in [0, 1) (0: off)")
        c = TrainingConfig(architecture: .mlp)
        c.additions.spectralNorm = true
        XCTAssertEqual(c.problem, "--spectral-norm applies to dcgan only")
        c = TrainingConfig(architecture: .dcgan)
        c.additions.headSpectralNorm = false
        XCTAssertEqual(c.problem, "--no-head-spectral-norm applies with --spectral-norm only")
        c.additions.spectralNorm = true
        XCTAssertNil(c.problem)
        c.model.discriminatorMaxNorm = 2
        XCTAssertEqual(c.problem, "--d-max-norm and --spectral-norm both limit D's weights; choose one")
        c = TrainingConfig(architecture: .dcgan)
        c.optimization.adversarialLoss = .hinge
        XCTAssertNil(c.problem)
        c.optimization.generatorLoss = .saturating
        XCTAssertEqual(c.problem, "--g-loss applies to --loss bce only (the hinge loss has its own G loss)")
        c = TrainingConfig(architecture: .dcgan)
        c.additions.classLossWeight = 0.5
        XCTAssertNil(c.problem)
        for weight in [-1, .nan, 101] {
            c.additions.classLossWeight = weight
            XCTAssertEqual(c.problem, "--class-loss must be in 0...100 (0: off)")
        }
        c = TrainingConfig(reference: .dcgan)
        var paper = TrainingConfig(architecture: .paper)
        paper.additions.modeSeekingWeight = 1
        XCTAssertEqual(paper.problem, "--mode-seeking applies to the Adam models (mlp, mlp-bn, dcgan): with the paper's SGD its gradient blows up as G's pairs meet")
        for weight in [-1, 101, .nan] {
            c.additions.modeSeekingWeight = weight
            XCTAssertEqual(c.problem, "--mode-seeking must be in 0...100 (0: off)")
        }
        c.additions.modeSeekingWeight = 0
        c.additions.modeSeekingGrid = 4
        XCTAssertEqual(c.problem, "--mode-seeking-grid applies with --mode-seeking")
        c.additions.modeSeekingWeight = 1
        XCTAssertNil(c.problem, "4 divides 28")
        for grid in [1, 28] {
            c.additions.modeSeekingGrid = grid
            XCTAssertNil(c.problem, "\(grid) divides 28")
        }
        for grid in [-1, 3, 56] {
            c.additions.modeSeekingGrid = grid
            XCTAssertEqual(c.problem, "--mode-seeking-grid must be 0 (pixel by pixel) or divide --image-size 28")
        }
        c.additions.modeSeekingGrid = 0
        c.additions.modeSeekingWeight = 0
        c.additions.classLossWeight = 1
        XCTAssertEqual(c.problem, "--class-loss needs dcgan's projection discriminator (it reads the features the projection head reads)")
        XCTAssertFalse(c.isReferenceModel)
        c = TrainingConfig(reference: .dcgan)
        c.additions.classBatchNorm = true
        XCTAssertNil(c.problem)
        XCTAssertFalse(c.isReferenceModel)
        c = TrainingConfig(architecture: .mlpBN)
        c.additions.classBatchNorm = true
        XCTAssertEqual(c.problem, "--class-batch-norm applies to dcgan only")
        c = TrainingConfig(architecture: .dcgan)
        c.optimization.discriminatorLearningRateScale = 4
        XCTAssertNil(c.problem)
        for scale in [0, -1, .nan, .infinity, 101] {
            c.optimization.discriminatorLearningRateScale = scale
            XCTAssertEqual(c.problem, "--d-lr-scale must be in (0, 100]")
        }
        // Dropout options that the chosen model has no place for are refused for a new run, not silently
        // ignored; a stored config carrying one stays sound (its model never used it).
        c = TrainingConfig(reference: .dcgan)
        c.model.generatorDropout = 0.2
        XCTAssertEqual(c.unusedSetting, "--g-dropout applies to the MLP models only (dcgan's G has batch norm, not dropout)")
        XCTAssertNil(c.problem)
        c = TrainingConfig(architecture: .mlp)
        c.model.discriminatorInputDropout = 0.2
        XCTAssertEqual(c.unusedSetting, "--d-input-dropout applies to the paper's D only (paper, or --discriminator maxout or paper-leaky)")
        c.model.discriminator = .maxout
        XCTAssertNil(c.unusedSetting)
        XCTAssertNil(TrainingConfig(architecture: .paper).unusedSetting)
        // bf16 runs through oneDNN: OpenBLAS asked for with it would pick only the library of in-run sampling.
        c = TrainingConfig(architecture: .dcgan)
        c.compute.precision = .bf16
        c.compute.matmul = .openBLAS
        XCTAssertEqual(c.unusedSetting, "--matmul openblas applies to fp32 training; bf16 runs through oneDNN")
        c.compute.matmul = .oneDNN
        XCTAssertNil(c.unusedSetting)
        XCTAssertNil(TrainingConfig(architecture: .mlpBN).unusedSetting)
        c = TrainingConfig(reference: .dcgan)
        c.model.discriminatorDropout = 0.3
        XCTAssertNil(c.problem)
        XCTAssertFalse(c.isReferenceModel)
    }

    /// dcgan's defaults add the projection D, the weight average, the class-conditional batch norm and
    /// dropout in D, and train 40 epochs; its reference configuration is the PyTorch model's, the one
    /// `export --format pytorch` accepts. A dcgan config stored before the first three existed (its D
    /// dropout then stored as 0) reads back as the reference it was.
    func testDCGANDefaultsAndItsReferenceConfiguration() throws {
        let improved = TrainingConfig(architecture: .dcgan), reference = TrainingConfig(reference: .dcgan)
        XCTAssertTrue(improved.additions.projectionDiscriminator && improved.additions.generatorAverageDecay == 0.999 && improved.additions.classBatchNorm)
        XCTAssertEqual(improved.model.discriminatorDropout, 0.3)
        XCTAssertTrue(improved.additions.discriminatorHeadDropout == 0 && !improved.additions.discriminatorDropoutInGeneratorStep)
        XCTAssertEqual(improved.optimization.epochs, 40)
        XCTAssertEqual(TrainingConfig(architecture: .mlp).optimization.epochs, 30)
        XCTAssertFalse(improved.isReferenceModel)
        XCTAssertTrue(reference.isReferenceModel)
        XCTAssertFalse(reference.additions.projectionDiscriminator || reference.additions.generatorAverageDecay != 0 || reference.additions.classBatchNorm)
        XCTAssertEqual(reference.model.discriminatorDropout, 0)
        XCTAssertEqual(TrainingConfig(reference: .mlp).model.discriminatorDropout, 0.3, "the MLP reference keeps its D dropout")
        var object = try flatObject(improved)
        object["discriminatorDropout"] = 0.0
        for key in ["projectionDiscriminator", "generatorAverageDecay", "adversarialLoss", "spectralNorm", "headSpectralNorm", "classLossWeight",
                    "classBatchNorm", "discriminatorLearningRateScale", "discriminatorHeadDropout", "discriminatorDropoutInGeneratorStep"] {
            object[key] = nil
        }
        XCTAssertEqual(TrainingConfig.decode(try JSONSerialization.data(withJSONObject: object)), reference)
        // The paper model has no additions; its reference samples in eval mode, as PyTorch's does.
        var paper = TrainingConfig(architecture: .paper)
        XCTAssertTrue(paper.model.dropoutAtSampling)
        paper.model.dropoutAtSampling = false
        XCTAssertEqual(TrainingConfig(reference: .paper), paper)
    }

    func testEveryExperimentVariantIsAValidTrainCommand() throws {
        XCTAssertEqual(Experiment.all.map(\.name),
                       ["width", "output-dropout", "discriminator", "generator-design", "generator-loss", "sampling-dropout",
                        "conditioning", "schedule"])
        var configurations: [String: [String]] = [:]
        for e in Experiment.all {
            XCTAssertEqual(Set(e.variants.map(\.name)).count, e.variants.count, e.name)
            for v in e.variants {
                let dir = e.runDirectory(root: "/nonexistent", variant: v, seed: 1)
                let args = Experiment.trainArguments(v, seed: 1, epochs: 1, directory: dir)
                XCTAssertEqual(args.suffix(2), ["--out", "/nonexistent/runs/\(v.run)/seed-1"])
                // A shared run name always means the same options.
                XCTAssertEqual(configurations[v.run, default: v.trainArguments], v.trainArguments, v.run)
                configurations[v.run] = v.trainArguments
            }
        }
        // paper and mlp at 7 widths, output dropout, two Ds, four G designs, the saturating loss,
        // mlp-bn, three conditionings, eight schedule arms.
        XCTAssertEqual(configurations.count, 14 + 1 + 2 + 4 + 1 + 1 + 3 + 8)
        // Each arm is compared with a baseline of its own model: width's mlp arms with mlp-x1.
        let width = try XCTUnwrap(Experiment.named("width"))
        XCTAssertEqual(width.variants.first { $0.name == "mlp-G-x2" }?.baseline, "mlp-x1")
        XCTAssertEqual(width.variants.first { $0.name == "paper-D-x0.5" }?.baseline, "paper-x1")
        XCTAssertNil(width.variants.first { $0.name == "mlp-x1" }?.baseline)
        XCTAssertEqual(Experiment.named("schedule")?.variants.first?.run, "paper")
        XCTAssertEqual(Experiment.named("schedule")?.variants.count, 9)
        XCTAssertTrue(Experiment.named("sampling-dropout")?.variants.allSatisfy { $0.baseline == nil } ?? false)
    }

    func testPairedComparisonIsExact() {
        let c = PairedComparison(differences: [1, 2, 3, 4, 5])
        XCTAssertEqual(c.mean, 3)
        let interval = try! XCTUnwrap(c.confidenceInterval95)
        // t(0.975, 4) = 2.776; sd = sqrt(2.5).
        XCTAssertEqual(interval.upperBound - 3, 2.776 * 2.5.squareRoot() / 5.squareRoot(), accuracy: 1e-9)
        // All five positive: only the all-plus and all-minus flips are as extreme.
        XCTAssertEqual(c.exactP, 2.0 / 32)
        // -1, +1 cancel: every flip is at least as extreme as a sum of 0.
        XCTAssertEqual(PairedComparison(differences: [-1, 1]).exactP, 1)
        // [3, -1, 0.5]: |sum| 2.5; of the 8 flips' sums (±2.5, ±3.5, ±1.5, ±4.5) six are at least 2.5 away from 0.
        XCTAssertEqual(PairedComparison(differences: [3, -1, 0.5]).exactP, 6.0 / 8)
        XCTAssertNil(PairedComparison(differences: [1]).confidenceInterval95)
        XCTAssertNil(PairedComparison(differences: []).exactP)
        // Pairs form on shared seeds only.
        XCTAssertEqual(PairedComparison(arm: [1: 5, 2: 7, 4: 1], baseline: [1: 4, 2: 4, 3: 0]).differences, [1, 3])
        XCTAssertEqual(c.summary("%.1f"), "+3.0 [+1.0, +5.0], p = 0.062 (5 seeds)")
    }

    func testSpreadAndMeanCurves() {
        let (mean, sd) = ExperimentReport.spread([1, 2, 3, 6])
        XCTAssertEqual(mean, 3)
        XCTAssertEqual(sd, (14.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(ExperimentReport.spread([4]).sd, 0)
        let curve = ExperimentReport.meanCurve([[(1, 10), (2, 20)], [(1, 30)]])
        XCTAssertEqual(curve.map(\.y), [20, 20])
    }

    func testPlotTicksAreRoundAndCoverTheRange() {
        XCTAssertEqual(LinePlot.ticks(0.13...0.97), [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { $0 }, accuracy: 1e-9)
        XCTAssertEqual(LinePlot.format(-0.0001, step: 0.2), "0.0")
        XCTAssertEqual(LinePlot.format(-120, step: 20), "-120")
        // Lines are drawn: a rising series paints pixels of its colour.
        let rgb = LinePlot(series: [.init([(0, 0), (1, 1)])]).render()
        let blue = LinePlot.palette[0]
        XCTAssertGreaterThan(stride(from: 0, to: rgb.count, by: 3).filter { rgb[$0] == blue.0 && rgb[$0 + 1] == blue.1 && rgb[$0 + 2] == blue.2 }.count, 300)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}

/// The report of finished runs, from run directories written here by hand.
final class ExperimentReportTests: XCTestCase {
    /// The last epoch's D(x) weighs each metrics.csv row by the steps it averages: an epoch of 5 steps logged
    /// every 3 ends with a row of 2 steps, which counts for 2/5, not 1/2.
    func testLastEpochMeansWeighRowsByTheirSteps() throws {
        let path = temporaryDirectory(self) + "/metrics.csv"
        try "step,epoch,d_real\n3,0.6,9\n5,1.0,9\n8,1.6,0.5\n10,2.0,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(ExperimentReport.lastEpochMean(of: "d_real", in: try CSVTable(path: path)), (0.5 * 3 + 1 * 2) / 5, accuracy: 1e-12)
        // A damaged step (not a number) counts as one step rather than spoiling the mean.
        try "step,epoch,d_real\n3,0.6,9\nx,1.0,9\n8,1.6,0.5\n10,2.0,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(ExperimentReport.lastEpochMean(of: "d_real", in: try CSVTable(path: path)), (0.5 * 1 + 1 * 2) / 3, accuracy: 1e-12)
        // Steps too large to sum: the rows count alike rather than giving NaN.
        try "step,epoch,d_real\n1e308,1.0,9\n0,1.4,0.5\n1e308,1.6,0.5\n0,1.8,1\n1e308,2.0,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(ExperimentReport.lastEpochMean(of: "d_real", in: try CSVTable(path: path)), 0.75, accuracy: 1e-12)
    }

    /// A finished run of `variant`: an untrained checkpoint of its configuration, metrics, validation and an
    /// evaluation whose Parzen score is `ll` (and `ll + 50` with G's dropout on).
    func writeRun(_ e: Experiment, _ variant: Experiment.Variant, seed: Int, ll: Double, root: String) throws {
        let run = e.runDirectory(root: root, variant: variant, seed: seed)
        try FileManager.default.createDirectory(atPath: run.checkpoints, withIntermediateDirectories: true)
        var config = TrainingConfig(architecture: variant.trainArguments.contains("mlp") ? .mlp : .paper)
        config.model.dropoutAtSampling = false  // the tables below read the validation curve as the off rows'
        config.optimization.generatorLoss = variant.trainArguments.contains("saturating") ? .saturating : .nonSaturating
        config.optimization.epochs = 2
        config.optimization.seed = UInt64(seed)
        let models = GANModels(config: config, classCount: 10)
        try Checkpoint.save(TrainingStep(config: config, models: models, classCount: 10, stepsPerEpoch: 2),
                            position: .init(step: 4, epoch: 2, batch: 0), to: run.latestCheckpoint)
        try (MetricsLog.header + "\n2,1.0,1,1,0.8,0.2,0.1,0.5,100,1\n4,2.0,1,1,0.9,0.1,0.1,0.5,300,2\n")
            .write(toFile: run.metrics, atomically: true, encoding: .utf8)
        try "epoch,sigma,validation_ll,standard_error\n1,0.2,\(ll - 10),1\n2,0.2,\(ll),1\n".write(toFile: run.validation, atomically: true, encoding: .utf8)
        func report(_ dropout: Bool, _ ll: Double) -> String {
            """
            {"dropoutAtSampling": \(dropout), "samplesPerClass": 10, "seed": 1, "parzenValidation": [],
             "parzenTest": {"sigma": 0.2, "mean": \(ll), "standardError": 1}, "labelAccuracy": 0.5, "fid": 10,
             "fidRealFloor": 1, "classifierTestAccuracy": 0.98, "perClass": [], "collapsedClasses": [1, 2]}
            """
        }
        try "{\"checkpoint\": \"\(run.latestCheckpoint)\", \"arch\": \"paper\", \"position\": {\"step\": 4, \"epoch\": 2, \"batch\": 0}, \"reports\": [\(report(false, ll)), \(report(true, ll + 50))], \"classifier\": \"conv-v9\", \"cpu\": \"CPU, with a comma\"}"
            .write(toFile: run.evaluation, atomically: true, encoding: .utf8)
    }

    func testTheTableIsTheMeanAndSpreadOverSeeds() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        for (seed, ll) in [(1, 100.0), (2, 110.0), (3, 120.0)] { try writeRun(e, e.variants[0], seed: seed, ll: ll, root: root) }
        try writeRun(e, e.variants[1], seed: 1, ll: -60, root: root)
        let report = try ExperimentReport(experiment: e, root: root, seeds: 3, epochs: 2)
        XCTAssertEqual(report.unfinished, ["saturating/seed-2", "saturating/seed-3"])
        // The paper's G has dropout: both ways of sampling are reported.
        XCTAssertEqual(report.rows.count, 2 * 4)
        let table = report.markdownTable
        XCTAssertTrue(table.contains("| non-saturating | 3 | off | 110.0 ± 10.0 | 0.500 ± 0.000 | 10.00 ± 0.00 | 2.0 ± 0.0 | 0.90 ± 0.00 | 0.10 ± 0.00 | 300 ± 0 |"), table)
        XCTAssertTrue(table.contains("| non-saturating | 3 | on | 160.0 ± 10.0 |"), table)
        XCTAssertTrue(table.contains("| saturating | 1 | off | -60.0 ± 0.0 |"), table)
        try report.write(to: root + "/out", root: root, command: "cgan experiment generator-loss", commit: "abc123")
        let csv = try String(contentsOfFile: root + "/out/results.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 1 + 8)
        XCTAssertTrue(csv[1].hasPrefix("generator-loss,non-saturating,1,off,100.00,0.5000,10.000,2,300.0,2.0,0.9000,0.1000"), String(csv[1]))
        // The best validation epoch and LL, then what scored the run, where, and from which source.
        XCTAssertTrue(csv[1].hasSuffix(",2,100.00,conv-v9,\"CPU, with a comma\",abc123,"), String(csv[1]))
        // Seed 1 of saturating against seed 1 of non-saturating: -60 - 100.
        let paired = report.pairedTable
        XCTAssertTrue(paired.contains("| saturating − non-saturating | off | -160.0, p = 1 (1 seed) |"), paired)
        XCTAssertTrue(report.perSeedTable.contains("| non-saturating | off | 2 | 110.0 | 0.500 | 10.00 | 2 | 110.0 (2) |"), report.perSeedTable)
        for file in ["report.md", "validation-ll.svg", "d-fake.svg", "grid-non-saturating.png", "grid-non-saturating-dropout-on.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/out/" + file), file)
        }
    }

    /// A run kept without its checkpoints (Scripts/archive-experiment-runs.sh) counts as finished at the epochs
    /// it was evaluated at: reported from its config.json and logs, not trained again, not continued.
    func testArchivedRunsAreReportedAndNotTrainedAgain() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        for (seed, ll) in [(1, 100.0), (2, 110.0)] { try writeRun(e, e.variants[0], seed: seed, ll: ll, root: root) }
        try writeRun(e, e.variants[1], seed: 1, ll: -60, root: root)
        func archive(_ variant: Experiment.Variant, seed: Int) throws -> RunDirectory {
            let run = e.runDirectory(root: root, variant: variant, seed: seed)
            var config = try Checkpoint(path: run.latestCheckpoint).config
            config.model.dropoutAtSampling = variant.trainArguments.contains("--dropout-at-sampling")
            try writeConfigFile(config, of: run)
            try FileManager.default.removeItem(atPath: run.checkpoints)
            return run
        }
        // A report written while every run has its checkpoint draws a grid per variant (and the folder may hold other files).
        try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).write(to: root + "/out", root: root, command: "c", commit: "abc123")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/out/grid-saturating.png"))
        try Data([1]).write(to: URL(fileURLWithPath: root + "/out/grid-other.png"))
        let archived = try archive(e.variants[0], seed: 1)
        _ = try archive(e.variants[1], seed: 1)
        XCTAssertTrue(Experiment.isArchived(archived))
        XCTAssertTrue(Experiment.isFinished(archived, epochs: 2))
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 3))
        // A dangling checkpoint link is a damaged run, not an archived one.
        try FileManager.default.createDirectory(atPath: archived.checkpoints, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: archived.latestCheckpoint, withDestinationPath: "gone\u{1b}[2J.safetensors")
        XCTAssertFalse(Experiment.isArchived(archived))
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 2))
        XCTAssertTrue(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished
            .contains("non-saturating/seed-1 (checkpoints/latest.safetensors is a link to nothing)"))
        let dangling = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-1", "--epochs", "2", "--out", root])
        // The link's target is echoed printable: a terminal escape in it is shown, not acted on.
        XCTAssertTrue(dangling.status != 0 && dangling.stderr.contains("is a link to gone?[2J.safetensors, which does not exist"), dangling.stderr)
        XCTAssertFalse(dangling.stderr.contains("\u{1b}"))
        try FileManager.default.removeItem(atPath: archived.checkpoints)
        let report = try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2)
        XCTAssertEqual(report.unfinished, ["saturating/seed-2"])
        XCTAssertTrue(report.markdownTable.contains("| non-saturating | 2 | off | 105.0 ± 7.1 |"), report.markdownTable)
        // The grid comes from the first seed with a checkpoint; a variant with none has no grid.
        try report.write(to: root + "/out", root: root, command: "cgan experiment generator-loss", commit: "abc123")
        let text = try String(contentsOfFile: root + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(text.contains("![non-saturating, seed 2](grid-non-saturating.png)"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/out/grid-saturating.png"), "the earlier grid is gone")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/out/grid-other.png"))
        // Not trained again at its budget; not continued past it.
        let done = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-1", "--epochs", "2", "--out", root])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stdout.contains("nothing to do"), done.stdout)
        let longer = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-1", "--epochs", "3", "--out", root])
        XCTAssertNotEqual(longer.status, 0)
        XCTAssertTrue(longer.stderr.contains("is an archived run (no checkpoint, trained for 2 epochs)"), longer.stderr)
        // The whole experiment refuses before training anything (seed 2 of the first arm has a checkpoint to continue).
        let second = e.runDirectory(root: root, variant: e.variants[0], seed: 2)
        let secondBefore = try Data(contentsOf: URL(fileURLWithPath: second.latestCheckpoint))
        let all = try runCGAN(["experiment", "generator-loss", "--seeds", "2", "--epochs", "3", "--out", root])
        XCTAssertNotEqual(all.status, 0)
        XCTAssertTrue(all.stderr.contains("2 runs are archived runs"), all.stderr)
        XCTAssertEqual(all.stderr.split(separator: "\n").count, 1, all.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: second.latestCheckpoint)), secondBefore)
        // An archived run's files must agree: its config's budget and seed, its evaluation of the last checkpoint.
        var config = try XCTUnwrap(archived.storedConfig)
        func store(_ c: TrainingConfig) throws { try writeConfigFile(c, of: archived) }
        config.optimization.epochs = 3
        try store(config)
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 2))
        config.optimization.epochs = 2
        config.optimization.seed = 2
        try store(config)
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 2))
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished.first,
                       "non-saturating/seed-1 (archived with the config of seed 2 in seed-1)")
        config.optimization.seed = 1
        try store(config)
        XCTAssertTrue(Experiment.isFinished(archived, epochs: 2))
        // A finished run with another arm's settings (an archive copied into the wrong folder) is refused by name.
        var other = config
        other.optimization.generatorLoss = .saturating
        try store(other)
        let foreign = try runCGAN(["experiment", "generator-loss", "--seeds", "2", "--epochs", "2", "--out", root, "--collect"])
        XCTAssertNotEqual(foreign.status, 0)
        XCTAssertTrue(foreign.stderr.contains("holds a run with other settings than arm non-saturating of this experiment "
                                              + "(optimization.generatorLoss: saturating in the run, non-saturating in the arm)"), foreign.stderr)
        XCTAssertEqual(foreign.stderr.split(separator: "\n").count, 1, foreign.stderr)
        try store(config)
        // The same for a finished run that still has its checkpoint, through --run.
        var secondConfig = try Checkpoint(path: second.latestCheckpoint).config
        secondConfig.model.dropoutAtSampling = true
        secondConfig.optimization.generatorLoss = .saturating
        try writeConfigFile(secondConfig, of: second)
        let stale = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-2", "--epochs", "2", "--out", root])
        XCTAssertNotEqual(stale.status, 0)
        XCTAssertTrue(stale.stderr.contains("seed-2 holds a run with other settings than arm non-saturating of this experiment "
                                            + "(optimization.generatorLoss: saturating in the run, non-saturating in the arm)"), stale.stderr)
        secondConfig.optimization.generatorLoss = .nonSaturating
        try writeConfigFile(secondConfig, of: second)
        let same = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-2", "--seeds", "1", "--epochs", "2", "--out", root])
        XCTAssertTrue(same.status == 0 && same.stdout.contains("nothing to do"), same.stderr)
        XCTAssertTrue(same.stderr.contains("paper/seed-2 is beyond --seeds 1; a report (--collect) includes it with --seeds 2 or more"), same.stderr)
        // A data set that does not exist is refused before any run starts.
        let bogus = try runCGAN(["experiment", "generator-loss", "--seeds", "1", "--epochs", "3", "--out", root + "/bogus", "--dataset", "bogus"])
        XCTAssertNotEqual(bogus.status, 0)
        XCTAssertTrue(bogus.stderr.contains("--dataset: ") && bogus.stderr.split(separator: "\n").count == 1, bogus.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/bogus"))
        try "{\"settings\": 3}".write(toFile: archived.config, atomically: true, encoding: .utf8)
        XCTAssertNil(archived.storedConfig)
        try store(config)
        XCTAssertEqual(longer.stderr.split(separator: "\n").count, 1, longer.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: archived.checkpoints))
        // Another spelling of a seed would be another folder: refused.
        for name in ["paper/seed-01", "paper/seed-+1", "paper//seed-1", "paper/seed-1/", "paper/seed-101"] {
            let odd = try runCGAN(["experiment", "generator-loss", "--run", name, "--epochs", "2", "--out", root])
            XCTAssertTrue(odd.status != 0 && odd.stderr.contains("--run must be"), name + ": " + odd.stderr)
        }
        // A metrics.csv that is not one is named, not a crash; a damaged evaluation is named among the unfinished.
        let metrics = try String(contentsOfFile: second.metrics, encoding: .utf8)
        try "garbage\n1,2\n".write(toFile: second.metrics, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2)) { error in
            XCTAssertTrue("\(error)".contains("metrics.csv: has no step column"), "\(error)")
        }
        // A FIFO in its place is named as what it is, not read (it would block).
        try FileManager.default.removeItem(atPath: second.metrics)
        XCTAssertEqual(mkfifo(second.metrics, 0o644), 0)
        XCTAssertThrowsError(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2)) { error in
            XCTAssertTrue("\(error)".contains("metrics.csv: is not a regular file (a FIFO, device or folder)"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: second.metrics)
        try metrics.write(toFile: second.metrics, atomically: true, encoding: .utf8)
        let evaluation = try String(contentsOfFile: archived.evaluation, encoding: .utf8)
        try "{".write(toFile: archived.evaluation, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished.first,
                       "non-saturating/seed-1 (\(archived.evaluation) has no readable position)")
        try evaluation.write(toFile: archived.evaluation, atomically: true, encoding: .utf8)
        // A config.json that is a FIFO or too large is not read (a FIFO would block, a huge file fill memory).
        try FileManager.default.removeItem(atPath: archived.config)
        XCTAssertEqual(mkfifo(archived.config, 0o644), 0)
        XCTAssertNil(archived.storedConfig)
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 2))
        try FileManager.default.removeItem(atPath: archived.config)
        try Data(count: RunDirectory.configLimit + 1).write(to: URL(fileURLWithPath: archived.config))
        XCTAssertNil(archived.storedConfig)
        try store(config)
        XCTAssertTrue(Experiment.isFinished(archived, epochs: 2))
        // A damaged config.json, or an evaluation of another checkpoint, is named among the unfinished.
        try "{".write(toFile: archived.config, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished.first,
                       "non-saturating/seed-1 (\(archived.config) unreadable)")
        try store(config)
        try evaluation.replacingOccurrences(of: "latest.safetensors", with: "best.safetensors").write(toFile: archived.evaluation, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished.first,
                       "non-saturating/seed-1 (its evaluation.json scored another checkpoint than its own last one)")
        // Nor another run's last checkpoint (an evaluation.json copied from seed 2).
        try evaluation.replacingOccurrences(of: "/seed-1/", with: "/seed-2/").write(toFile: archived.evaluation, atomically: true, encoding: .utf8)
        XCTAssertFalse(Experiment.isFinished(archived, epochs: 2))
    }

    /// A diverged run is an outcome of its arm: counted beside the scored seeds, a pair without a difference.
    func testDivergedRunsAreCountedNotDropped() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        for seed in [1, 2] { try writeRun(e, e.variants[0], seed: seed, ll: 100, root: root) }
        try writeRun(e, e.variants[1], seed: 1, ll: -60, root: root)
        let run = e.runDirectory(root: root, variant: e.variants[1], seed: 2)
        try FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
        var config = TrainingConfig(architecture: .paper)
        config.optimization.epochs = 2
        try writeConfigFile(config, of: run)
        try Divergence(step: 7, epoch: 2, discriminatorLoss: 3.9e34, generatorLoss: .nan, lastCheckpoint: .init(step: 4, epoch: 1, batch: 0)).write(to: run)
        XCTAssertEqual(Experiment.divergence(run, within: 2)?.step, 7)
        XCTAssertNil(Experiment.divergence(run, within: 1), "it diverged after a 1-epoch budget's end")
        let report = try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2)
        XCTAssertEqual(report.unfinished, [])
        XCTAssertTrue(report.markdownTable.contains("| saturating | 1 | 1 (7) | off | -60.0 ± 0.0 |"), report.markdownTable)
        XCTAssertTrue(report.markdownTable.contains("| non-saturating | 2 | 0 | off | 100.0 ± 0.0 |"), report.markdownTable)
        XCTAssertTrue(report.pairedTable.contains("| saturating − non-saturating | off | -160.0, p = 1 (1 seed; 1 seed diverged or not finite) |"), report.pairedTable)
        try report.write(to: root + "/out", root: root, command: "c", commit: "abc123")
        let text = try String(contentsOfFile: root + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(text.contains("Diverged (loss not finite;") && text.contains("saturating/seed-2 at step 7 (epoch 2)"), text)
        // A damaged record says nothing: the run is unfinished, not diverged.
        try "{\"step\": 7".write(toFile: run.divergence, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2).unfinished,
                       ["saturating/seed-2 (its diverged.json is not a readable record)"])
        // Every seed of an arm diverged: its line says so, and its comparisons have no difference to show.
        try Divergence(step: 3, epoch: 1, discriminatorLoss: .nan, generatorLoss: .nan, lastCheckpoint: nil).write(to: run)
        try FileManager.default.removeItem(atPath: e.runDirectory(root: root, variant: e.variants[1], seed: 1).path)
        let first = e.runDirectory(root: root, variant: e.variants[1], seed: 1)
        try FileManager.default.createDirectory(atPath: first.path, withIntermediateDirectories: true)
        try writeConfigFile(config, of: first)
        try Divergence(step: 5, epoch: 1, discriminatorLoss: .infinity, generatorLoss: .nan, lastCheckpoint: nil).write(to: first)
        // A stray record behind a finished run's own position is not its outcome.
        try Divergence(step: 3, epoch: 1, discriminatorLoss: .nan, generatorLoss: .nan, lastCheckpoint: nil)
            .write(to: e.runDirectory(root: root, variant: e.variants[0], seed: 1))
        let all = try ExperimentReport(experiment: e, root: root, seeds: 2, epochs: 2)
        XCTAssertEqual(all.rows.filter { $0.variant == "non-saturating" }.count, 4, "both seeds, both ways of sampling")
        XCTAssertTrue(all.markdownTable.contains("| saturating | 0 | 2 (3–5) | | | | | | | | |\n"), all.markdownTable)
        XCTAssertTrue(all.pairedTable.contains("| saturating − non-saturating | off | none: 2 seeds diverged or not finite |"), all.pairedTable)
        // The baseline's G has dropout, so its "on" line is there too; the CSV lists each arm's runs together.
        XCTAssertTrue(all.pairedTable.contains("| saturating − non-saturating | on | none: 2 seeds diverged or not finite |"), all.pairedTable)
        let variants = all.csv(commit: "c").split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        XCTAssertEqual(variants, ["non-saturating", "non-saturating", "non-saturating", "non-saturating", "saturating", "saturating"])
        // Every output is checked before any is written: a report.md that is a folder leaves results.csv as it was.
        let out = root + "/all"
        try FileManager.default.createDirectory(atPath: out + "/report.md", withIntermediateDirectories: true)
        XCTAssertThrowsError(try all.write(to: out, root: root, command: "c", commit: "abc"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/results.csv"))
    }

    /// `cgan experiment ... | head`: the reader gone, the runs and the report still get done.
    func testAnExperimentOutlivesTheReaderOfItsOutput() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        for variant in e.variants { try writeRun(e, variant, seed: 1, ll: 100, root: root) }
        let p = Process(), output = Pipe()
        // SIGPIPE at its default, as from a shell (this test process may ignore it).
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["--default-signal=PIPE", try cganProgram(), "experiment", "generator-loss", "--seeds", "1", "--epochs", "2", "--out", root]
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        try output.fileHandleForReading.close()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/generator-loss/report.md"))
    }

    /// A command list cut short by a full disk is an error, not a quiet success.
    func testPrintedCommandsThatCannotBeWrittenFail() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try cganProgram())
        p.arguments = ["experiment", "all", "--seeds", "5", "--print-commands", "--out", temporaryDirectory(self)]
        p.standardOutput = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(message.contains("cannot write the commands to standard output"), message)
    }

    func testAReportNeverMixesBudgets() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        try writeRun(e, e.variants[0], seed: 1, ll: 100, root: root)  // trained 2 epochs
        let report = try ExperimentReport(experiment: e, root: root, seeds: 1, epochs: 3)
        XCTAssertTrue(report.rows.isEmpty)
        XCTAssertEqual(report.unfinished, ["non-saturating/seed-1 (2 epochs)", "saturating/seed-1"])
        // An evaluation of another point of the run (or one that does not say which) does not stand for this one.
        let run = Experiment.runDirectory(root: root, run: "paper/seed-1")
        XCTAssertTrue(Experiment.isFinished(run, epochs: 2))
        let evaluation = try String(contentsOfFile: run.evaluation, encoding: .utf8)
        try evaluation.replacingOccurrences(of: "\"epoch\": 2", with: "\"epoch\": 1").write(toFile: run.evaluation, atomically: true, encoding: .utf8)
        XCTAssertFalse(Experiment.isFinished(run, epochs: 2))
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 1, epochs: 2).unfinished.first, "non-saturating/seed-1")
        // A damaged evaluation is named, not passed off as a run still training.
        try "{\"checkpoint\": ".write(toFile: run.evaluation, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ExperimentReport(experiment: e, root: root, seeds: 1, epochs: 2).unfinished.first,
                       "non-saturating/seed-1 (\(run.evaluation) has no readable position)")
        XCTAssertTrue(Experiment.isLonger(.init(step: 5, epoch: 2, batch: 1), than: 2))
        XCTAssertFalse(Experiment.isLonger(.init(step: 4, epoch: 2, batch: 0), than: 2))
    }

    func testExperimentRefusesRunsLongerThanItsBudgetAndPrintsPortableCommands() throws {
        let root = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        try writeRun(e, e.variants[0], seed: 1, ll: 100, root: root)  // trained 2 epochs
        let evaluation = Experiment.runDirectory(root: root, run: "paper/seed-1").evaluation
        let before = try Data(contentsOf: URL(fileURLWithPath: evaluation))
        let checkpoint = Experiment.runDirectory(root: root, run: "paper/seed-1").latestCheckpoint
        let checkpointBefore = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let r = try runCGAN(["experiment", "generator-loss", "--seeds", "1", "--epochs", "1", "--out", root])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("trained for more than --epochs 1") && r.stderr.contains("paper/seed-1 (2 epochs)"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: evaluation)), before)
        // At its own budget the finished run is left as it is: neither trained nor evaluated again.
        let done = try runCGAN(["experiment", "generator-loss", "--run", "paper/seed-1", "--epochs", "2", "--out", root])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stdout.contains("paper/seed-1 is already trained for 2 epochs and evaluated: nothing to do"), done.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: evaluation)), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), checkpointBefore)
        // Started as ./cgan from its own directory, it prints ./cgan, not where this machine keeps it.
        let program = URL(fileURLWithPath: try cganProgram())
        let shell = Process(), output = Pipe()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "cd \"$0\" && ./cgan experiment generator-loss --seeds 1 --out exp --data-dir data/mnist --print-commands",
                           program.deletingLastPathComponent().path]
        shell.standardOutput = output
        try shell.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        let lines = printed.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines {
            XCTAssertTrue(line.hasPrefix("./cgan experiment generator-loss --run ") && line.contains(" --out exp ")
                          && line.hasSuffix("--data-dir data/mnist"), String(line))
        }
    }
}

/// Writes `config` as `run`'s config.json (its "settings"), as an archived run keeps it.
private func writeConfigFile(_ config: TrainingConfig, of run: RunDirectory) throws {
    let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
    try JSONSerialization.data(withJSONObject: ["settings": settings]).write(to: URL(fileURLWithPath: run.config))
}

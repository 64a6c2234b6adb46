import CGAN
import Files
import Foundation
import Media

/// The results of an experiment's finished runs, gathered from their run directories, and written as a
/// CSV table, a Markdown report, curve plots and one sample grid per variant.
public struct ExperimentReport {
    /// One evaluated run (one report of `cgan evaluate`: a run evaluated both ways of sampling has two).
    public struct Row {
        public var variant: String, seed: Int, dropoutAtSampling: Bool
        public var parzenLL: Double, labelAccuracy: Double, fid: Double, collapsedClasses: Int
        /// Training speed (median of metrics.csv's images/s, robust to a pause) and its wall time.
        public var imagesPerSecond: Double, trainSeconds: Double
        /// Mean D(x) and D(G(z)) over the last epoch's logged rows.
        public var lastRealScore: Double, lastFakeScore: Double
        /// `PixelStatistics` of samples drawn with G's dropout on, where the experiment measures them.
        public var trainingModePixels: PixelStatistics?
        /// The epoch of the highest validation Parzen LL (validation.csv) and that LL; nan without a curve, and on
        /// the row of the way of sampling the validation did not use.
        public var bestValidationEpoch: Double, bestValidationLL: Double
        /// What scored the run and where (evaluation.json; "unknown" for evaluations written before they were recorded).
        public var classifier: String, cpu: String
    }

    /// A run whose loss stopped being finite within the budget (`Experiment.divergence`): no scores, an outcome.
    public struct DivergedRun: Sendable {
        public var variant: String, seed: Int, divergence: Divergence
    }

    /// Per-epoch curves of one run.
    struct Curves { var validation: [(x: Double, y: Double)]; var fakeScore: [(x: Double, y: Double)] }

    public let experiment: Experiment
    public private(set) var rows: [Row] = []
    private var curves: [String: [Curves]] = [:]
    /// The runs that diverged, in variant and seed order.
    public private(set) var diverged: [DivergedRun] = []
    /// Runs not yet trained to the budget and evaluated, as "variant/seed-N" (with the epochs trained where the
    /// run stopped at another budget).
    public private(set) var unfinished: [String] = []

    /// Reads every run of `experiment` under `root` for seeds 1...seeds that was trained for exactly `epochs`
    /// epochs and evaluated; a run of another budget counts as unfinished, so that one report never mixes budgets.
    public init(experiment: Experiment, root: String, seeds: Int, epochs: Int) throws {
        self.experiment = experiment
        for variant in experiment.variants {
            for seed in 1...seeds {
                let run = experiment.runDirectory(root: root, variant: variant, seed: seed)
                if let divergence = Experiment.divergence(run, within: epochs) {
                    diverged.append(DivergedRun(variant: variant.name, seed: seed, divergence: divergence))
                    continue
                }
                guard Experiment.isFinished(run, epochs: epochs), let data = RegularFile.contents(atPath: run.evaluation, limit: RunDirectory.evaluationLimit) else {
                    let trained = Experiment.trainedPosition(run)
                    let atBudget = trained.map { $0.epoch == epochs && $0.batch == 0 } ?? false
                    // Trained to the budget with an evaluation that cannot be read: say so, rather than "not finished".
                    let unreadable = FileManager.default.fileExists(atPath: run.evaluation) && Experiment.evaluatedPosition(run) == nil
                    let problem = run.brokenCheckpointLink != nil ? "checkpoints/latest.safetensors is a link to nothing"
                        : FileManager.default.fileExists(atPath: run.divergence) && Divergence(in: run) == nil ? "its diverged.json is not a readable record"
                        : Experiment.isArchived(run) ? Experiment.archiveProblem(run, epochs: epochs)
                        : Experiment.divergenceProblem(run, epochs: epochs)
                    unfinished.append("\(variant.name)/seed-\(seed)" + (unreadable ? " (\(run.evaluation) has no readable position)"
                        : problem.map { " (\($0))" } ?? trained.map { atBudget ? "" : " (\(Self.describe($0)))" } ?? ""))
                    continue
                }
                struct Document: Decodable { let reports: [EvaluationReport]; let classifier: String?; let cpu: String? }
                guard let document = try? JSONDecoder().decode(Document.self, from: data) else {
                    throw FileError(run.evaluation, "not an evaluation report of cgan evaluate")
                }
                let metrics = try CSVTable(path: run.metrics)
                if let missing = ["step", "epoch", "d_real", "d_fake", "images_per_s", "wall_s"].first(where: { !metrics.header.contains($0) }) {
                    throw FileError(run.metrics, "has no \(missing) column: not the metrics.csv of cgan train")
                }
                guard !metrics.rows.isEmpty else { throw FileError(run.metrics, "has no rows: not the metrics.csv of a trained run") }
                let epochs = metrics.column("epoch")
                func lastMean(_ name: String) -> Double { Self.lastEpochMean(of: name, in: metrics) }
                let speeds = metrics.column("images_per_s")
                let archived = Experiment.isArchived(run)
                let pixels = experiment.measuresTrainingModePixels && !archived
                    ? try PixelStatistics(generator: ConditionalGenerator(checkpoint: run.latestCheckpoint), dropout: true) : nil
                // Both ways of sampling where G has dropout to keep or drop (it decides the paper model's scores).
                let config: TrainingConfig
                if archived {
                    guard let stored = run.storedConfig else { throw FileError(run.config, "not a run's config.json (the archived run's settings)") }
                    config = stored
                } else {
                    config = try Checkpoint(path: run.latestCheckpoint).config
                }
                let validation = (try? CSVTable(path: run.validation)) ?? CSVTable(header: [], rows: [])
                let best = Self.best(epochs: validation.column("epoch"), values: validation.column("validation_ll"))
                for r in document.reports where r.dropoutAtSampling == config.model.dropoutAtSampling || config.model.generatorDropout > 0 {
                    rows.append(Row(variant: variant.name, seed: seed, dropoutAtSampling: r.dropoutAtSampling,
                                    parzenLL: r.parzenTest?.mean ?? .nan, labelAccuracy: r.labelAccuracy, fid: r.fid,
                                    collapsedClasses: r.collapsedClasses.count,
                                    imagesPerSecond: speeds.isEmpty ? .nan : speeds.sorted()[speeds.count / 2],
                                    trainSeconds: metrics.column("wall_s").last ?? 0,
                                    lastRealScore: lastMean("d_real"), lastFakeScore: lastMean("d_fake"),
                                    trainingModePixels: pixels,
                                    bestValidationEpoch: r.dropoutAtSampling == config.model.dropoutAtSampling ? best.epoch : .nan,
                                    bestValidationLL: r.dropoutAtSampling == config.model.dropoutAtSampling ? best.value : .nan,
                                    classifier: document.classifier ?? "unknown", cpu: document.cpu ?? "unknown"))
                }
                curves[variant.name, default: []].append(Curves(
                    validation: Array(zip(validation.column("epoch"), validation.column("validation_ll"))).map { (x: $0.0, y: $0.1) },
                    fakeScore: Array(zip(epochs, metrics.column("d_fake"))).map { (x: $0.0, y: $0.1) }))
            }
        }
    }

    /// "5 epochs", or "5 epochs and 40 batches" for a checkpoint within an epoch.
    public static func describe(_ p: Checkpoint.Position) -> String { "\(p.epoch) epochs" + (p.batch > 0 ? " and \(p.batch) batches" : "") }

    /// The epoch of the largest finite value and the value; (nan, nan) when there is none.
    static func best(epochs: [Double], values: [Double]) -> (epoch: Double, value: Double) {
        zip(epochs, values).filter { $0.1.isFinite }.max { $0.1 < $1.1 }.map { (epoch: $0.0, value: $0.1) } ?? (.nan, .nan)
    }

    /// Mean and sample standard deviation.
    public static func spread(_ values: [Double]) -> (mean: Double, sd: Double) {
        let n = Double(values.count)
        guard n > 0 else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / n
        let sd = n > 1 ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot() : 0
        return (mean, sd)
    }

    /// Seed-wise curves averaged point by point (over the seeds that reached each point).
    public static func meanCurve(_ runs: [[(x: Double, y: Double)]]) -> [(x: Double, y: Double)] {
        let length = runs.map(\.count).max() ?? 0
        return (0..<length).map { i in
            let points = runs.filter { $0.count > i }.map { $0[i] }
            return (x: points.map(\.x).reduce(0, +) / Double(points.count), y: points.map(\.y).reduce(0, +) / Double(points.count))
        }
    }

    /// One row per run and way of sampling; `commit` names the source the report was written from (not
    /// necessarily the one each run was trained with).
    public func csv(commit: String) -> String {
        var text = "experiment,variant,seed,dropout_at_sampling,parzen_ll,label_accuracy,fid,collapsed_classes,images_per_s,train_s,d_real_last_epoch,d_fake_last_epoch,sampled_with_dropout_out_of_range,sampled_with_dropout_exact_midgrey,best_validation_epoch,best_validation_ll,classifier,cpu,report_commit,diverged_at_step\n"
        // CPU names carry no commas on Linux, but a field is a field.
        func field(_ s: String) -> String {
            s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        for variant in experiment.variants {
            for r in rows where r.variant == variant.name {
                text += String(format: "%@,%@,%d,%@,%.2f,%.4f,%.3f,%d,%.1f,%.1f,%.4f,%.4f,%@,%@,%@,%@,%@,%@,%@,\n", experiment.name, r.variant, r.seed,
                               r.dropoutAtSampling ? "on" : "off", r.parzenLL, r.labelAccuracy, r.fid, r.collapsedClasses,
                               r.imagesPerSecond, r.trainSeconds, r.lastRealScore, r.lastFakeScore,
                               r.trainingModePixels.map { String(format: "%.4f", $0.outOfRange) } ?? "",
                               r.trainingModePixels.map { String(format: "%.4f", $0.exactMidGrey) } ?? "",
                               r.bestValidationEpoch.isNaN ? "" : String(format: "%.0f", r.bestValidationEpoch),
                               r.bestValidationLL.isNaN ? "" : String(format: "%.2f", r.bestValidationLL), field(r.classifier), field(r.cpu), field(commit))
            }
            // A diverged run has no scores and no way of sampling: empty fields, then the step.
            for d in diverged where d.variant == variant.name {
                text += "\(experiment.name),\(d.variant),\(d.seed)," + String(repeating: ",", count: 15) + "\(field(commit)),\(d.divergence.step)\n"
            }
        }
        return text
    }

    /// Every run's scores, one line per run and way of sampling, in seed order within each variant.
    public var perSeedTable: String {
        var text = "| variant | sampling dropout | seed | Parzen LL (nats) | label accuracy | FID | collapsed classes | best validation LL (epoch) |\n|---|---|---|---|---|---|---|---|\n"
        for variant in experiment.variants {
            for r in rows.filter({ $0.variant == variant.name }).sorted(by: { ($0.dropoutAtSampling ? 1 : 0, $0.seed) < ($1.dropoutAtSampling ? 1 : 0, $1.seed) }) {
                let best = r.bestValidationLL.isNaN ? "" : String(format: "%.1f (%.0f)", r.bestValidationLL, r.bestValidationEpoch)
                text += String(format: "| %@ | %@ | %d | %.1f | %.3f | %.2f | %d | %@ |\n", r.variant, r.dropoutAtSampling ? "on" : "off",
                               r.seed, r.parzenLL, r.labelAccuracy, r.fid, r.collapsedClasses, best)
            }
            for d in diverged where d.variant == variant.name {
                text += "| \(d.variant) | | \(d.seed) | diverged at \(d.divergence.summary) | | | | |\n"
            }
        }
        return text
    }

    /// Each arm against its baseline on the seeds both have, one line per way of sampling, then, for runs
    /// sampled both ways, G's dropout on against off: the mean difference with its 95% t-interval and the exact
    /// sign-flip p-value (`PairedComparison`).
    public var pairedTable: String {
        var text = "| arm − baseline | sampling dropout | Parzen LL (nats) | label accuracy | FID | best validation LL |\n|---|---|---|---|---|---|\n"
        var lines = 0
        for variant in experiment.variants {
            guard let baseline = variant.baseline else { continue }
            for dropout in [false, true] {
                // A seed that diverged in either arm is a pair without a difference: counted, not dropped quietly; on
                // the line of G's dropout on only where the runs are sampled that way (G has dropout).
                let sampled = dropout == false || !bySeed(variant.name, dropout: true, \.parzenLL).isEmpty || !bySeed(baseline, dropout: true, \.parzenLL).isEmpty
                func values(_ name: String, _ metric: (Row) -> Double) -> [Int: Double] {
                    bySeed(name, dropout: dropout, metric).merging(sampled ? divergedSeeds(name).map { ($0, .nan) } : [], uniquingKeysWith: { a, _ in a })
                }
                func compare(_ metric: (Row) -> Double, _ format: String) -> String {
                    PairedComparison(arm: values(variant.name, metric), baseline: values(baseline, metric)).summary(format)
                }
                guard !values(variant.name, \.parzenLL).isEmpty, !values(baseline, \.parzenLL).isEmpty else { continue }
                text += "| \(variant.name) − \(baseline) | \(dropout ? "on" : "off") | " + [compare(\.parzenLL, "%.1f"), compare(\.labelAccuracy, "%.3f"),
                    compare(\.fid, "%.1f"), values(variant.name, \.bestValidationLL).values.allSatisfy(\.isNaN) ? "" : compare(\.bestValidationLL, "%.1f")]
                    .joined(separator: " | ") + " |\n"
                lines += 1
            }
        }
        // Within each run: G's dropout on against off at sampling, the same checkpoints.
        for variant in experiment.variants {
            func values(_ dropout: Bool, _ metric: (Row) -> Double) -> [Int: Double] { bySeed(variant.name, dropout: dropout, metric) }
            guard !values(true, \.parzenLL).isEmpty, !values(false, \.parzenLL).isEmpty else { continue }
            func compare(_ metric: (Row) -> Double, _ format: String) -> String {
                PairedComparison(arm: values(true, metric), baseline: values(false, metric)).summary(format)
            }
            text += "| \(variant.name): dropout on − off | both | " + [compare(\.parzenLL, "%.1f"), compare(\.labelAccuracy, "%.3f"),
                compare(\.fid, "%.1f"), ""].joined(separator: " | ") + " |\n"
            lines += 1
        }
        return lines == 0 ? "" : text
    }

    /// The Markdown table: one line per variant (and way of sampling), mean ± sd over seeds.
    public var markdownTable: String {
        let pixels = experiment.measuresTrainingModePixels
        // A column for the seeds that diverged, where any did: a row's mean covers only the seeds that did not.
        let showsDiverged = !diverged.isEmpty
        var text = "| variant | seeds |" + (showsDiverged ? " diverged (at step) |" : "")
            + " sampling dropout | Parzen LL (nats) | label accuracy | FID | collapsed classes | D(x) last epoch | D(G(z)) last epoch | images/s |"
            + (pixels ? " G's samples with dropout on: pixels outside [0, 1] | exactly mid-grey |" : "") + "\n"
        text += "|" + String(repeating: "---|", count: (pixels ? 12 : 10) + (showsDiverged ? 1 : 0)) + "\n"
        for variant in experiment.variants {
            let steps = diverged.filter { $0.variant == variant.name }.map(\.divergence.step)
            let divergedCell = showsDiverged ? " \(steps.count)" + (steps.isEmpty ? "" : " (\(steps.min()!)" + (steps.count > 1 ? "–\(steps.max()!)" : "") + ")") + " |" : ""
            if !steps.isEmpty && !rows.contains(where: { $0.variant == variant.name }) {
                text += "| \(variant.name) | 0 |\(divergedCell)" + String(repeating: " |", count: pixels ? 10 : 8) + "\n"
            }
            for dropout in [false, true] {
                let group = rows.filter { $0.variant == variant.name && $0.dropoutAtSampling == dropout }
                guard !group.isEmpty else { continue }
                func cell(_ values: [Double], _ format: String) -> String {
                    let (m, s) = Self.spread(values)
                    return String(format: format + " ± " + format, m, s)
                }
                text += "| \(variant.name) | \(group.count) |\(divergedCell) \(dropout ? "on" : "off") | "
                    + [cell(group.map(\.parzenLL), "%.1f"), cell(group.map(\.labelAccuracy), "%.3f"), cell(group.map(\.fid), "%.2f"),
                       cell(group.map { Double($0.collapsedClasses) }, "%.1f"), cell(group.map(\.lastRealScore), "%.2f"),
                       cell(group.map(\.lastFakeScore), "%.2f"), cell(group.map(\.imagesPerSecond), "%.0f")].joined(separator: " | ")
                if pixels {
                    text += " | " + cell(group.compactMap { $0.trainingModePixels?.outOfRange }, "%.3f")
                        + " | " + cell(group.compactMap { $0.trainingModePixels?.exactMidGrey }, "%.3f")
                }
                text += " |\n"
            }
        }
        return text
    }

    /// The seeds of `variant` that diverged.
    private func divergedSeeds(_ variant: String) -> [Int] { diverged.filter { $0.variant == variant }.map(\.seed) }

    /// `metric` of `variant`'s runs sampled with G's dropout on or off, by seed.
    private func bySeed(_ variant: String, dropout: Bool, _ metric: (Row) -> Double) -> [Int: Double] {
        Dictionary(rows.filter { $0.variant == variant && $0.dropoutAtSampling == dropout }.map { ($0.seed, metric($0)) },
                   uniquingKeysWith: { a, _ in a })
    }

    /// Writes results.csv, report.md, validation-ll.svg, d-fake.svg and grid-<variant>.png into `directory`.
    public func write(to directory: String, root: String, command: String, commit: String) throws {
        try DirectoryCreation.create(directory)
        // Every file checked before any is written: a report is replaced whole or not at all.
        for file in ["results.csv", "report.md", "validation-ll.svg", "d-fake.svg"] { try AtomicFile.checkWritable(directory + "/" + file) }
        try AtomicFile.write(csv(commit: commit), to: directory + "/results.csv")
        let names = experiment.variants.map(\.name).filter { curves[$0] != nil }
        // SVG, so that the charts carry their axis titles and a legend.
        let validation = LinePlot(series: names.map { .init(Self.meanCurve(curves[$0]!.map(\.validation))) })
        try AtomicFile.write(validation.svg(title: "Validation Parzen log-likelihood, mean over seeds", xLabel: "epoch",
                                           yLabel: "validation LL (nats)", names: names), to: directory + "/validation-ll.svg")
        let fakeScore = LinePlot(series: names.map { .init(Self.meanCurve(curves[$0]!.map(\.fakeScore))) })
        try AtomicFile.write(fakeScore.svg(title: "D(G(z)) while training, mean over seeds", xLabel: "epoch",
                                          yLabel: "D(G(z))", names: names), to: directory + "/d-fake.svg")
        var grids: [String] = [], gridFiles: Set<String> = []
        for name in names {
            // The first seed whose checkpoint is here (archived runs have none).
            let variant = experiment.variants.first { $0.name == name }!
            let seeds = Set(rows.filter { $0.variant == name }.map(\.seed)).sorted()
            guard let seed = seeds.first(where: { !Experiment.isArchived(experiment.runDirectory(root: root, variant: variant, seed: $0)) }) else { continue }
            let g = try ConditionalGenerator(checkpoint: experiment.runDirectory(root: root, variant: variant, seed: seed).latestCheckpoint)
            for dropout in [false] + (g.config.model.generatorDropout > 0 ? [true] : []) {
                let file = "grid-\(name)" + (dropout ? "-dropout-on" : "") + ".png"
                let labels = (0..<g.classCount * 10).map { $0 / 10 }
                try ImageGrid.writePNG(g.images(labels: labels, seed: 1, dropout: dropout), columns: 10, to: directory + "/" + file)
                grids.append("![\(name), seed \(seed)\(dropout ? ", dropout on" : "")](\(file))")
                gridFiles.insert(file)
            }
        }
        // A grid of an earlier report that this one could not draw (its runs archived) must not stand for it; other
        // files in the folder are left alone.
        for variant in experiment.variants {
            for file in ["grid-\(variant.name).png", "grid-\(variant.name)-dropout-on.png"]
            where !gridFiles.contains(file) && FileManager.default.fileExists(atPath: directory + "/" + file) {
                try FileManager.default.removeItem(atPath: directory + "/" + file)
            }
        }
        var text = "# \(experiment.name): \(experiment.question)\n\n"
        text += markdownTable + "\n"
        let paired = pairedTable
        if !paired.isEmpty {
            text += "Paired by seed, each arm against its baseline: mean difference (arm − baseline), its 95% t-interval and the exact two-sided sign-flip p-value (at best 2/2^n with n seeds):\n\n" + paired + "\n"
        }
        text += "Every run:\n\n" + perSeedTable + "\n"
        text += "Validation Parzen log-likelihood per epoch (1,000 validation images, 200 samples per class, sampled as each run's own setting), mean over seeds:\n\n![validation LL](validation-ll.svg)\n\n"
        text += "D(G(z)) while training (metrics.csv), mean over seeds:\n\n![D(G(z))](d-fake.svg)\n\n"
        if !grids.isEmpty {
            text += "Samples of the last checkpoint of each variant's first seed that has one (row k = class k; G's dropout off, and also on where G has dropout; archived runs have no checkpoint):\n\n"
            text += grids.joined(separator: " ") + "\n\n"
        }
        text += "Command: `\(command)`\n"
        if !diverged.isEmpty {
            text += "\nDiverged (loss not finite; no checkpoint scored, left out of the means; in the paired statistics, a seed the other arm has counts as a pair without a difference): "
                + diverged.map { "\($0.variant)/seed-\($0.seed) at \($0.divergence.summary)" }.joined(separator: ", ") + "\n"
        }
        if !unfinished.isEmpty { text += "\nNot finished yet: \(unfinished.joined(separator: ", "))\n" }
        try AtomicFile.write(text, to: directory + "/report.md")
    }
}

/// What D is shown of G's samples: the share of pixels no real image has.
public struct PixelStatistics: Sendable {
    /// Share of pixels outside [0, 1] (inverted dropout scales kept pixels by 1/(1-p)).
    public let outOfRange: Double
    /// Share of pixels exactly at mid-grey: a tanh output zeroed by dropout (no 8-bit image has 127.5).
    public let exactMidGrey: Double

    /// Statistics of 100 samples per class drawn by `generator`, with its dropout on or off, before clipping.
    public init(generator: ConditionalGenerator, dropout: Bool) {
        let labels = (0..<generator.classCount * 100).map { $0 / 100 }
        let images = generator.generate(labels: labels, seed: 77, dropout: dropout)
        var outside = 0, midGrey = 0
        let p = images.pointer
        for i in 0..<images.count {
            if p[i] < 0 || p[i] > 1 { outside += 1 }
            if p[i] == 0.5 { midGrey += 1 }
        }
        outOfRange = Double(outside) / Double(images.count)
        exactMidGrey = Double(midGrey) / Double(images.count)
    }
}

extension ExperimentReport {
    /// The mean of metrics.csv's column `name` over the last epoch's rows, each row weighted by the steps it
    /// averages (those since the row before it: fewer at an epoch's end); a gap that is not a positive number
    /// (a damaged file) counts as one step.
    public static func lastEpochMean(of name: String, in metrics: CSVTable) -> Double {
        let epochs = metrics.column("epoch"), last = (epochs.max() ?? 1).rounded(.up) - 1
        let rows = metrics.rows.indices.filter { epochs[$0] > last }
        let steps = metrics.column("step"), values = metrics.column(name)
        let weights = rows.map { i -> Double in
            let gap = steps[i] - (i > 0 ? steps[i - 1] : 0)
            return gap.isFinite && gap > 0 ? gap : 1
        }
        let total = weights.reduce(0, +), weighted = zip(rows, weights).map { values[$0] * $1 }.reduce(0, +) / max(total, 1)
        // Steps too large to sum (a damaged file): the rows count alike.
        return total.isFinite && weighted.isFinite ? weighted : rows.map { values[$0] }.reduce(0, +) / Double(max(rows.count, 1))
    }
}

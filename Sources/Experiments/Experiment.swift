import CGAN
import Files
import Foundation

/// A controlled experiment answering one of the open questions about the paper's model: variants that differ in one
/// factor, each trained with several seeds on the same budget and scored by `cgan evaluate`.
public struct Experiment: Sendable {
    /// One arm of the experiment: the `cgan train` options that set it apart, and the name of the run
    /// configuration they make. Arms of different experiments with the same options (the paper model as
    /// documented is the baseline of four) share their runs.
    public struct Variant: Sendable {
        public let name: String
        public let run: String
        public let trainArguments: [String]
        /// The arm this one is compared with, seed by seed; nil for a baseline.
        public let baseline: String?
    }

    public let name: String
    /// The question, as docs/experiments.md puts it.
    public let question: String
    public let variants: [Variant]
    /// Also measure what D sees: pixel statistics of G's samples with its dropout on (`PixelStatistics`).
    public let measuresTrainingModePixels: Bool

    /// `baselines` are the arms the others are compared with: each arm with the last baseline listed before it.
    /// Nil: the first arm.
    init(_ name: String, question: String, trainingModePixels: Bool = false,
         variants: [(String, String, [String])], baselines: Set<String>? = nil) {
        self.name = name
        self.question = question
        self.measuresTrainingModePixels = trainingModePixels
        let baselines = baselines ?? Set(variants.prefix(1).map(\.0))
        var current: String?
        self.variants = variants.map { arm in
            if baselines.contains(arm.0) { current = arm.0; return Variant(name: arm.0, run: arm.1, trainArguments: arm.2, baseline: nil) }
            return Variant(name: arm.0, run: arm.1, trainArguments: arm.2, baseline: current)
        }
    }

    /// Epochs per run unless `--epochs` says otherwise: one budget for all, so that shared runs fit every experiment.
    /// 30: the mlp model draws the class asked for from about epoch 20, and the paper model is near the paper's
    /// figure (its validation likelihood still rises: 40-epoch runs end 7.5 nats higher on average, results.md),
    /// at a cost that allows five seeds per arm on two cores.
    public static let defaultEpochs = 30

    // The run configurations, by name. The paper model as README's Table 1 command trains it: its G's dropout on
    // when sampling, so that its validation curve (and best epoch) measure the samples it is scored on; the
    // training itself does not depend on it.
    static let paper = ["--arch", "paper", "--dropout-at-sampling", "on"], mlp = ["--arch", "mlp"]

    /// The width arms of `model`, its documented widths first: G and D scaled together, then each alone, by 0.5 and 2.
    static func widthArms(_ model: String, _ arch: [String]) -> [(String, String, [String])] {
        func arm(_ who: String, _ option: String, _ factor: String) -> (String, String, [String]) {
            ("\(model)-\(who)x\(factor)", "\(model)-\(who.lowercased())width-\(factor)", arch + [option, factor])
        }
        return [("\(model)-x1", model, arch), arm("", "--width", "0.5"), arm("", "--width", "2"),
                arm("G-", "--g-width", "0.5"), arm("G-", "--g-width", "2"), arm("D-", "--d-width", "0.5"), arm("D-", "--d-width", "2")]
    }

    /// The schedule grid of the paper model: SGD's initial learning rate by its initial momentum, around the
    /// paper's 0.1 and 0.5 (the run named "paper").
    static let scheduleArms: [(String, String, [String])] = {
        var arms: [(String, String, [String])] = [("lr-0.1-momentum-0.5", "paper", paper)]
        for lr in ["0.05", "0.1", "0.2"] {
            for m in ["0.3", "0.5", "0.7"] where lr != "0.1" || m != "0.5" {
                let options: [String] = paper + ["--lr", lr, "--momentum", m]
                arms.append(("lr-\(lr)-momentum-\(m)", "paper-lr-\(lr)-momentum-\(m)", options))
            }
        }
        return arms
    }()

    /// The eight experiments, in the order of docs/experiments.md. The first arm of each is its baseline, which
    /// the report compares every other arm with, seed by seed.
    public static let all: [Experiment] = [
        Experiment("width", question: "How wide should the layers be?",
                   variants: widthArms("paper", paper) + widthArms("mlp", mlp), baselines: ["paper-x1", "mlp-x1"]),
        Experiment("output-dropout", question: "Why does dropout after G's last layer destroy training?", trainingModePixels: true, variants: [
            ("mlp", "mlp", mlp), ("mlp-output-dropout-0.5", "mlp-output-dropout-0.5", mlp + ["--g-output-dropout", "0.5"]),
        ]),
        Experiment("discriminator", question: "The paper's maxout D or the LeakyReLU D most reimplementations use?", variants: [
            ("paper-G-maxout-D", "paper", paper),
            // The activation alone: the paper's D, LeakyReLU units in place of maxout units.
            ("paper-G-paper-leaky-D", "paper-paper-leaky-D", paper + ["--discriminator", "paper-leaky"]),
            // The whole D of the common reimplementation: layout, widths, activation, initial weights, no input dropout.
            ("paper-G-leaky-D", "paper-leaky-D", paper + ["--discriminator", "leaky", "--d-input-dropout", "0"]),
        ]),
        Experiment("generator-design", question: "Concatenate [z, y] first, or embed z and y apart (with batch norm)?", variants: [
            // mlp's own D is the leaky one and its G has no dropout: mlp as documented is the first arm. The next
            // three each take one of the ways mlp-bn's G differs; the last takes all three (mlp-bn's G itself).
            ("concat-first", "mlp", mlp),
            ("embed-apart", "mlp-g-embed-apart", mlp + ["--g-embed-apart"]),
            ("batch-norm", "mlp-g-batch-norm", mlp + ["--g-batch-norm"]),
            ("relu", "mlp-g-relu", mlp + ["--g-relu"]),
            ("embed-apart-bn", "mlp-bn-leaky-D-no-G-dropout", ["--arch", "mlp-bn", "--discriminator", "leaky", "--g-dropout", "0"]),
        ]),
        Experiment("generator-loss", question: "Non-saturating -log D(G(z)) or minimax log(1 - D(G(z)))?", variants: [
            ("non-saturating", "paper", paper), ("saturating", "paper-saturating", paper + ["--g-loss", "saturating"]),
        ]),
        // Each run is its own comparison: sampled with G's dropout off and on.
        Experiment("sampling-dropout", question: "Keep G's dropout on when sampling?", variants: [
            ("paper", "paper", paper), ("mlp-bn", "mlp-bn", ["--arch", "mlp-bn"]),
        ], baselines: ["paper", "mlp-bn"]),
        Experiment("conditioning", question: "Where should D read the class?", variants: [
            ("hidden-layer", "paper", paper),
            ("input-one-hot", "paper-d-input", paper + ["--d-conditioning", "input"]),
            ("input-embedding", "paper-d-embedding", paper + ["--d-conditioning", "embedding"]),
            ("projection", "paper-d-projection", paper + ["--d-conditioning", "projection"]),
        ]),
        Experiment("schedule", question: "Which learning rate and momentum, and how many epochs?",
                   variants: scheduleArms),
    ]

    public static func named(_ name: String) -> Experiment? { all.first { $0.name == name } }

    /// The run directory of `variant` with `seed` under `root`: root/runs/<run configuration>/seed-<seed>.
    public func runDirectory(root: String, variant: Variant, seed: Int) -> RunDirectory {
        Self.runDirectory(root: root, run: "\(variant.run)/seed-\(seed)")
    }

    /// The run directory of "RUN/seed-N" under `root`.
    public static func runDirectory(root: String, run: String) -> RunDirectory { RunDirectory("\(root)/runs/\(run)") }

    /// Where the report of this experiment is written: root/<experiment>.
    public func reportDirectory(root: String) -> String { "\(root)/\(name)" }

    /// The `cgan train` arguments of one run, all but the data location. One thread: runs go in parallel.
    public static func trainArguments(_ variant: Variant, seed: Int, epochs: Int, directory: RunDirectory) -> [String] {
        variant.trainArguments + ["--seed", String(seed), "--epochs", String(epochs), "--threads", "1",
                                  "--eval-every", "1", "--validation-count", "1000", "--samples-per-class", "200",
                                  "--out", directory.path]
    }

    /// Where the run in `directory` stands, from its last checkpoint; nil before its first. An archived run (its
    /// checkpoints removed, its config.json, logs and evaluation.json kept: see `isArchived`) stands where it was
    /// evaluated.
    public static func trainedPosition(_ directory: RunDirectory) -> Checkpoint.Position? {
        guard FileManager.default.fileExists(atPath: directory.latestCheckpoint) else {
            return isArchived(directory) ? evaluatedPosition(directory) : nil
        }
        return try? Checkpoint(path: directory.latestCheckpoint).position
    }

    /// True for a run kept without its checkpoints: config.json, metrics.csv and evaluation.json, the files the
    /// report reads (a few kilobytes, where the checkpoints take megabytes), so that finished runs can be kept
    /// in a repository between machines and still count as finished. Its report row has no sample grid.
    public static func isArchived(_ directory: RunDirectory) -> Bool {
        let files = FileManager.default
        // A checkpoint link to nothing is a damaged run, not an archived one.
        return !files.fileExists(atPath: directory.latestCheckpoint) && directory.brokenCheckpointLink == nil && files.fileExists(atPath: directory.config)
            && files.fileExists(atPath: directory.metrics) && files.fileExists(atPath: directory.evaluation)
    }

    /// True when the run in `directory` has gone past `epochs` (a checkpoint within a later epoch counts).
    public static func isLonger(_ position: Checkpoint.Position, than epochs: Int) -> Bool {
        position.epoch > epochs || (position.epoch == epochs && position.batch > 0)
    }

    /// What evaluation.json (written by `cgan evaluate`) says it scored: the checkpoint's path and position, each
    /// nil when it does not say; nil when there is no readable evaluation.
    static func evaluationStamp(_ directory: RunDirectory) -> (checkpoint: String?, position: Checkpoint.Position?)? {
        struct Document: Decodable { let checkpoint: String?; let position: Checkpoint.Position? }
        guard let data = RegularFile.contents(atPath: directory.evaluation, limit: RunDirectory.evaluationLimit),
              let document = try? JSONDecoder().decode(Document.self, from: data) else { return nil }
        return (document.checkpoint, document.position)
    }

    /// The position of the checkpoint that evaluation.json scored; nil when there is no evaluation, or it does not say.
    public static func evaluatedPosition(_ directory: RunDirectory) -> Checkpoint.Position? {
        evaluationStamp(directory)?.position
    }

    /// True when the run in `directory` was trained for exactly `epochs` epochs and its checkpoint at that point
    /// evaluated.
    public static func isFinished(_ directory: RunDirectory, epochs: Int) -> Bool {
        let budget = Checkpoint.Position(step: 0, epoch: epochs, batch: 0)
        func atBudget(_ p: Checkpoint.Position?) -> Bool { p.map { $0.epoch == budget.epoch && $0.batch == 0 } ?? false }
        if isArchived(directory) && archiveProblem(directory, epochs: epochs) != nil { return false }
        return atBudget(trainedPosition(directory)) && atBudget(evaluatedPosition(directory))
    }

    /// For an archived run (`isArchived`): why its files do not make a finished run of `epochs` epochs (they must
    /// agree: its config trained for this budget with its folder's seed, its evaluation scored the last
    /// checkpoint); nil when they do.
    public static func archiveProblem(_ directory: RunDirectory, epochs: Int) -> String? {
        guard let config = directory.storedConfig else { return "\(directory.config) unreadable" }
        if config.optimization.epochs != epochs { return "trained for \(config.optimization.epochs) epochs" }
        let folder = URL(fileURLWithPath: directory.path).lastPathComponent
        if folder != "seed-\(config.optimization.seed)" { return "archived with the config of seed \(config.optimization.seed) in \(folder)" }
        // This run's own last checkpoint, wherever the run lay when it was scored: .../<run>/seed-N/checkpoints/latest.safetensors.
        let run = URL(fileURLWithPath: directory.path).deletingLastPathComponent().lastPathComponent
        guard let scored = evaluationStamp(directory)?.checkpoint else { return "\(directory.evaluation) names no checkpoint" }
        if !scored.hasSuffix("/\(run)/\(folder)/checkpoints/latest.safetensors") {
            return "its evaluation.json scored another checkpoint than its own last one"
        }
        return nil
    }

    /// The divergence recorded in `directory` (diverged.json, `Divergence`) when it stands for a run of `epochs`
    /// epochs: it happened within them, and the run's schedule did not depend on its length (SGD's does not;
    /// Adam's linear decay to the last step does, unless the run was trained for exactly `epochs`). Such a run
    /// has ended: it is reported as diverged and not trained again. Nil otherwise.
    public static func divergence(_ directory: RunDirectory, within epochs: Int) -> Divergence? {
        guard let record = Divergence(in: directory), record.epoch <= epochs, let config = directory.storedConfig else { return nil }
        let lengthMatters = config.optimization.optimizer == .adam && config.optimization.learningRateDecayStart != nil
        guard !lengthMatters || config.optimization.epochs == epochs else { return nil }
        // A record behind the run's own position (a stray copy, or one a resume did not remove) is not its outcome.
        if let trained = trainedPosition(directory), trained.step >= record.step { return nil }
        return record
    }

    /// For a run kept without a checkpoint whose divergence record does not stand for `epochs` (`divergence(_:within:)`):
    /// why; nil otherwise. Such a run can neither be continued nor reported at that budget.
    public static func divergenceProblem(_ directory: RunDirectory, epochs: Int) -> String? {
        guard directory.holdsDivergenceRecord, !FileManager.default.fileExists(atPath: directory.latestCheckpoint) else { return nil }
        // Training it again would replace the files the record came with.
        guard let record = Divergence(in: directory) else { return "its diverged.json is not a readable record, and it keeps no checkpoint" }
        guard divergence(directory, within: epochs) == nil else { return nil }
        let length = directory.storedConfig.map { " of a \($0.optimization.epochs)-epoch run" } ?? ""
        return "it diverged at \(record.summary)\(length), kept without a checkpoint, which does not stand for a run of \(epochs) epochs"
    }

    /// The `cgan evaluate` arguments of one finished run: its last checkpoint (every variant has the same
    /// budget), both ways of sampling (reports show both where G has dropout, the run's own elsewhere).
    public static func evaluateArguments(directory: RunDirectory) -> [String] {
        ["--checkpoint", directory.latestCheckpoint, "--dropout-at-sampling", "both"]
    }
}

import CGAN
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
    }

    public let name: String
    /// The question, as docs/experiments.md puts it.
    public let question: String
    public let variants: [Variant]
    /// Also measure what D sees: pixel statistics of G's samples with its dropout on (`PixelStatistics`).
    public let measuresTrainingModePixels: Bool

    init(_ name: String, question: String, trainingModePixels: Bool = false,
         variants: [(String, String, [String])]) {
        self.name = name
        self.question = question
        self.measuresTrainingModePixels = trainingModePixels
        self.variants = variants.map { Variant(name: $0.0, run: $0.1, trainArguments: $0.2) }
    }

    /// Epochs per run unless `--epochs` says otherwise: one budget for all, so that shared runs fit every experiment.
    public static let defaultEpochs = 5

    // The run configurations, by name.
    static let paper = ["--arch", "paper"], mlp = ["--arch", "mlp"]

    /// The six experiments, in the order of docs/experiments.md.
    public static let all: [Experiment] = [
        Experiment("width", question: "How wide should the layers be?", variants: [
            ("paper-x0.5", "paper-width-0.5", paper + ["--width", "0.5"]), ("paper-x1", "paper", paper),
            ("paper-x2", "paper-width-2", paper + ["--width", "2"]),
            ("mlp-x0.5", "mlp-width-0.5", mlp + ["--width", "0.5"]), ("mlp-x1", "mlp", mlp),
            ("mlp-x2", "mlp-width-2", mlp + ["--width", "2"]),
        ]),
        Experiment("output-dropout", question: "Why does dropout after G's last layer destroy training?", trainingModePixels: true, variants: [
            ("mlp", "mlp", mlp), ("mlp-output-dropout-0.5", "mlp-output-dropout-0.5", mlp + ["--g-output-dropout", "0.5"]),
        ]),
        Experiment("discriminator", question: "The paper's maxout D or the LeakyReLU D most reimplementations use?", variants: [
            ("paper-G-maxout-D", "paper", paper), ("paper-G-leaky-D", "paper-leaky-D", paper + ["--discriminator", "leaky"]),
        ]),
        Experiment("generator-design", question: "Concatenate [z, y] first, or embed z and y apart (with batch norm)?", variants: [
            // mlp's own D is the leaky one and its G has no dropout: mlp as documented is the first arm.
            ("concat-first", "mlp", mlp),
            ("embed-apart-bn", "mlp-bn-leaky-D-no-G-dropout", ["--arch", "mlp-bn", "--discriminator", "leaky", "--g-dropout", "0"]),
        ]),
        Experiment("generator-loss", question: "Non-saturating -log D(G(z)) or minimax log(1 - D(G(z)))?", variants: [
            ("non-saturating", "paper", paper), ("saturating", "paper-saturating", paper + ["--g-loss", "saturating"]),
        ]),
        Experiment("sampling-dropout", question: "Keep G's dropout on when sampling?", variants: [
            ("paper", "paper", paper), ("mlp-bn", "mlp-bn", ["--arch", "mlp-bn"]),
        ]),
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

    /// Where the run in `directory` stands, from its last checkpoint; nil before its first.
    public static func trainedPosition(_ directory: RunDirectory) -> Checkpoint.Position? {
        guard FileManager.default.fileExists(atPath: directory.latestCheckpoint) else { return nil }
        return try? Checkpoint(path: directory.latestCheckpoint).position
    }

    /// True when the run in `directory` has gone past `epochs` (a checkpoint within a later epoch counts).
    public static func isLonger(_ position: Checkpoint.Position, than epochs: Int) -> Bool {
        position.epoch > epochs || (position.epoch == epochs && position.batch > 0)
    }

    /// The position of the checkpoint that evaluation.json scored (written by `cgan evaluate`); nil when there is
    /// no evaluation, or it does not say.
    public static func evaluatedPosition(_ directory: RunDirectory) -> Checkpoint.Position? {
        struct Document: Decodable { let position: Checkpoint.Position? }
        guard let data = FileManager.default.contents(atPath: directory.evaluation) else { return nil }
        return (try? JSONDecoder().decode(Document.self, from: data))?.position
    }

    /// True when the run in `directory` was trained for exactly `epochs` epochs and its checkpoint at that point
    /// evaluated.
    public static func isFinished(_ directory: RunDirectory, epochs: Int) -> Bool {
        let budget = Checkpoint.Position(step: 0, epoch: epochs, batch: 0)
        func atBudget(_ p: Checkpoint.Position?) -> Bool { p.map { $0.epoch == budget.epoch && $0.batch == 0 } ?? false }
        return atBudget(trainedPosition(directory)) && atBudget(evaluatedPosition(directory))
    }

    /// The `cgan evaluate` arguments of one finished run: its last checkpoint (every variant has the same
    /// budget), both ways of sampling (reports show both where G has dropout, the run's own elsewhere).
    public static func evaluateArguments(directory: RunDirectory) -> [String] {
        ["--checkpoint", directory.latestCheckpoint, "--dropout-at-sampling", "both"]
    }
}

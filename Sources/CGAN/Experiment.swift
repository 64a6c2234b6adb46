import Foundation

/// A controlled experiment answering one of the brief's open questions: variants that differ in one
/// factor, each trained with several seeds on the same budget and scored by `cgan evaluate`.
public struct Experiment: Sendable {
    /// One arm of the experiment: the `cgan train` options that set it apart.
    public struct Variant: Sendable {
        public let name: String
        public let trainArguments: [String]
    }

    public let name: String
    /// The brief's question, as docs/experiments.md puts it.
    public let question: String
    public let variants: [Variant]
    /// Epochs per run unless `--epochs` says otherwise.
    public let defaultEpochs: Int
    /// `cgan evaluate` options beyond the checkpoint (e.g. both ways of sampling).
    public let evaluateArguments: [String]
    /// Also measure what D sees: pixel statistics of G's samples with its dropout on (`PixelStatistics`).
    public let measuresTrainingModePixels: Bool

    init(_ name: String, question: String, epochs: Int, evaluate: [String] = [], trainingModePixels: Bool = false,
         variants: [(String, [String])]) {
        self.name = name
        self.question = question
        self.defaultEpochs = epochs
        self.evaluateArguments = evaluate
        self.measuresTrainingModePixels = trainingModePixels
        self.variants = variants.map { Variant(name: $0.0, trainArguments: $0.1) }
    }

    /// The six experiments, in the brief's order.
    public static let all: [Experiment] = [
        Experiment("width", question: "How wide should the layers be?", epochs: 2, variants: [
            ("paper-x0.5", ["--arch", "paper", "--width", "0.5"]), ("paper-x1", ["--arch", "paper"]),
            ("paper-x2", ["--arch", "paper", "--width", "2"]),
            ("mlp-x0.5", ["--arch", "mlp", "--width", "0.5"]), ("mlp-x1", ["--arch", "mlp"]),
            ("mlp-x2", ["--arch", "mlp", "--width", "2"]),
        ]),
        Experiment("output-dropout", question: "Why does dropout after G's last layer destroy training?", epochs: 3,
                   trainingModePixels: true, variants: [
            ("mlp", ["--arch", "mlp"]), ("mlp-output-dropout-0.5", ["--arch", "mlp", "--g-output-dropout", "0.5"]),
        ]),
        Experiment("discriminator", question: "The paper's maxout D or the LeakyReLU D most reimplementations use?", epochs: 3, variants: [
            ("paper-G-maxout-D", ["--arch", "paper", "--discriminator", "maxout"]),
            ("paper-G-leaky-D", ["--arch", "paper", "--discriminator", "leaky"]),
        ]),
        Experiment("generator-design", question: "Concatenate [z, y] first, or embed z and y apart (with batch norm)?", epochs: 3, variants: [
            ("concat-first", ["--arch", "mlp", "--discriminator", "leaky", "--g-dropout", "0"]),
            ("embed-apart-bn", ["--arch", "mlp-bn", "--discriminator", "leaky", "--g-dropout", "0"]),
        ]),
        Experiment("generator-loss", question: "Non-saturating -log D(G(z)) or minimax log(1 - D(G(z)))?", epochs: 3, variants: [
            ("non-saturating", ["--arch", "paper", "--g-loss", "non-saturating"]),
            ("saturating", ["--arch", "paper", "--g-loss", "saturating"]),
        ]),
        Experiment("sampling-dropout", question: "Keep G's dropout on when sampling?", epochs: 3,
                   evaluate: ["--dropout-at-sampling", "both"], variants: [
            ("paper", ["--arch", "paper"]), ("mlp-bn", ["--arch", "mlp-bn"]),
        ]),
    ]

    public static func named(_ name: String) -> Experiment? { all.first { $0.name == name } }

    /// The run directory of `variant` with `seed` under `root`: root/<experiment>/<variant>/seed-<seed>.
    public func runDirectory(root: String, variant: String, seed: Int) -> RunDirectory {
        RunDirectory("\(root)/\(name)/\(variant)/seed-\(seed)")
    }

    /// Where the report of this experiment is written: root/<experiment>/report.
    public func reportDirectory(root: String) -> String { "\(root)/\(name)/report" }

    /// The `cgan train` arguments of one run, all but the data location. One thread: runs go in parallel.
    public func trainArguments(_ variant: Variant, seed: Int, epochs: Int, directory: RunDirectory) -> [String] {
        variant.trainArguments + ["--seed", String(seed), "--epochs", String(epochs), "--threads", "1",
                                  "--eval-every", "1", "--validation-count", "1000", "--samples-per-class", "200",
                                  "--out", directory.path]
    }

    /// The `cgan evaluate` arguments of one finished run: its last checkpoint, so every variant has the same budget.
    public func evaluateArguments(directory: RunDirectory) -> [String] {
        ["--checkpoint", directory.latestCheckpoint] + evaluateArguments
    }
}

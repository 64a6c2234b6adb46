import ArgumentParser
import CGAN
import Datasets
import Foundation

extension Architecture: ExpressibleByArgument {}
extension GeneratorLoss: ExpressibleByArgument {}
extension NoiseDistribution: ExpressibleByArgument {}
extension DiscriminatorKind: ExpressibleByArgument {}
extension AdversarialLoss: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a conditional GAN and write its run directory.",
        discussion: """
        Writes <out>/config.json, metrics.csv, samples/epoch-NNN.png (row k = class k, the same noise every \
        epoch), validation.csv and checkpoints/latest.safetensors (every epoch, and on Ctrl-C) and \
        checkpoints/best.safetensors (best validation log-likelihood).

        Defaults that depend on --arch: paper: batch 100, SGD lr 0.1 decayed by 1.00004 per step (floor 1e-6), \
        momentum 0.5 -> 0.7, uniform z, dropout G 0.5 and D 0.5 (D input 0.2). mlp: batch 64, Adam 2e-4 \
        (betas 0.5, 0.999), normal z, dropout G 0, D 0.3. mlp-bn: as mlp with G dropout 0.2. dcgan: as mlp \
        (D dropout after the first convolution only, and off in G's step), with a projection D, \
        class-conditional batch norm in G, a 0.999 average of G's weights for sampling, and 40 epochs.
        """)

    @Option(help: "Model: paper (Mirza & Osindero), mlp (concatenate first), mlp-bn (separate embeddings, batch norm), dcgan (convolutional) (default: paper).")
    var arch: Architecture?

    @OptionGroup var location: DataCommand.Location

    @Option(help: "Epochs to train (default: 40 for dcgan, 30 otherwise; with --resume: the new total).")
    var epochs: Int?

    @Option(help: "Minibatch size (default: 100 for paper, 64 otherwise).")
    var batchSize: Int?

    @Option(help: "Random seed: the same seed gives the same run (default: 1).")
    var seed: UInt64?

    @Option(help: "Threads of the matrix products (default: 1; with --resume: the run's, or this).")
    var threads: Int?

    @OptionGroup(title: "Matrix products") var matrix: MatrixOptions

    @Option(help: "Run directory (default: runs/<arch>).")
    var out: String?

    @Flag(help: "Continue the run in --out from its latest checkpoint, exactly where it stopped. Options that would change the run are refused; --epochs and --threads apply. What to write along the way (--sample-every, --keep-every, --log-every, --eval-every) is not remembered: give it again.")
    var resume = false

    @Option(help: "Write a sample grid every N epochs.")
    var sampleEvery = 1

    @Option(help: "Also keep checkpoints/epoch-NNN.safetensors every N epochs, to evaluate the run's course later (default: 0, only latest and best).")
    var keepEvery = 0

    @Option(help: "Log D/G losses to metrics.csv and the screen every N steps.")
    var logEvery = 100

    @Option(help: "Generator loss: non-saturating (-log D(G(z))) or saturating (log(1 - D(G(z)))) (default: non-saturating).")
    var gLoss: GeneratorLoss?

    @Option(help: "Train on the first N training images only (quick experiments).")
    var trainLimit: Int?

    @Option(help: "Initial learning rate (default: 0.1 for paper, 2e-4 otherwise).")
    var lr: Double?

    @Option(help: "Noise distribution of z: uniform in [0, 1) or normal (default: uniform for paper, normal otherwise).")
    var noise: NoiseDistribution?

    @Option(help: "paper: epochs over which momentum rises from 0.5 to 0.7 (default: 250, as in the pylearn2 GAN code).")
    var momentumSaturateEpochs: Double?

    @Option(help: "MLP models: dropout probability in G's hidden layers (default: 0.5 paper, 0 mlp, 0.2 mlp-bn).")
    var gDropout: Double?

    @Option(help: "Dropout probability in D's hidden layers (dcgan: after the first convolution's activation, and after the second's as --d-head-dropout sets) (default: 0.5 paper, 0.3 otherwise; 0 for dcgan with --reference).")
    var dDropout: Double?

    @Option(help: "dcgan: dropout probability on the features D's head reads, after the second convolution (default: 0 for dcgan, so only the first convolution's output is dropped; --d-dropout's with --reference).")
    var dHeadDropout: Double?

    @Flag(inversion: .prefixedNo, help: "D's dropout is on also when D scores G's images for G's update, as in PyTorch's D.train(); --no-dropout-in-g-step: G learns from the whole D while D still trains with dropout (default: off for dcgan, on for the MLP models and with --reference).")
    var dropoutInGStep: Bool?

    @Option(help: "Maxout D (paper, or --discriminator maxout): dropout probability on D's image input (default: 0.2 paper).")
    var dInputDropout: Double?

    @Option(help: "paper: G's initial weights are uniform in ±this (default: 0.05).")
    var gInitRange: Double?

    @Option(help: "paper: D's initial weights are uniform in ±this (default: 0.005).")
    var dInitRange: Double?

    @Option(help: "Limit each D unit's incoming weight vector to this L2 norm (default: no limit).")
    var dMaxNorm: Double?

    @Option(help: "Dropout probability after G's output activation, the brief's pitfall, for experiments (default: 0).")
    var gOutputDropout: Double?

    @Option(help: "Scale every hidden width of G and D (dcgan: channels) by this, in 0.125...8 (default: 1).")
    var width: Double?

    @Option(help: "D for an MLP model: maxout (the paper's) or leaky (mlp's: [x, y] then LeakyReLU layers) (default: the model's own).")
    var discriminator: DiscriminatorKind?

    @Flag(help: "Start from the model exactly as ../shared/bench/torch_cgan.py trains it (dcgan: no projection D, weight average, class-conditional batch norm or dropout in D), for comparisons with it; other options still apply.")
    var reference = false

    @Flag(inversion: .prefixedNo, help: "dcgan: D ends in a projection of its features on a learned class embedding (Miyato & Koyama, 2018) instead of a plain linear score (default: on for dcgan).")
    var projection: Bool?

    @Option(help: "Draw samples from a moving average of G's weights with this decay per step; 0: off (default: 0.999 for dcgan, 0 otherwise).")
    var gAverage: Double?

    @Option(help: "How D scores real against generated images: bce (cross-entropy, the paper's) or hinge (D: max(0, 1 - D(x)) + max(0, 1 + D(G(z))); G: -D(G(z))) (default: bce).")
    var loss: AdversarialLoss?

    @Flag(inversion: .prefixedNo, help: "dcgan: spectrally normalise every weight of D (Miyato et al., 2018), as the hinge loss is usually trained (default: off).")
    var spectralNorm: Bool?

    @Flag(inversion: .prefixedNo, help: "dcgan with --spectral-norm: normalise the projection head's weight and class embedding too; --no-head-spectral-norm leaves the class term unbounded (default: on).")
    var headSpectralNorm: Bool?

    @Option(help: "dcgan with the projection D: weight of an auxiliary class loss (AC-GAN): D also classifies real images from its features and G is scored by that classifier on its own images; 0: off (default: 0).")
    var classLoss: Double?

    @Flag(inversion: .prefixedNo, help: "dcgan: class-conditional batch norm in G: each batch norm's scale and shift are learned per class, so G is told the class at every normalised layer, not only at its input (default: on for dcgan).")
    var classBatchNorm: Bool?

    @Option(help: "D's learning rate is this times --lr (two time-scale updates, e.g. --lr 1e-4 --d-lr-scale 4), in (0, 100] (default: 1).")
    var dLrScale: Double?

    @Option(help: "Adam models: after this fraction of the run (e.g. 0.5), the learning rate falls linearly to zero at the last step (default: constant).")
    var lrDecayFrom: Double?

    @OptionGroup var sampling: SamplingDropoutOption

    @Option(help: "Score the validation set every K epochs (and after the last) and keep checkpoints/best.safetensors at the best validation Parzen log-likelihood; 0: never.")
    var evalEvery = 5

    @OptionGroup(title: "Validation") var evaluation: EvaluationOptions

    /// The run's settings are checked by `TrainingConfig.problem` (the same rules a checkpoint must meet);
    /// the options that steer this command only are checked here.
    func validate() throws {
        if evalEvery < 0 { throw CommandError("--eval-every must be 0 (off) or more") }
        if sampleEvery < 1 || logEvery < 1 { throw CommandError("--sample-every and --log-every must be at least 1") }
        if keepEvery < 0 { throw CommandError("--keep-every must be 0 (off) or more") }
        try sampling.validateSingle()
        // A resumed run's options are checked against its own model, in `run`.
        guard !resume else { return }
        let config = makeConfig()
        if let problem = config.problem ?? config.unusedSetting { throw CommandError(problem) }
    }

    /// The options applied to `stored` (a run being resumed, whose model the options must fit) or, for a new
    /// run, to the defaults of --arch.
    func makeConfig(resuming stored: TrainingConfig? = nil) -> TrainingConfig {
        var c = stored ?? TrainingConfig(architecture: arch ?? .paper)
        if reference { c.removeAdditions() }
        c.dataset = location.name()
        if let epochs { c.epochs = epochs }
        if let batchSize { c.batchSize = batchSize }
        if let seed { c.seed = seed }
        if let threads { c.threads = threads }
        if let trainLimit { c.trainLimit = trainLimit }
        if let gLoss { c.generatorLoss = gLoss }
        if let lr { c.learningRate = lr }
        if let noise { c.noise = noise }
        if let momentumSaturateEpochs { c.momentumSaturateEpochs = momentumSaturateEpochs }
        if let gDropout { c.generatorDropout = gDropout }
        if let dDropout { c.discriminatorDropout = dDropout }
        if let dHeadDropout { c.discriminatorHeadDropout = dHeadDropout }
        if let dropoutInGStep { c.discriminatorDropoutInGeneratorStep = dropoutInGStep }
        if let dInputDropout { c.discriminatorInputDropout = dInputDropout }
        if let gInitRange { c.generatorInitRange = gInitRange }
        if let dInitRange { c.discriminatorInitRange = dInitRange }
        if let dMaxNorm { c.discriminatorMaxNorm = dMaxNorm }
        if let gOutputDropout { c.generatorOutputDropout = gOutputDropout }
        if let width { c.widthMultiplier = width }
        if let discriminator { c.discriminator = discriminator }
        if let projection { c.projectionDiscriminator = projection }
        if let gAverage { c.generatorAverageDecay = gAverage }
        if let lrDecayFrom { c.learningRateDecayStart = lrDecayFrom }
        if let loss { c.adversarialLoss = loss }
        if let spectralNorm { c.spectralNorm = spectralNorm }
        if let headSpectralNorm { c.headSpectralNorm = headSpectralNorm }
        if let classLoss { c.classLossWeight = classLoss }
        if let classBatchNorm { c.classBatchNorm = classBatchNorm }
        if let dLrScale { c.discriminatorLearningRateScale = dLrScale }
        if let dropout = sampling.dropoutAtSampling { c.dropoutAtSampling = dropout == .on }
        if let precision = matrix.precision { c.precision = precision }
        return c
    }

    /// With --resume, an option that would change the run is refused by name; --epochs and --threads apply.
    func checkResumeOptions(against stored: TrainingConfig) throws {
        let given = makeConfig(resuming: stored)
        func differs<T: Equatable>(_ option: T?, _ keyPath: KeyPath<TrainingConfig, T>) -> Bool {
            option != nil && given[keyPath: keyPath] != stored[keyPath: keyPath]
        }
        let contradictions: [(String, Bool)] = [
            ("--arch", arch != nil && arch != stored.architecture), ("--dataset", differs(location.dataset, \.dataset)),
            ("--batch-size", differs(batchSize, \.batchSize)), ("--seed", differs(seed, \.seed)),
            ("--g-loss", differs(gLoss, \.generatorLoss)), ("--train-limit", trainLimit != nil && trainLimit != stored.trainLimit),
            ("--lr", differs(lr, \.learningRate)), ("--noise", differs(noise, \.noise)),
            ("--momentum-saturate-epochs", differs(momentumSaturateEpochs, \.momentumSaturateEpochs)),
            ("--g-dropout", differs(gDropout, \.generatorDropout)), ("--d-dropout", differs(dDropout, \.discriminatorDropout)),
            ("--d-input-dropout", differs(dInputDropout, \.discriminatorInputDropout)),
            ("--d-head-dropout", dHeadDropout.map { $0 != (stored.discriminatorHeadDropout ?? stored.discriminatorDropout) } ?? false),
            ("--dropout-in-g-step", differs(dropoutInGStep, \.discriminatorDropoutInGeneratorStep)),
            ("--g-init-range", differs(gInitRange, \.generatorInitRange)), ("--d-init-range", differs(dInitRange, \.discriminatorInitRange)),
            ("--d-max-norm", dMaxNorm != nil && dMaxNorm != stored.discriminatorMaxNorm),
            ("--g-output-dropout", differs(gOutputDropout, \.generatorOutputDropout)), ("--width", differs(width, \.widthMultiplier)),
            ("--discriminator", discriminator != nil && discriminator != stored.discriminator),
            ("--reference", reference && (given.projectionDiscriminator != stored.projectionDiscriminator
                                          || given.generatorAverageDecay != stored.generatorAverageDecay
                                          || given.classBatchNorm != stored.classBatchNorm)),
            ("--lr-decay-from", lrDecayFrom != nil && lrDecayFrom != stored.learningRateDecayStart),
            ("--projection", differs(projection, \.projectionDiscriminator)), ("--g-average", differs(gAverage, \.generatorAverageDecay)),
            ("--precision", differs(matrix.precision, \.precision)),
            ("--loss", differs(loss, \.adversarialLoss)), ("--spectral-norm", differs(spectralNorm, \.spectralNorm)),
            ("--head-spectral-norm", differs(headSpectralNorm, \.headSpectralNorm)),
            ("--class-loss", differs(classLoss, \.classLossWeight)), ("--class-batch-norm", differs(classBatchNorm, \.classBatchNorm)),
            ("--d-lr-scale", differs(dLrScale, \.discriminatorLearningRateScale)),
            ("--dropout-at-sampling", sampling.dropoutAtSampling.map { ($0 == .on) != stored.dropoutAtSampling } ?? false),
        ]
        if let (option, _) = contradictions.first(where: { $0.1 }) {
            throw CommandError("\(option) differs from the run being resumed; a resumed run keeps its settings (only --epochs and --threads may change)")
        }
    }

    func run() throws {
        let data = try location.load()
        let directory = RunDirectory(out ?? "runs/\((arch ?? .paper).rawValue)")
        let bar = ProgressBar()
        do {
            var stored: TrainingConfig?
            if resume, let config = try? Checkpoint(path: directory.latestCheckpoint).config {
                try checkResumeOptions(against: config)
                stored = config
            }
            let run = try TrainingRun(config: makeConfig(resuming: stored), data: data, directory: directory, resume: resume, epochs: epochs,
                                      threads: threads, backend: matrix.matmul) { bar.message($0) }
            run.logEvery = logEvery
            run.sampleEvery = sampleEvery
            run.keepEvery = keepEvery
            if evalEvery > 0 {
                run.trackBestCheckpoint(every: evalEvery, evaluator: evaluation.makeEvaluator(data) { bar.message($0) }) { bar.message($0) }
            }
            bar.message("training \(run.config.architecture.rawValue) on \(data.spec.name) for \(run.config.epochs) epochs into \(directory.path)")
            try run.run { event in
                switch event {
                case .progress(let p): bar.show(p)
                case .message(let m): bar.message(m)
                }
            }
            bar.message("done: \(directory.path)")
        } catch let error as TrainingError {
            bar.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

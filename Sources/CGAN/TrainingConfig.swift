import Foundation
import Datasets
import NN

/// The three models of the brief. `paper` is Mirza & Osindero's; the others are common reimplementations.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case paper
    case mlp
    case mlpBN = "mlp-bn"
    /// A small convolutional conditional GAN (DCGAN-style): the model to use for good samples.
    case dcgan
}

/// Which loss the generator minimises.
public enum GeneratorLoss: String, Codable, Sendable, CaseIterable {
    /// -log D(G(z|y)): strong gradients early on (Goodfellow et al.'s recommendation).
    case nonSaturating = "non-saturating"
    /// log(1 - D(G(z|y))), straight from the minimax value: gradients vanish while D wins.
    case saturating
}

extension GeneratorLoss {
    /// G's loss on D's logits [B, 1] for generated images, a mean over B; writes dLoss/dLogit into
    /// `gradient`. `targets` is a [B, 1] buffer it fills.
    public func evaluate(logits: Matrix, targets: Matrix, gradient: Matrix) -> Double {
        switch self {
        case .nonSaturating:
            targets.fill(1)
            return binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: Float(logits.rows), gradient: gradient)
        case .saturating:
            // log(1 - D) = -BCE(l, 0): the same terms as D's loss on fakes, with the sign flipped.
            targets.fill(0)
            let loss = binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: Float(logits.rows), gradient: gradient)
            gradient.scale(by: -1)
            return -loss
        }
    }
}

/// How D scores real against generated images, and so what G's loss is.
public enum AdversarialLoss: String, Codable, Sendable, CaseIterable {
    /// Cross-entropy of D(x) against real = 1, generated = 0 (the paper's); G's loss is `GeneratorLoss`.
    case crossEntropy = "bce"
    /// The hinge loss: D minimises max(0, 1 − D(x)) + max(0, 1 + D(G(z))), G minimises −D(G(z)).
    case hinge
}

/// The distribution of the noise vector z.
public enum NoiseDistribution: String, Codable, Sendable {
    /// Uniform in the unit hypercube [0, 1)^d (the paper's choice).
    case uniform
    /// Standard normal.
    case normal

    /// Fills `z` with draws from this distribution; `truncation` t (normal only) redraws every value
    /// beyond ±t, so z follows the normal truncated to [−t, t].
    public func fill(_ z: Matrix, rng: RandomGenerator, truncation: Double? = nil) {
        switch self {
        case .uniform:
            precondition(truncation == nil, "truncation applies to normal noise only")
            rng.fillUniform(z)
        case .normal:
            rng.fillNormal(z)
            guard let truncation else { return }
            precondition(truncation > 0.1, "truncation below 0.1 would redraw almost every value")
            let t = Float(truncation), one = Matrix(rows: 1, cols: 1), p = z.pointer
            for i in 0..<z.count {
                while abs(p[i]) > t {
                    rng.fillNormal(one)
                    p[i] = one.pointer[0]
                }
            }
        }
    }
}

/// A discriminator design that can be paired with any MLP generator (`--discriminator`).
public enum DiscriminatorKind: String, Codable, Sendable, CaseIterable {
    /// The paper's: x and y through maxout layers of their own, then a maxout layer over both.
    case maxout
    /// The common reimplementation's: [x, y] concatenated, then Linear layers with LeakyReLU 0.2 (mlp's D).
    case leaky
}

/// How both players' weights are updated.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// SGD with momentum; the learning rate decays per step and the momentum ramps up (`TrainingSchedule`).
    case sgd
    /// Adam with a constant learning rate; β₁ is its momentum.
    case adam
}

/// Every setting of a training run. Stored in config.json and in each checkpoint; a resumed run uses it as saved.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var architecture: Architecture
    public var dataset = "mnist"
    /// 40 for dcgan (its FID still falls from 30 to 40), 30 for the others.
    public var epochs = 30
    public var batchSize: Int
    public var seed: UInt64 = 1
    public var threads = 1
    /// Train on the first `trainLimit` images only (quick experiments and tests); nil: all 50,000.
    public var trainLimit: Int?
    public var generatorLoss = GeneratorLoss.nonSaturating
    public var noiseSize = 100
    public var noise: NoiseDistribution

    // Optimisation.
    public var optimizer: OptimizerKind
    public var learningRate: Double
    /// sgd: per-step decay factor and floor of the learning rate.
    public var learningRateDecay = 1.00004
    public var learningRateFloor = 1e-6
    /// sgd: momentum ramps linearly from start to end over `momentumSaturateEpochs`.
    public var momentumStart = 0.5
    public var momentumEnd = 0.7
    public var momentumSaturateEpochs = 250.0
    /// adam: its betas.
    public var adamBeta1 = 0.5
    public var adamBeta2 = 0.999
    /// adam: after this fraction of the run's steps, the learning rate falls linearly to zero at the last
    /// step (a resumed run with more epochs stretches the fall); nil: constant.
    public var learningRateDecayStart: Double?
    /// D's learning rate is this times G's (the two time-scale update rule of Heusel et al., 2017, which
    /// spectrally normalised discriminators are often trained with); 1: the same rate.
    public var discriminatorLearningRateScale = 1.0

    // Regularisation and initialisation.
    public var generatorDropout: Double
    public var discriminatorDropout: Double
    /// dcgan: dropout on the features D's head reads (after the second convolution; dcgan's default: 0);
    /// nil (runs stored before it): `discriminatorDropout`.
    public var discriminatorHeadDropout: Double?
    /// D's dropout is on too when D scores G's images for G's update (as PyTorch's `D.train()` leaves it);
    /// false (dcgan's default): G learns from the whole D, while D still trains with dropout.
    public var discriminatorDropoutInGeneratorStep = true
    /// paper: dropout on D's image input.
    public var discriminatorInputDropout: Double
    /// paper: uniform(-r, r) initial weights of G and D (pylearn2's irange).
    public var generatorInitRange = 0.05
    public var discriminatorInitRange = 0.005
    /// paper: start G's output bias at the logit of the data's mean pixel (as Goodfellow's GAN code does).
    public var generatorOutputBiasFromData = true
    /// If set, D's weight rows (one unit's incoming weights) are limited to this L2 norm.
    public var discriminatorMaxNorm: Double?
    /// Keep G's dropout on when drawing samples (the paper does not say which; see README).
    public var dropoutAtSampling = false

    // Variants for controlled experiments (docs/experiments.md); the defaults are the models as documented.
    /// Dropout after G's output activation: the brief's pitfall, kept as an option so it can be measured.
    public var generatorOutputDropout = 0.0
    /// Hidden widths (and dcgan's channels) of G and D are scaled by this.
    public var widthMultiplier = 1.0
    /// D's design for an MLP architecture; nil: the architecture's own.
    public var discriminator: DiscriminatorKind?

    // Conditioning and sampling options of the convolutional model (README, "The convolutional model").
    /// dcgan: D ends in a projection of its features on a learned embedding of the class (`ProjectionHead`).
    public var projectionDiscriminator = false
    /// Sample from an exponential moving average of G's weights with this decay per step; 0: off.
    public var generatorAverageDecay = 0.0
    /// How D scores images and G is scored (the hinge loss usually goes with `spectralNorm`).
    public var adversarialLoss = AdversarialLoss.crossEntropy
    /// dcgan: every weight of D is spectrally normalised (`SpectralNorm`).
    public var spectralNorm = false
    /// With `spectralNorm`: the projection head's weight and class embedding too (false: only the convolutions,
    /// so the class term is not bounded).
    public var headSpectralNorm = true
    /// dcgan with the projection D: the weight of an auxiliary class loss (AC-GAN, Odena et al. 2017). D also
    /// predicts the class of real images from its features, and G is scored by that prediction on its own
    /// images, so G is pushed to draw images D recognises as the class asked for; 0: off.
    public var classLossWeight = 0.0
    /// dcgan: G's batch norms take their scale and shift from the class (`ClassAffine` after a batch norm
    /// without its own), so G is told the class at every normalised layer, not only at its input.
    public var classBatchNorm = false

    /// The training step's matrix products read bf16 or fp32 operands; weights, optimiser state and
    /// checkpoints are fp32 either way, and sampling and evaluation always run in fp32.
    public var precision = Precision.fp32

    /// The documented defaults of `architecture`.
    public init(architecture: Architecture) {
        self.architecture = architecture
        switch architecture {
        case .paper:
            batchSize = 100; noise = .uniform; optimizer = .sgd; learningRate = 0.1
            generatorDropout = 0.5; discriminatorDropout = 0.5; discriminatorInputDropout = 0.2
        case .mlp:
            batchSize = 64; noise = .normal; optimizer = .adam; learningRate = 2e-4
            generatorDropout = 0; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        case .mlpBN:
            batchSize = 64; noise = .normal; optimizer = .adam; learningRate = 2e-4
            generatorDropout = 0.2; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        case .dcgan:
            batchSize = 64; noise = .normal; optimizer = .adam; learningRate = 2e-4
            generatorDropout = 0; discriminatorDropout = 0.3; discriminatorInputDropout = 0
            // README's choice for the two quality bars (dropout in D keeps the FID falling past epoch 30);
            // `init(reference:)` leaves these additions out.
            projectionDiscriminator = true; generatorAverageDecay = 0.999; classBatchNorm = true
            // Dropout keeps away from what reaches G: only after the first convolution, so the head reads
            // whole features, and off when D scores G's images for G's update, so G learns from the whole D
            // (README, "Where D's dropout acts").
            discriminatorHeadDropout = 0; discriminatorDropoutInGeneratorStep = false
            epochs = 40
        }
    }

    /// `architecture` exactly as the PyTorch reference (../shared/bench/torch_cgan.py) builds and trains it:
    /// the documented defaults without the additions that only this tool has (dcgan's projection D, weight
    /// average, class-conditional batch norm and dropout in D). Speed comparisons use it.
    public init(reference architecture: Architecture) {
        self.init(architecture: architecture)
        removeAdditions()
    }

    /// Turns off what `init(reference:)` leaves out of the documented defaults.
    public mutating func removeAdditions() {
        projectionDiscriminator = false
        generatorAverageDecay = 0
        classBatchNorm = false
        if architecture == .dcgan {
            discriminatorDropout = 0; discriminatorHeadDropout = nil; discriminatorDropoutInGeneratorStep = true
        }
    }

    /// True when G and D are the architecture's own at their documented sizes (what `PyTorchExport` names).
    public var isReferenceModel: Bool {
        widthMultiplier == 1 && generatorOutputDropout == 0 && (discriminator == nil || discriminator == ownDiscriminator)
            && !projectionDiscriminator && generatorAverageDecay == 0 && !spectralNorm && classLossWeight == 0
            && !classBatchNorm && (architecture != .dcgan || (discriminatorDropout == 0 && (discriminatorHeadDropout ?? 0) == 0))
    }

    /// The discriminator `architecture` has when `discriminator` is nil (mlp-bn's and dcgan's have no kind).
    var ownDiscriminator: DiscriminatorKind? {
        switch architecture {
        case .paper: .maxout
        case .mlp: .leaky
        case .mlpBN, .dcgan: nil
        }
    }

    /// Pixel range of the generator's output and so of the training data.
    public var pixelScale: PixelScale { architecture == .paper ? .unit : .symmetric }
}

extension TrainingConfig {
    /// Upper bounds that keep a hostile config or checkpoint from sizing huge buffers.
    public static let maximumClassCount = 1000, maximumNoiseSize = 10_000, maximumBatchSize = 65_536

    /// The first setting out of range, named as its `cgan train` option; nil when all are sound.
    public var problem: String? {
        func unit(_ x: Double) -> Bool { x >= 0 && x < 1 }
        func positive(_ x: Double) -> Bool { x.isFinite && x > 0 }
        let checks: [(Bool, String)] = [
            (!dataset.isEmpty, "--dataset must not be empty"),
            ((1...1_000_000).contains(epochs), "--epochs must be in 1...1000000"),
            ((2...Self.maximumBatchSize).contains(batchSize), "--batch-size must be in 2...\(Self.maximumBatchSize)"),
            ((1...256).contains(threads), "--threads must be in 1...256"),
            (trainLimit.map { $0 >= 2 } ?? true, "--train-limit must be at least 2"),
            ((1...Self.maximumNoiseSize).contains(noiseSize), "noise size must be in 1...\(Self.maximumNoiseSize)"),
            (positive(learningRate) && learningRate <= 100, "--lr must be a number in (0, 100]"),
            (learningRateDecay.isFinite && learningRateDecay >= 1, "learning-rate decay factor must be at least 1"),
            (learningRateFloor.isFinite && learningRateFloor >= 0, "learning-rate floor must be 0 or more"),
            (unit(momentumStart) && unit(momentumEnd), "momentum must be in [0, 1)"),
            (momentumSaturateEpochs.isFinite && momentumSaturateEpochs >= 0, "--momentum-saturate-epochs must be 0 or more"),
            (unit(adamBeta1) && unit(adamBeta2), "Adam's betas must be in [0, 1)"),
            (unit(generatorDropout), "--g-dropout must be in [0, 1)"),
            (unit(discriminatorDropout), "--d-dropout must be in [0, 1)"),
            (unit(discriminatorInputDropout), "--d-input-dropout must be in [0, 1)"),
            (discriminatorHeadDropout.map(unit) ?? true, "--d-head-dropout must be in [0, 1)"),
            (discriminatorHeadDropout == nil || architecture == .dcgan, "--d-head-dropout applies to dcgan only"),
            (positive(generatorInitRange) && generatorInitRange <= 10, "--g-init-range must be in (0, 10]"),
            (positive(discriminatorInitRange) && discriminatorInitRange <= 10, "--d-init-range must be in (0, 10]"),
            (discriminatorMaxNorm.map(positive) ?? true, "--d-max-norm must be a positive number"),
            (unit(generatorOutputDropout), "--g-output-dropout must be in [0, 1)"),
            (widthMultiplier.isFinite && widthMultiplier >= 0.125 && widthMultiplier <= 8, "--width must be in 0.125...8"),
            (discriminator == nil || architecture != .dcgan, "--discriminator applies to the MLP models only, not dcgan"),
            (!projectionDiscriminator || architecture == .dcgan, "--projection applies to dcgan only"),
            (generatorAverageDecay >= 0 && generatorAverageDecay < 1, "--g-average must be in [0, 1) (0: off)"),
            (learningRateDecayStart.map { $0 >= 0 && $0 < 1 } ?? true, "--lr-decay-from must be in [0, 1)"),
            (learningRateDecayStart == nil || optimizer == .adam, "--lr-decay-from applies to the Adam models (mlp, mlp-bn, dcgan)"),
            (!spectralNorm || architecture == .dcgan, "--spectral-norm applies to dcgan only"),
            (spectralNorm || headSpectralNorm, "--no-head-spectral-norm applies with --spectral-norm only"),
            (discriminatorMaxNorm == nil || !spectralNorm, "--d-max-norm and --spectral-norm both limit D's weights; choose one"),
            (adversarialLoss == .crossEntropy || generatorLoss == .nonSaturating, "--g-loss applies to --loss bce only (the hinge loss has its own G loss)"),
            (classLossWeight.isFinite && classLossWeight >= 0 && classLossWeight <= 100, "--class-loss must be in 0...100 (0: off)"),
            (classLossWeight == 0 || projectionDiscriminator, "--class-loss needs dcgan's projection discriminator (it reads the features the projection head reads)"),
            (!classBatchNorm || architecture == .dcgan, "--class-batch-norm applies to dcgan only"),
            (positive(discriminatorLearningRateScale) && discriminatorLearningRateScale <= 100, "--d-lr-scale must be in (0, 100]"),
        ]
        return checks.first { !$0.0 }?.1
    }

    /// A setting the chosen model has no place for, named as its `cgan train` option, so that a new run
    /// refuses it rather than ignore it; nil when none. Not part of `problem`: runs stored before it existed
    /// may carry such a setting, which their models never used, and stay readable.
    public var unusedSetting: String? {
        let checks: [(Bool, String)] = [
            (generatorDropout == 0 || architecture != .dcgan, "--g-dropout applies to the MLP models only (dcgan's G has batch norm, not dropout)"),
            (discriminatorInputDropout == 0 || (discriminator ?? ownDiscriminator) == .maxout,
             "--d-input-dropout applies to the maxout D only (paper, or --discriminator maxout)"),
        ]
        return checks.first { !$0.0 }?.1
    }

    /// Decodes a config as stored in config.json or a checkpoint; configs written before `optimizer`
    /// existed get their architecture's optimiser, and before the experiment options their defaults. Nil when unreadable.
    public static func decode(_ json: Data) -> TrainingConfig? {
        guard var object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return nil }
        if object["optimizer"] == nil, let arch = (object["architecture"] as? String).flatMap(Architecture.init(rawValue:)) {
            object["optimizer"] = TrainingConfig(architecture: arch).optimizer.rawValue
        }
        // Settings added later take the value that reproduces the model the older run trained.
        let added: [String: Any] = ["generatorOutputDropout": 0.0, "widthMultiplier": 1.0, "projectionDiscriminator": false,
                                    "generatorAverageDecay": 0.0, "adversarialLoss": AdversarialLoss.crossEntropy.rawValue,
                                    "spectralNorm": false, "headSpectralNorm": true, "classLossWeight": 0.0,
                                    "classBatchNorm": false, "discriminatorLearningRateScale": 1.0,
                                    "discriminatorDropoutInGeneratorStep": true,
                                    "precision": Precision.fp32.rawValue]
        for (key, value) in added where object[key] == nil {
            object[key] = value
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return nil }
        return try? JSONDecoder().decode(TrainingConfig.self, from: data)
    }
}

import Datasets
import NN

/// The three models of the brief. `paper` is Mirza & Osindero's; the others are common reimplementations.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case paper
    case mlp
    case mlpBN = "mlp-bn"
}

/// Which loss the generator minimises.
public enum GeneratorLoss: String, Codable, Sendable, CaseIterable {
    /// -log D(G(z|y)): strong gradients early on (Goodfellow et al.'s recommendation).
    case nonSaturating = "non-saturating"
    /// log(1 - D(G(z|y))), straight from the minimax value: gradients vanish while D wins.
    case saturating
}

/// The distribution of the noise vector z.
public enum NoiseDistribution: String, Codable, Sendable {
    /// Uniform in the unit hypercube [0, 1)^d (the paper's choice).
    case uniform
    /// Standard normal.
    case normal

    /// Fills `z` with draws from this distribution.
    public func fill(_ z: Matrix, rng: RandomGenerator) {
        switch self {
        case .uniform: rng.fillUniform(z)
        case .normal: rng.fillNormal(z)
        }
    }
}

/// Every setting of a training run. Stored in config.json and in each checkpoint; a resumed run uses it as saved.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var architecture: Architecture
    public var dataset = "mnist"
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
    public var learningRate: Double
    /// paper: per-step decay factor and floor of the learning rate.
    public var learningRateDecay = 1.00004
    public var learningRateFloor = 1e-6
    /// paper: momentum ramps linearly from start to end over `momentumSaturateEpochs`.
    public var momentumStart = 0.5
    public var momentumEnd = 0.7
    public var momentumSaturateEpochs = 250.0
    /// mlp, mlp-bn: Adam's betas.
    public var adamBeta1 = 0.5
    public var adamBeta2 = 0.999

    // Regularisation and initialisation.
    public var generatorDropout: Double
    public var discriminatorDropout: Double
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

    /// The documented defaults of `architecture`.
    public init(architecture: Architecture) {
        self.architecture = architecture
        switch architecture {
        case .paper:
            batchSize = 100; noise = .uniform; learningRate = 0.1
            generatorDropout = 0.5; discriminatorDropout = 0.5; discriminatorInputDropout = 0.2
        case .mlp:
            batchSize = 64; noise = .normal; learningRate = 2e-4
            generatorDropout = 0; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        case .mlpBN:
            batchSize = 64; noise = .normal; learningRate = 2e-4
            generatorDropout = 0.2; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        }
    }

    /// Pixel range of the generator's output and so of the training data.
    public var pixelScale: PixelScale { architecture == .paper ? .unit : .symmetric }
}

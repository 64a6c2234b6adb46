import Foundation
import Datasets
import NN

/// The models. `paper` is Mirza & Osindero's; the others are common reimplementations.
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
    /// The paper's maxout D with LeakyReLU 0.2 units in place of maxout units (one linear map per unit instead of
    /// the maximum of several): layout, widths, dropout and initial weights as the paper's.
    case paperLeaky = "paper-leaky"

    /// True for the designs laid out as the paper's D (x and y apart, then one hidden layer over both).
    public var hasPaperLayout: Bool { self != .leaky }
}

/// Where a D of the paper's layout reads the class (`--d-conditioning`), every other part of D as the paper has it.
public enum DiscriminatorConditioning: String, Codable, Sendable, CaseIterable {
    /// The paper's: the one-hot y through a maxout layer of its own (50 units), joined with x's 240 units at the
    /// hidden layer.
    case hidden
    /// The one-hot y beside the image at D's input, into the first maxout layer (x's 240 units read both).
    case input
    /// A learned 50-vector per class (a linear map of the one-hot, as PyTorch's `nn.Embedding`) beside the
    /// image at D's input: the same functions as `input`, parameterised and so learned differently.
    case embedding
    /// No label before the last layer: a projection head (Miyato & Koyama, 2018) scores the hidden layer's
    /// 240 features as h·w + b + ⟨E y, h⟩.
    case projection
}

/// How both players' weights are updated.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// SGD with momentum; the learning rate decays per step and the momentum ramps up (`TrainingSchedule`).
    case sgd
    /// Adam with a constant learning rate; β₁ is its momentum.
    case adam
}

/// Every setting of a training run, grouped by concern. Stored in config.json and in each checkpoint; a
/// resumed run uses it as saved. `decode(_:)` reads every config this tool has written.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// Chooses G, D and the defaults of every other setting.
    public var architecture: Architecture
    public var data = DataSettings()
    public var model: ModelSettings
    public var optimization: OptimizationSettings
    public var additions: DCGANAdditions
    public var compute = ComputeSettings()

    /// The documented defaults of `architecture`.
    public init(architecture: Architecture) {
        self.architecture = architecture
        model = ModelSettings(architecture: architecture)
        optimization = OptimizationSettings(architecture: architecture)
        additions = DCGANAdditions(architecture: architecture)
    }

    /// `architecture` exactly as the PyTorch reference (`torch_cgan.py`, docs/speed.md) builds and trains it:
    /// the documented defaults without the additions that only this tool has (dcgan's projection D, weight
    /// average, class-conditional batch norm and dropout in D). Speed comparisons use it, and a setting a
    /// stored run lacks takes its value here.
    public init(reference architecture: Architecture) {
        self.init(architecture: architecture)
        removeAdditions()
        // Sampling is not part of the reference model (PyTorch samples in eval mode); a stored config without
        // the setting samples with G's dropout off.
        model.dropoutAtSampling = false
    }

    /// Turns off the model additions that `init(reference:)` leaves out of the documented defaults (`--reference`).
    public mutating func removeAdditions() {
        additions.projectionDiscriminator = false
        additions.generatorAverageDecay = 0
        additions.classBatchNorm = false
        additions.modeSeekingWeight = 0
        additions.modeSeekingGrid = 0
        if architecture == .dcgan {
            model.discriminatorDropout = 0; additions.discriminatorHeadDropout = nil; additions.discriminatorDropoutInGeneratorStep = true
        }
    }

    /// True when G and D are the architecture's own at their documented sizes (what `PyTorchExport` names).
    public var isReferenceModel: Bool { variantOptions.isEmpty }

    /// The options whose settings make G or D differ from the architecture's own at its documented sizes, in
    /// the order `cgan train --help` lists them; empty for a reference model.
    public var variantOptions: [String] {
        let a = additions
        let variants: [(String, Bool)] = [
            ("--width/--g-width", model.generatorWidth != 1), ("--width/--d-width", model.discriminatorWidth != 1),
            ("--g-output-dropout", model.generatorOutputDropout != 0),
            ("--d-conditioning", (model.discriminatorConditioning ?? .hidden) != .hidden),
            ("--g-embed-apart", model.generatorEmbedsApart), ("--g-batch-norm", model.generatorBatchNorm), ("--g-relu", model.generatorReLU),
            ("--discriminator", model.discriminator != nil && model.discriminator != ownDiscriminator),
            ("--projection", a.projectionDiscriminator), ("--g-average", a.generatorAverageDecay != 0), ("--spectral-norm", a.spectralNorm),
            ("--class-loss", a.classLossWeight != 0), ("--class-batch-norm", a.classBatchNorm),
            ("--d-dropout", architecture == .dcgan && model.discriminatorDropout != 0),
            ("--d-head-dropout", architecture == .dcgan && (a.discriminatorHeadDropout ?? 0) != 0),
        ]
        let named = variants.filter(\.1).map(\.0)
        // G and D scaled alike: the one option that did it.
        guard model.generatorWidth != 1 && model.generatorWidth == model.discriminatorWidth else { return named }
        return ["--width"] + named.filter { !$0.hasPrefix("--width/") }
    }

    /// The discriminator `architecture` has when `discriminator` is nil (mlp-bn's and dcgan's have no kind).
    var ownDiscriminator: DiscriminatorKind? {
        switch architecture {
        case .paper: .maxout
        case .mlp: .leaky
        case .mlpBN, .dcgan: nil
        }
    }

    /// The classes' names in label order: the run's own (an image folder's sub-folders), else its data set's; nil
    /// when neither is known, or when they are not `count` names.
    public func classNames(count: Int? = nil) -> [String]? {
        let names = data.classNames ?? (try? DatasetRegistry.named(data.dataset))?.classNames
        return count == nil || names?.count == count ? names : nil
    }

    /// Pixel range of the generator's output and so of the training data.
    public var pixelScale: PixelScale { architecture == .paper ? .unit : .symmetric }
}

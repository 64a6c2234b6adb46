/// How long and how both players are trained: budget, seed, optimiser and losses.
public struct OptimizationSettings: Codable, Sendable, Equatable {
    /// 40 for dcgan (its FID still falls from 30 to 40), 30 for the others.
    public var epochs = 30
    public var batchSize: Int
    public var seed: UInt64 = 1
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
    public var generatorLoss = GeneratorLoss.nonSaturating
    /// How D scores images and G is scored (the hinge loss usually goes with `DCGANAdditions.spectralNorm`).
    public var adversarialLoss = AdversarialLoss.crossEntropy

    /// The documented defaults of `architecture`.
    init(architecture: Architecture) {
        switch architecture {
        case .paper:
            batchSize = 100; optimizer = .sgd; learningRate = 0.1
        case .mlp, .mlpBN:
            batchSize = 64; optimizer = .adam; learningRate = 2e-4
        case .dcgan:
            batchSize = 64; optimizer = .adam; learningRate = 2e-4; epochs = 40
        }
    }
}

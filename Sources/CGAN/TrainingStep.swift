import Datasets
import NN

/// Losses and discriminator outputs of one step.
public struct StepStatistics: Sendable {
    public var discriminatorLoss = 0.0, generatorLoss = 0.0
    /// Mean D(x|y) on real images and D(G(z|y')|y') on generated ones, before D's update.
    public var realScore = 0.0, fakeScore = 0.0
    public var isFinite: Bool { discriminatorLoss.isFinite && generatorLoss.isFinite }
}

/// One training step of a conditional GAN (SPEC 3), with every buffer allocated once.
///
/// D sees real and generated images in one pass over 2B rows ([real; fake], labels [y; y']), which gives
/// the same loss and gradients as two passes of B rows: BCE(real, 1) + BCE(fake, 0), each a mean over B.
/// G's step runs D again on the same fake images and back-propagates to D's input without computing
/// D's weight gradients.
public final class TrainingStep {
    public let config: TrainingConfig
    public let models: GANModels
    public let generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer
    /// Noise and fake labels.
    public let rng: RandomGenerator
    public let batchSize: Int, classCount: Int
    public private(set) var stepCount = 0

    let discriminatorInput: Matrix      // [2B, 784]: real rows, then fake rows
    let discriminatorLabels: Matrix     // [2B, classes] one-hot
    let targets: Matrix, discriminatorGradient: Matrix   // [2B, 1]
    let generatorTargets: Matrix, generatorGradient: Matrix  // [B, 1]
    let noise: Matrix
    var realLabels: [Int32], fakeLabels: [Int32]

    public init(config: TrainingConfig, models: GANModels, classCount: Int, imageSize: Int = 784) {
        self.config = config
        self.models = models
        self.classCount = classCount
        let b = config.batchSize
        batchSize = b
        rng = RandomGenerator(seed: config.seed &+ 404)
        if config.architecture == .paper {
            generatorOptimizer = SGD(models.generator, learningRate: Float(config.learningRate), momentum: Float(config.momentumStart))
            discriminatorOptimizer = SGD(models.discriminator, learningRate: Float(config.learningRate), momentum: Float(config.momentumStart))
        } else {
            generatorOptimizer = Adam(models.generator, learningRate: Float(config.learningRate),
                                      beta1: Float(config.adamBeta1), beta2: Float(config.adamBeta2))
            discriminatorOptimizer = Adam(models.discriminator, learningRate: Float(config.learningRate),
                                          beta1: Float(config.adamBeta1), beta2: Float(config.adamBeta2))
        }
        discriminatorInput = Matrix(rows: 2 * b, cols: imageSize)
        discriminatorLabels = Matrix(rows: 2 * b, cols: classCount)
        targets = Matrix(rows: 2 * b, cols: 1)
        targets.rows(0..<b).fill(1)
        discriminatorGradient = Matrix(rows: 2 * b, cols: 1)
        generatorTargets = Matrix(rows: b, cols: 1)
        generatorTargets.fill(config.generatorLoss == .nonSaturating ? 1 : 0)
        generatorGradient = Matrix(rows: b, cols: 1)
        noise = Matrix(rows: b, cols: config.noiseSize)
        realLabels = [Int32](repeating: 0, count: b)
        fakeLabels = realLabels
    }

    /// Where the caller writes the next real batch: images [B, 784] and labels.
    public var realImages: Matrix { discriminatorInput.rows(0..<batchSize) }

    /// The learning rate and momentum of step `t` (paper: decay and ramp; Adam: constant).
    public func schedule(atStep t: Int, stepsPerEpoch: Int) -> (learningRate: Double, momentum: Double) {
        guard config.architecture == .paper else { return (config.learningRate, 0) }
        let lr = ExponentialDecay(initial: config.learningRate, factor: config.learningRateDecay, floor: config.learningRateFloor)
        let ramp = LinearRamp(start: config.momentumStart, end: config.momentumEnd,
                              steps: Int(config.momentumSaturateEpochs * Double(stepsPerEpoch)))
        return (lr.value(atStep: t), ramp.value(atStep: t))
    }

    /// Sets the step counter (resume).
    public func restore(stepCount: Int) { self.stepCount = stepCount }

    /// One D update then one G update. `fill` writes the real batch into `realImages` and its labels.
    public func run(stepsPerEpoch: Int, fill: (Matrix, UnsafeMutableBufferPointer<Int32>) -> Void) -> StepStatistics {
        let b = batchSize, g = models.generator, d = models.discriminator
        let (lr, momentum) = schedule(atStep: stepCount, stepsPerEpoch: stepsPerEpoch)
        if let g = generatorOptimizer as? SGD, let d = discriminatorOptimizer as? SGD {
            (g.learningRate, g.momentum, d.learningRate, d.momentum) = (Float(lr), Float(momentum), Float(lr), Float(momentum))
        }
        realLabels.withUnsafeMutableBufferPointer { fill(realImages, $0) }
        for i in 0..<b { fakeLabels[i] = Int32(rng.integer(below: classCount)) }
        realLabels.withUnsafeBufferPointer { oneHot($0, into: discriminatorLabels.rows(0..<b)) }
        let fakeLabelRows = discriminatorLabels.rows(b..<(2 * b))
        fakeLabels.withUnsafeBufferPointer { oneHot($0, into: fakeLabelRows) }
        config.noise.fill(noise, rng: rng)

        let fake = g.forward(noise, labels: fakeLabelRows, mode: .training)
        discriminatorInput.rows(b..<(2 * b)).copy(from: fake)

        // Discriminator: real -> 1, fake -> 0.
        var stats = StepStatistics()
        let logits = d.forward(discriminatorInput, labels: discriminatorLabels, mode: .training)
        stats.discriminatorLoss = binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: Float(b),
                                                               gradient: discriminatorGradient)
        for i in 0..<b {
            stats.realScore += Double(sigmoid(logits.pointer[i])) / Double(b)
            stats.fakeScore += Double(sigmoid(logits.pointer[b + i])) / Double(b)
        }
        _ = d.backward(discriminatorGradient, parameterGradients: true, inputGradient: false)
        discriminatorOptimizer.step()

        // Generator: through the updated D, to D's input, then through G.
        let fakeLogits = d.forward(fake, labels: fakeLabelRows, mode: .training)
        let loss = binaryCrossEntropyWithLogits(fakeLogits, targets: generatorTargets, normaliser: Float(b),
                                                gradient: generatorGradient)
        if config.generatorLoss == .saturating {
            // Minimise log(1 - D) = -BCE(l, 0): the same terms with the sign flipped.
            stats.generatorLoss = -loss
            generatorGradient.scale(by: -1)
        } else {
            stats.generatorLoss = loss
        }
        let gradFake = d.backward(generatorGradient, parameterGradients: false, inputGradient: true)
        _ = g.backward(gradFake, parameterGradients: true, inputGradient: false)
        generatorOptimizer.step()
        stepCount += 1
        return stats
    }
}

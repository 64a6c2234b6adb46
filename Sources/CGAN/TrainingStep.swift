import Datasets
import NN

/// Losses, discriminator outputs and optimiser settings of one step.
public struct StepStatistics: Sendable {
    /// Each player's loss, its class loss (AC-GAN) and G's mode-seeking term included when the config has them.
    public var discriminatorLoss = 0.0, generatorLoss = 0.0
    /// Mean D(x|y) on real images and D(G(z|y')|y') on generated ones, before D's update.
    public var realScore = 0.0, fakeScore = 0.0
    /// The learning rate and momentum both optimisers used.
    public var learningRate = 0.0, momentum = 0.0
    public var isFinite: Bool { discriminatorLoss.isFinite && generatorLoss.isFinite }
}

/// One training step of a conditional GAN, with every buffer allocated once.
///
/// D sees real and generated images in one pass over 2B rows ([real; fake], labels [y; y']), which gives
/// the same loss and gradients as two passes of B rows: BCE(real, 1) + BCE(fake, 0), each a mean over B.
/// G's step runs D again on the same fake images and back-propagates to D's input without computing
/// D's weight gradients. With an AC-GAN class loss, D's output is [score | class logits]: D's classifier
/// learns the real images' classes, and G is scored by it on its own.
public final class TrainingStep {
    public let config: TrainingConfig
    public let models: GANModels
    public let schedule: TrainingSchedule
    public let generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer
    /// Keeps `models.averageGenerator` the moving average of G's weights, when the config asks for one.
    public let generatorAverage: WeightAverage?
    /// Noise and fake labels.
    public let rng: RandomGenerator
    public let batchSize: Int, classCount: Int

    let discriminatorInput: Matrix      // [2B, 784]: real rows, then fake rows
    let discriminatorLabels: Matrix     // [2B, classes] one-hot
    let targets: Matrix, discriminatorGradient: Matrix   // [2B, 1]
    let generatorTargets: Matrix, generatorGradient: Matrix  // [B, 1]
    let noise: Matrix
    var realLabels: [Int32]
    /// The classes G was asked for in the last step.
    public private(set) var fakeLabels: [Int32]
    /// AC-GAN: dLoss/dClassLogits [2B, classes] (zero on D's fake rows), and D's output split and joined.
    let classGradient: Matrix
    var outputColumns = ColumnConcat(), gradientColumns = ColumnConcat()
    /// The products of a step: the models' own in the config's precision. Between steps the nets return to
    /// the models' own (samples drawn during training are in those).
    public let stepProducts: MatrixProducts
    private let modelProducts: MatrixProducts
    /// How the mode-seeking term compares a pair's images (`DCGANAdditions.modeSeekingGrid`).
    let modeSeekingDistance: ModeSeekingDistance

    /// G's step back-propagates through D in inference mode unless `discriminatorDropoutInGeneratorStep`: every
    /// layer of D must then have an inference-mode backward pass (`InferenceDifferentiable`), or the step is refused.
    public init(config: TrainingConfig, models: GANModels, classCount: Int, stepsPerEpoch: Int) {
        let unfit = config.additions.discriminatorDropoutInGeneratorStep ? [] : models.discriminator.modulesWithoutInferenceBackward
        precondition(unfit.isEmpty, "TrainingStep: G's step back-propagates through D in inference mode (discriminatorDropoutInGeneratorStep is off), and these layers of D have no inference-mode backward pass: \(unfit.joined(separator: ", "))")
        self.config = config
        self.models = models
        self.classCount = classCount
        let b = config.optimization.batchSize
        batchSize = b
        rng = RandomGenerator(seed: config.optimization.seed &+ SeedStream.training)
        schedule = TrainingSchedule(config: config, stepsPerEpoch: stepsPerEpoch)
        switch config.optimization.optimizer {
        case .sgd:
            generatorOptimizer = SGD(models.generator)
            discriminatorOptimizer = SGD(models.discriminator)
        case .adam:
            generatorOptimizer = Adam(models.generator, beta2: Float(config.optimization.adamBeta2))
            discriminatorOptimizer = Adam(models.discriminator, beta2: Float(config.optimization.adamBeta2))
        }
        generatorAverage = models.averageGenerator.map { WeightAverage(of: models.generator, into: $0) }
        discriminatorInput = Matrix(rows: 2 * b, cols: models.imageSize)
        discriminatorLabels = Matrix(rows: 2 * b, cols: classCount)
        targets = Matrix(rows: 2 * b, cols: 1)
        targets.rows(0..<b).fill(1)
        discriminatorGradient = Matrix(rows: 2 * b, cols: 1)
        generatorTargets = Matrix(rows: b, cols: 1)
        generatorGradient = Matrix(rows: b, cols: 1)
        noise = Matrix(rows: b, cols: config.model.noiseSize)
        realLabels = [Int32](repeating: 0, count: b)
        fakeLabels = realLabels
        classGradient = Matrix(rows: 2 * b, cols: classCount)
        modelProducts = models.generator.matrixProducts
        stepProducts = modelProducts.with(precision: config.compute.precision)
        let grid = config.additions.modeSeekingGrid
        modeSeekingDistance = grid > 0 ? .blockMeans(models.imageShape, perSide: grid) : .pixels
    }

    /// Where the caller writes the next real batch: images [B, 784] and labels.
    public var realImages: Matrix { discriminatorInput.rows(0..<batchSize) }

    // MARK: State

    /// Everything a resumed run needs besides its position: weights ("G.*", "D.*", the average "avgG.*") and
    /// optimiser moments ("optG.*", "optD.*") as tensors, random generator states as metadata.
    public var state: (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let tensors = models.generator.stateTensors(prefix: "G") + models.discriminator.stateTensors(prefix: "D")
            + (models.averageGenerator?.stateTensors(prefix: "avgG") ?? [])
            + generatorOptimizer.stateTensors(prefix: "optG") + discriminatorOptimizer.stateTensors(prefix: "optD")
        func words(_ r: RandomGenerator) -> String { r.state.map(String.init).joined(separator: ",") }
        return (tensors, ["rng.noise": words(rng), "rng.G": words(models.generator.rng), "rng.D": words(models.discriminator.rng)])
    }

    /// Restores what `state` exported; every tensor must be there with its shape, and nothing else.
    public func restore(from tensors: inout StateDict, metadata: [String: String]) throws {
        try tensors.load(models.generator, prefix: "G")
        try tensors.load(models.discriminator, prefix: "D")
        if let average = models.averageGenerator { try tensors.load(average, prefix: "avgG") }
        try tensors.load(generatorOptimizer, prefix: "optG")
        try tensors.load(discriminatorOptimizer, prefix: "optD")
        try tensors.checkEverythingUsed()
        func state(_ key: String) throws -> [UInt64] {
            let words = (metadata[key] ?? "").split(separator: ",").compactMap { UInt64($0) }
            guard words.count == 4, words != [0, 0, 0, 0] else {
                throw StateDict.LoadError(file: tensors.file, problem: "bad or missing \(key) random generator state")
            }
            return words
        }
        let (noise, g, d) = (try state("rng.noise"), try state("rng.G"), try state("rng.D"))
        rng.restore(noise)
        models.generator.rng.restore(g)
        models.discriminator.rng.restore(d)
    }

    // MARK: Step

    /// Step `step` (counted from 0): one D update then one G update. `fill` writes the real batch into
    /// `realImages` and its labels.
    public func run(step: Int, fill: (Matrix, UnsafeMutableBufferPointer<Int32>) -> Void) -> StepStatistics {
        guard stepProducts.precision != modelProducts.precision else { return runInStepProducts(step: step, fill: fill) }
        models.generator.matrixProducts = stepProducts
        models.discriminator.matrixProducts = stepProducts
        defer {
            models.generator.matrixProducts = modelProducts
            models.discriminator.matrixProducts = modelProducts
        }
        return runInStepProducts(step: step, fill: fill)
    }

    private func runInStepProducts(step: Int, fill: (Matrix, UnsafeMutableBufferPointer<Int32>) -> Void) -> StepStatistics {
        let b = batchSize, g = models.generator, d = models.discriminator
        let hyperparameters = schedule.hyperparameters(atStep: step)
        realLabels.withUnsafeMutableBufferPointer { fill(realImages, $0) }
        // With mode seeking, row i + B/2 repeats row i's class: the pairs the term compares.
        let pairs = Float(config.additions.modeSeekingWeight) > 0 ? b / 2 : 0
        for i in 0..<b { fakeLabels[i] = i >= pairs && i < 2 * pairs ? fakeLabels[i - pairs] : Int32(rng.integer(below: classCount)) }
        realLabels.withUnsafeBufferPointer { oneHot($0, into: discriminatorLabels.rows(0..<b)) }
        let fakeLabelRows = discriminatorLabels.rows(b..<(2 * b))
        fakeLabels.withUnsafeBufferPointer { oneHot($0, into: fakeLabelRows) }
        config.model.noise.fill(noise, rng: rng)

        let fake = g.forward(noise, labels: fakeLabelRows, mode: .training)
        discriminatorInput.rows(b..<(2 * b)).copy(from: fake)

        // Discriminator: real -> 1, fake -> 0 (cross-entropy), or real above +1, fake below −1 (hinge).
        var stats = StepStatistics()
        stats.learningRate = Double(hyperparameters.learningRate)
        stats.momentum = Double(hyperparameters.momentum)
        let (logits, classLogits) = scoresAndClassLogits(d.forward(discriminatorInput, labels: discriminatorLabels, mode: .training))
        switch config.optimization.adversarialLoss {
        case .crossEntropy:
            stats.discriminatorLoss = binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: Float(b),
                                                                   gradient: discriminatorGradient)
        case .hinge:
            stats.discriminatorLoss = discriminatorHingeLoss(logits, realRows: b, normaliser: Float(b), gradient: discriminatorGradient)
        }
        for i in 0..<b {
            stats.realScore += Double(sigmoid(logits.pointer[i])) / Double(b)
            stats.fakeScore += Double(sigmoid(logits.pointer[b + i])) / Double(b)
        }
        var discriminatorOutputGradient = discriminatorGradient
        if let classLogits {   // D classifies the real rows only: what it learns of the classes comes from data
            classGradient.rows(b..<(2 * b)).fill(0)
            stats.discriminatorLoss += classLoss(classLogits.rows(0..<b), labels: realLabels, gradient: classGradient.rows(0..<b))
            discriminatorOutputGradient = gradientColumns.forward(discriminatorGradient, classGradient)
        }
        _ = d.backward(discriminatorOutputGradient, needs: .parameters)
        var discriminatorHyperparameters = hyperparameters
        discriminatorHyperparameters.learningRate *= Float(config.optimization.discriminatorLearningRateScale)
        discriminatorOptimizer.update(discriminatorHyperparameters, step: step + 1)

        // Generator: through the updated D, to D's input, then through G.
        // In inference mode D's dropout is off, spectral normalisation's power iteration holds its u and v
        // (σ = uᵀWv of the updated W), as under PyTorch's D.eval(), and a batch norm would use its running
        // statistics; each layer's backward then gives that mode's gradient (checked when the step was built).
        let scoringMode: Mode = config.additions.discriminatorDropoutInGeneratorStep ? .training : .inference
        let (fakeLogits, fakeClassLogits) = scoresAndClassLogits(d.forward(fake, labels: fakeLabelRows, mode: scoringMode))
        switch config.optimization.adversarialLoss {
        case .crossEntropy:
            stats.generatorLoss = config.optimization.generatorLoss.evaluate(logits: fakeLogits, targets: generatorTargets, gradient: generatorGradient)
        case .hinge:
            stats.generatorLoss = generatorHingeLoss(fakeLogits, gradient: generatorGradient)
        }
        var generatorOutputGradient = generatorGradient
        if let fakeClassLogits {
            let gradient = classGradient.rows(0..<b)
            stats.generatorLoss += classLoss(fakeClassLogits, labels: fakeLabels, gradient: gradient)
            generatorOutputGradient = gradientColumns.forward(generatorGradient, gradient)
        }
        let gradFake = d.backward(generatorOutputGradient, needs: .input)
        if pairs > 0 {   // D's input gradient is scratch of this pass, consumed by G's backward next
            stats.generatorLoss += addModeSeekingTerm(outputs: fake, noise: noise, weight: Float(config.additions.modeSeekingWeight),
                                                      gradient: gradFake, distance: modeSeekingDistance)
        }
        _ = g.backward(gradFake, needs: .parameters)
        generatorOptimizer.update(hyperparameters, step: step + 1)
        generatorAverage?.update(decay: Float(config.additions.generatorAverageDecay))
        return stats
    }

    /// D's output [n, 1] or [n, 1 + classes] -> scores [n, 1] and, with a class loss, class logits [n, classes].
    private func scoresAndClassLogits(_ output: Matrix) -> (Matrix, Matrix?) {
        guard config.additions.classLossWeight > 0 else { return (output, nil) }
        let (scores, classLogits) = outputColumns.split(output, firstWidth: 1)
        return (scores, classLogits)
    }

    /// The weighted AC-GAN loss: weight · mean cross-entropy of `logits` [n, classes] against `labels`; its
    /// gradient goes into `gradient`.
    private func classLoss(_ logits: Matrix, labels: [Int32], gradient: Matrix) -> Double {
        let weight = Float(config.additions.classLossWeight)
        let loss = labels.withUnsafeBufferPointer { softmaxCrossEntropy(logits, labels: $0, gradient: gradient) }
        let g = gradient.pointer
        for i in 0..<gradient.count { g[i] *= weight }
        return Double(weight) * loss
    }

    /// Recomputes the averaged G's batch-norm running statistics from its own outputs (the live G's do not
    /// fit averaged weights): `batches` forward passes in training mode on noise and classes drawn from
    /// `seed`. Training itself is untouched, so a resumed run stays exact.
    public func refreshAverageStatistics(seed: UInt64, batches: Int = 60) {
        guard let average = models.averageGenerator else { return }
        let rows = 4 * batchSize, rng = RandomGenerator(seed: seed)
        let z = Matrix(rows: rows, cols: config.model.noiseSize), y = Matrix(rows: rows, cols: classCount)
        var labels = [Int32](repeating: 0, count: rows)
        let savedDropout = average.rng.state
        defer { average.rng.restore(savedDropout) }
        // From fixed statistics, so that the result depends on the average's weights and the seed alone: the
        // refresh a Ctrl-C makes mid-epoch must not change what the epoch's end computes (exact resume).
        for bn in average.modules(ofType: BatchNorm1d.self) { bn.runningMean.value.fill(0); bn.runningVariance.value.fill(1) }
        for bn in average.modules(ofType: BatchNorm2d.self) { bn.runningMean.value.fill(0); bn.runningVariance.value.fill(1) }
        for _ in 0..<batches {
            config.model.noise.fill(z, rng: rng)
            for i in 0..<rows { labels[i] = Int32(rng.integer(below: classCount)) }
            labels.withUnsafeBufferPointer { oneHot($0, into: y) }
            _ = average.forward(z, labels: y, mode: .training)
        }
    }
}

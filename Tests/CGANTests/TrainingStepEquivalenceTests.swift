import TestSupport
import XCTest
import CGAN
import Datasets
import NN

/// The fast training step (one D pass over [real; fake], no D weight gradients in G's step, no unneeded
/// input gradients) must train exactly like the plain formulation: two D passes with summed gradients,
/// and a G step through a D that computes everything.
final class TrainingStepEquivalenceTests: XCTestCase {
    func plainStep(_ t: TrainingStep, step: Int, rng: RandomGenerator, real: Matrix, realLabels: [Int32]) -> (Double, Double) {
        let hyperparameters = t.schedule.hyperparameters(atStep: step)
        let b = t.batchSize, g = t.models.generator, d = t.models.discriminator
        // Same draws, in the same order, as TrainingStep.run.
        let fakeLabels = (0..<b).map { _ in Int32(rng.integer(below: t.classCount)) }
        let z = Matrix(rows: b, cols: t.config.model.noiseSize)
        t.config.model.noise.fill(z, rng: rng)
        let yReal = Matrix(rows: b, cols: t.classCount), yFake = Matrix(rows: b, cols: t.classCount)
        realLabels.withUnsafeBufferPointer { oneHot($0, into: yReal) }
        fakeLabels.withUnsafeBufferPointer { oneHot($0, into: yFake) }
        let fake = g.forward(z, labels: yFake, mode: .training).clone()
        let weight = Float(t.config.additions.classLossWeight)
        let grad = Matrix(rows: b, cols: weight > 0 ? 1 + t.classCount : 1)

        let params = d.trainableParameters
        // D learns the classes of real images only; G is scored by D's classifier on its own.
        var lossD = plainLoss(d.forward(real, labels: yReal, mode: .training), target: 1, classes: realLabels, weight: weight, gradient: grad)
        _ = d.backward(grad, needs: .all)
        let realGradients = params.map { $0.gradient.clone() }
        lossD += plainLoss(d.forward(fake, labels: yFake, mode: .training), target: 0, classes: nil, weight: weight, gradient: grad)
        _ = d.backward(grad, needs: .all)
        for (p, r) in zip(params, realGradients) {
            for i in 0..<r.count { p.gradient.pointer[i] += r.pointer[i] }
        }
        t.discriminatorOptimizer.update(hyperparameters, step: step + 1)

        let lossG = plainLoss(d.forward(fake, labels: yFake, mode: .training), target: 1, classes: fakeLabels, weight: weight, gradient: grad)
        let dx = d.backward(grad, needs: .all)
        _ = g.backward(dx, needs: .all)
        t.generatorOptimizer.update(hyperparameters, step: step + 1)
        return (lossD, lossG)
    }

    /// Cross-entropy of D's score column [B, 1 + K] against `target`, plus `weight` times the class cross-entropy
    /// of the other K columns against `classes` when given; dLoss/dOutput into `gradient`, column by column.
    func plainLoss(_ output: Matrix, target: Float, classes: [Int32]?, weight: Float, gradient: Matrix) -> Double {
        let b = output.rows, k = output.cols - 1
        let score = Matrix(rows: b, cols: 1), targets = Matrix(rows: b, cols: 1), scoreGradient = Matrix(rows: b, cols: 1)
        for r in 0..<b { score[r, 0] = output[r, 0] }
        targets.fill(target)
        var loss = binaryCrossEntropyWithLogits(score, targets: targets, normaliser: Float(b), gradient: scoreGradient)
        gradient.fill(0)
        for r in 0..<b { gradient[r, 0] = scoreGradient[r, 0] }
        if let classes, k > 0 {
            let logits = Matrix(rows: b, cols: k), classGradient = Matrix(rows: b, cols: k)
            for r in 0..<b { for c in 0..<k { logits[r, c] = output[r, 1 + c] } }
            loss += Double(weight) * classes.withUnsafeBufferPointer { softmaxCrossEntropy(logits, labels: $0, gradient: classGradient) }
            for r in 0..<b { for c in 0..<k { gradient[r, 1 + c] = weight * classGradient[r, c] } }
        }
        return loss
    }

    func assertEquivalent(_ arch: Architecture, projection: Bool = false, classLoss: Double = 0) throws {
        var config = TrainingConfig(reference: arch)
        config.additions.projectionDiscriminator = projection
        config.additions.classLossWeight = classLoss
        // Dropout masks are drawn in a different order by the two formulations: compare without dropout.
        config.model.generatorDropout = 0; config.model.discriminatorDropout = 0; config.model.discriminatorInputDropout = 0
        config.optimization.batchSize = 16
        config.optimization.optimizer = .sgd
        config.optimization.learningRate = 0.05
        let fast = TrainingStep(config: config, models: GANModels(config: config, classCount: 10), classCount: 10, stepsPerEpoch: 100)
        let plain = TrainingStep(config: config, models: GANModels(config: config, classCount: 10), classCount: 10, stepsPerEpoch: 100)
        let plainRNG = RandomGenerator(state: fast.rng.state)
        let data = RandomGenerator(seed: 3)
        for step in 0..<3 {
            let real = Matrix(rows: 16, cols: 784)
            data.fillUniform(real, low: config.pixelScale == .unit ? 0 : -1, high: 1)
            let labels = (0..<16).map { _ in Int32(data.integer(below: 10)) }
            let s = fast.run(step: step) { x, y in
                x.copy(from: real)
                for i in 0..<16 { y[i] = labels[i] }
            }
            let (lossD, lossG) = plainStep(plain, step: step, rng: plainRNG, real: real, realLabels: labels)
            XCTAssertEqual(s.discriminatorLoss, lossD, accuracy: 1e-5 * max(1, abs(lossD)), "\(arch) step \(step) D loss")
            XCTAssertEqual(s.generatorLoss, lossG, accuracy: 1e-5 * max(1, abs(lossG)), "\(arch) step \(step) G loss")
        }
        // SGD moves weights in proportion to their gradients, so rounding differences between one pass over
        // 2B rows and two over B (different blockings inside the matrix library) stay near 1e-7, while a real
        // error (a missing or doubled term) moves weights by lr times a whole gradient. (Adam would move every
        // weight by about lr whatever its gradient's size, and turn rounding noise into whole steps.)
        let tolerance: Float = 2e-5
        let layers = fast.models.generator.trunk.layers
        let cancelled = Set(layers.indices.dropLast().filter { layers[$0 + 1] is BatchNorm1d || layers[$0 + 1] is BatchNorm2d }
            .map { "trunk.\($0).bias" })
        for (a, b) in zip(fast.models.generator.namedParameters + fast.models.discriminator.namedParameters,
                          plain.models.generator.namedParameters + plain.models.discriminator.namedParameters)
            where arch != .dcgan || !cancelled.contains(a.name) {
            let worst = zip(a.parameter.value.array, b.parameter.value.array).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, tolerance, "\(arch) \(a.name) differs by \(worst)")
        }
    }

    /// --no-dropout-in-g-step: G's loss is D's, after D's update, on the step's generated images with D's
    /// dropout off (and, with spectral normalisation, its power iteration held), while D itself trained with
    /// them; with dropout in G's step the two differ.
    func testGeneratorStepWithoutDropoutSeesTheWholeD() {
        for (dropoutInGeneratorStep, spectralNorm) in [(false, false), (true, false), (false, true)] {
            var config = TrainingConfig(architecture: .dcgan)
            config.optimization.batchSize = 16
            config.additions.generatorAverageDecay = 0
            config.additions.discriminatorHeadDropout = 0.3   // dropout before the head too, so that it moves G's loss clearly
            config.additions.discriminatorDropoutInGeneratorStep = dropoutInGeneratorStep
            config.additions.spectralNorm = spectralNorm
            let step = TrainingStep(config: config, models: GANModels(config: config, classCount: 10), classCount: 10, stepsPerEpoch: 100)
            let twin = GANModels(config: config, classCount: 10).generator
            let rng = RandomGenerator(state: step.rng.state), data = RandomGenerator(seed: 6)
            let stats = step.run(step: 0) { x, y in
                data.fillUniform(x, low: -1, high: 1)
                for i in 0..<16 { y[i] = Int32(i % 10) }
            }
            // The step's own draws, in its order: G's images, then D's scores of them in inference.
            let fakeLabels = (0..<16).map { _ in Int32(rng.integer(below: 10)) }
            let z = Matrix(rows: 16, cols: config.model.noiseSize), yFake = Matrix(rows: 16, cols: 10)
            config.model.noise.fill(z, rng: rng)
            fakeLabels.withUnsafeBufferPointer { oneHot($0, into: yFake) }
            let fake = twin.forward(z, labels: yFake, mode: .training).clone()
            let logits = step.models.discriminator.forward(fake, labels: yFake, mode: .inference)
            let ones = Matrix(rows: 16, cols: 1), gradient = Matrix(rows: 16, cols: 1)
            ones.fill(1)
            let wholeD = binaryCrossEntropyWithLogits(logits, targets: ones, normaliser: 16, gradient: gradient)
            if dropoutInGeneratorStep {
                XCTAssertGreaterThan(abs(stats.generatorLoss - wholeD), 1e-3, "dropout on in G's step changed nothing")
            } else {
                XCTAssertEqual(stats.generatorLoss, wholeD, accuracy: 1e-5 * max(1, abs(wholeD)), "spectral norm: \(spectralNorm)")
            }
        }
    }

    /// --d-lr-scale s: D's first step with learning rate η is D's step at s·η, while G's stays at η.
    func testDiscriminatorLearningRateScaleScalesOnlyDsStep() {
        func oneStep(learningRate: Double, scale: Double) -> (g: [Float], d: [Float], g0: [Float]) {
            var config = TrainingConfig(reference: .mlp)
            config.model.discriminatorDropout = 0
            config.optimization.batchSize = 16
            config.optimization.optimizer = .sgd
            config.optimization.learningRate = learningRate
            config.optimization.discriminatorLearningRateScale = scale
            let step = TrainingStep(config: config, models: GANModels(config: config, classCount: 10), classCount: 10, stepsPerEpoch: 100)
            let g0 = step.models.generator.trainableParameters.flatMap(\.value.array)
            let data = RandomGenerator(seed: 4)
            _ = step.run(step: 0) { x, y in
                data.fillUniform(x, low: -1, high: 1)
                for i in 0..<16 { y[i] = Int32(i % 10) }
            }
            func values(_ net: ConditionalNet) -> [Float] { net.trainableParameters.flatMap(\.value.array) }
            return (values(step.models.generator), values(step.models.discriminator), g0)
        }
        let scaled = oneStep(learningRate: 0.02, scale: 3), fast = oneStep(learningRate: 0.06, scale: 1)
        let plain = oneStep(learningRate: 0.02, scale: 1)
        let worst = zip(scaled.d, fast.d).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(worst, 1e-6, "D after one step at 0.02 x 3 and at 0.06")
        XCTAssertTrue(scaled.d != plain.d, "the scale changed nothing in D")
        // The same D, so the same gradient for G: its step at 0.02 is a third of the step at 0.06.
        var gWorst: Float = 0
        for i in scaled.g.indices {
            let slow = scaled.g[i] - scaled.g0[i], quick = fast.g[i] - fast.g0[i]
            gWorst = max(gWorst, abs(3 * slow - quick))
        }
        XCTAssertLessThan(gWorst, 1e-5, "G's step is at --lr whatever D's scale")
    }

    func testPaper() throws { try assertEquivalent(.paper) }
    func testMLP() throws { try assertEquivalent(.mlp) }
    func testMLPWithBatchNorm() throws { try assertEquivalent(.mlpBN) }
    func testDCGAN() throws { try assertEquivalent(.dcgan) }
    /// The projection head reads the labels again after the trunk: still exact over [real; fake].
    func testDCGANWithProjectionDiscriminator() throws { try assertEquivalent(.dcgan, projection: true) }
    /// With an AC-GAN classifier D's output is [score | class logits]; the one pass splits and joins it exactly.
    func testDCGANWithAuxiliaryClassLoss() throws { try assertEquivalent(.dcgan, projection: true, classLoss: 0.7) }
}

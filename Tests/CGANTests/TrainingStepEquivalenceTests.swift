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
        let z = Matrix(rows: b, cols: t.config.noiseSize)
        t.config.noise.fill(z, rng: rng)
        let yReal = Matrix(rows: b, cols: t.classCount), yFake = Matrix(rows: b, cols: t.classCount)
        realLabels.withUnsafeBufferPointer { oneHot($0, into: yReal) }
        fakeLabels.withUnsafeBufferPointer { oneHot($0, into: yFake) }
        let fake = g.forward(z, labels: yFake, mode: .training).clone()
        let ones = Matrix(rows: b, cols: 1), zeros = Matrix(rows: b, cols: 1), grad = Matrix(rows: b, cols: 1)
        ones.fill(1)

        let params = d.trainableParameters
        var lossD = binaryCrossEntropyWithLogits(d.forward(real, labels: yReal, mode: .training), targets: ones,
                                                 normaliser: Float(b), gradient: grad)
        _ = d.backward(grad, needs: .all)
        let realGradients = params.map { $0.gradient.clone() }
        lossD += binaryCrossEntropyWithLogits(d.forward(fake, labels: yFake, mode: .training), targets: zeros,
                                              normaliser: Float(b), gradient: grad)
        _ = d.backward(grad, needs: .all)
        for (p, r) in zip(params, realGradients) {
            for i in 0..<r.count { p.gradient.pointer[i] += r.pointer[i] }
        }
        t.discriminatorOptimizer.update(hyperparameters, step: step + 1)

        let lossG = binaryCrossEntropyWithLogits(d.forward(fake, labels: yFake, mode: .training), targets: ones,
                                                 normaliser: Float(b), gradient: grad)
        let dx = d.backward(grad, needs: .all)
        _ = g.backward(dx, needs: .all)
        t.generatorOptimizer.update(hyperparameters, step: step + 1)
        return (lossD, lossG)
    }

    func assertEquivalent(_ arch: Architecture, projection: Bool = false) throws {
        var config = TrainingConfig(reference: arch)
        config.projectionDiscriminator = projection
        // Dropout masks are drawn in a different order by the two formulations: compare without dropout.
        config.generatorDropout = 0; config.discriminatorDropout = 0; config.discriminatorInputDropout = 0
        config.batchSize = 16
        config.optimizer = .sgd
        config.learningRate = 0.05
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

    func testPaper() throws { try assertEquivalent(.paper) }
    func testMLP() throws { try assertEquivalent(.mlp) }
    func testMLPWithBatchNorm() throws { try assertEquivalent(.mlpBN) }
    func testDCGAN() throws { try assertEquivalent(.dcgan) }
    /// The projection head reads the labels again after the trunk: still exact over [real; fake].
    func testDCGANWithProjectionDiscriminator() throws { try assertEquivalent(.dcgan, projection: true) }
}

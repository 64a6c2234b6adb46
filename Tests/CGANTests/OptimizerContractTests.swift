import CGAN
import Foundation
import NN
import TestSupport
import XCTest

/// The trainer sets each optimiser's rate and momentum per step from the schedule; the generator's loss
/// has the sign the config asks for.
final class OptimizerContractTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// At chosen steps, the SGD update of a G weight is exactly v ← μv + g, w ← w - ηv with the paper's
    /// η = 0.1 / 1.00004^t (floor 1e-6) and μ rising linearly from 0.5 to 0.7 over the saturation epochs.
    func testThePapersDecayAndMomentumRampReachSGD() {
        var config = TrainingConfig(architecture: .paper)
        config.optimization.batchSize = 8
        config.optimization.momentumSaturateEpochs = 2
        let stepsPerEpoch = 50
        let trainer = TrainingStep(config: config, models: GANModels(config: config, classCount: 10), classCount: 10,
                                   stepsPerEpoch: stepsPerEpoch)
        let data = RandomGenerator(seed: 4)
        let bias = trainer.models.generator.namedParameters.first { $0.name == "trunk.4.bias" }!.parameter
        let velocity = trainer.generatorOptimizer.namedState.first { $0.name == "trunk.4.bias.momentum" }!.tensor.values
        for t in [0, 1, 37, 100, 150] {
            let w0 = bias.value.array, v0 = velocity.array
            let stats = trainer.run(step: t) { x, y in
                data.fillUniform(x)
                for i in 0..<y.count { y[i] = Int32(data.integer(below: 10)) }
            }
            let lr = Float(max(0.1 / pow(1.00004, Double(t)), 1e-6))
            let mu = Float(0.5 + 0.2 * min(1, Double(t) / Double(2 * stepsPerEpoch)))
            XCTAssertEqual(Float(stats.learningRate), lr, accuracy: 1e-9, "step \(t)")
            XCTAssertEqual(Float(stats.momentum), mu, accuracy: 1e-6, "step \(t)")
            let g = bias.gradient.array, v1 = velocity.array, w1 = bias.value.array
            for i in stride(from: 0, to: g.count, by: 61) {
                XCTAssertEqual(v1[i], mu * v0[i] + g[i], accuracy: 1e-6 * max(1, abs(v1[i])), "step \(t) velocity[\(i)]")
                XCTAssertEqual(w1[i], w0[i] - lr * v1[i], accuracy: 1e-6, "step \(t) weight[\(i)]")
            }
        }
    }

    /// Adam gets the config's constant rate and β₁ as its momentum.
    func testAdamGetsAConstantRateAndItsBeta() {
        let config = TrainingConfig(architecture: .mlp)
        let schedule = TrainingSchedule(config: config, stepsPerEpoch: 100)
        for t in [0, 1, 10_000] {
            XCTAssertEqual(schedule.hyperparameters(atStep: t), Hyperparameters(learningRate: 2e-4, momentum: 0.5))
        }
    }

    /// --lr-decay-from 0.5 over 4 epochs of 100 steps: the rate holds for 200 steps, then falls linearly to
    /// zero at step 400; β₁ is untouched. SGD runs refuse it.
    func testAdamsLinearFallToZero() {
        var config = TrainingConfig(architecture: .dcgan)
        config.optimization.epochs = 4
        config.optimization.learningRateDecayStart = 0.5
        let schedule = TrainingSchedule(config: config, stepsPerEpoch: 100)
        for (t, rate) in [(0, 2e-4), (199, 2e-4), (200, 2e-4), (300, 1e-4), (350, 0.5e-4), (399, 0.01e-4), (400, 0)] {
            XCTAssertEqual(Double(schedule.hyperparameters(atStep: t).learningRate), rate, accuracy: 1e-9, "step \(t)")
            XCTAssertEqual(schedule.hyperparameters(atStep: t).momentum, 0.5)
        }
        var sgd = TrainingConfig(architecture: .paper)
        sgd.optimization.learningRateDecayStart = 0.5
        XCTAssertEqual(sgd.problem, "--lr-decay-from applies to the Adam models (mlp, mlp-bn, dcgan)")
    }

    /// Non-saturating: -log σ(l), gradient (σ(l) - 1)/B. Saturating: log(1 - σ(l)), gradient -σ(l)/B: the
    /// negation of the gradient of D's loss on fakes, BCE(l, 0). Both checked against finite differences.
    func testGeneratorLossesAndTheirSigns() {
        let logits = Matrix(rows: 4, cols: 1, values: [-3, -0.5, 0.5, 2])
        let targets = Matrix(rows: 4, cols: 1), gradient = Matrix(rows: 4, cols: 1), scratch = Matrix(rows: 4, cols: 1)
        func sigmoid(_ x: Float) -> Double { 1 / (1 + exp(-Double(x))) }
        for loss in GeneratorLoss.allCases {
            let value = loss.evaluate(logits: logits, targets: targets, gradient: gradient)
            let expected = logits.array.map { l in loss == .saturating ? log(1 - sigmoid(l)) : -log(sigmoid(l)) }.reduce(0, +) / 4
            XCTAssertEqual(value, expected, accuracy: 1e-6, "\(loss)")
            for (i, l) in logits.array.enumerated() {
                let s = sigmoid(l)
                XCTAssertEqual(Double(gradient.array[i]), loss == .saturating ? -s / 4 : (s - 1) / 4, accuracy: 1e-6, "\(loss) [\(i)]")
                let h: Float = 1e-2
                logits.pointer[i] = l + h
                let plus = loss.evaluate(logits: logits, targets: targets, gradient: scratch)
                logits.pointer[i] = l - h
                let minus = loss.evaluate(logits: logits, targets: targets, gradient: scratch)
                logits.pointer[i] = l
                XCTAssertEqual(Double(gradient.array[i]), (plus - minus) / Double(2 * h), accuracy: 1e-4, "\(loss) finite difference [\(i)]")
            }
        }
        // The flip itself: saturating = -(D's fake-loss gradient).
        _ = GeneratorLoss.saturating.evaluate(logits: logits, targets: targets, gradient: gradient)
        binaryCrossEntropyWithLogits(logits, targets: Matrix(rows: 4, cols: 1), normaliser: 4, gradient: scratch)
        XCTAssertEqual(gradient.array, scratch.array.map { -$0 })
    }
}

import TestSupport
import XCTest
import NN

final class LayerGradientTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }
    let checker = GradientChecker()

    func testLinear() {
        let rng = RandomGenerator(seed: 1)
        let layer = Linear(7, 5)
        layer.initializeDefault(rng: rng)
        checker.check(layer, input: randomMatrix(4, 7, rng), mode: .training, rng: rng, name: "Linear")
    }

    func testMaxout() {
        let rng = RandomGenerator(seed: 2)
        let layer = Maxout(6, units: 4, pieces: 3)
        layer.linear.initializeDefault(rng: rng)
        checker.check(layer, input: randomMatrix(5, 6, rng), mode: .training, rng: rng, name: "Maxout")
    }

    func testMaxoutPicksTheLargestPieceOfEachUnit() {
        let layer = Maxout(1, units: 2, pieces: 3)
        // z = x·w with x = 1: pieces (1, 5, 2) for unit 0 and (-1, -3, -2) for unit 1.
        let w: [Float] = [1, 5, 2, -1, -3, -2]
        for (i, v) in w.enumerated() { layer.linear.weight.value.pointer[i] = v }
        let y = layer.forward(Matrix(rows: 1, cols: 1, values: [1]), mode: .inference)
        XCTAssertEqual(y.array, [5, -1])
    }

    func testActivations() {
        let rng = RandomGenerator(seed: 3)
        let layers: [(String, Layer)] = [("ReLU", ReLU()), ("LeakyReLU", LeakyReLU(slope: 0.2)),
                                         ("Sigmoid", Sigmoid()), ("Tanh", Tanh())]
        for (name, layer) in layers {
            checker.check(layer, input: awayFromZero(4, 6, rng), mode: .training, rng: rng, name: name)
        }
    }

    func testActivationsAreStableForHugeInputs() {
        let x = Matrix(rows: 1, cols: 4, values: [-1e4, -100, 100, 1e4])
        XCTAssertEqual(Sigmoid().forward(x, mode: .inference).array, [0, sigmoid(-100), 1, 1])
        XCTAssertEqual(Tanh().forward(x, mode: .inference).array, [-1, -1, 1, 1])
    }

    func testDropoutInTrainingWithAReplayedMask() {
        let rng = RandomGenerator(seed: 4), maskRNG = RandomGenerator(seed: 99)
        let saved = maskRNG.state
        let layer = Dropout(0.5, rng: maskRNG)
        checker.check(layer, input: randomMatrix(4, 6, rng), mode: .training, rng: rng, name: "Dropout(train)",
                      beforeForward: { maskRNG.restore(saved) })
    }

    func testDropoutIsIdentityInInference() {
        let rng = RandomGenerator(seed: 5)
        let layer = Dropout(0.5, rng: rng)
        let x = randomMatrix(3, 4, rng)
        XCTAssertEqual(layer.forward(x, mode: .inference).array, x.array)
        checker.check(layer, input: x, mode: .inference, rng: rng, name: "Dropout(eval)")
    }

    func testDropoutDropsAtTheRequestedRateAndRescales() {
        let rng = RandomGenerator(seed: 6)
        let layer = Dropout(0.3, rng: rng)
        let x = Matrix(rows: 200, cols: 500)
        x.fill(1)
        let y = layer.forward(x, mode: .training).array
        let zeros = y.filter { $0 == 0 }.count
        let rate = Double(zeros) / Double(y.count)
        XCTAssertEqual(rate, 0.3, accuracy: 0.005)  // sd of the rate is 0.001 for 1e5 draws
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertEqual(y.reduce(0, +) / Float(y.count), 1, accuracy: 0.01)  // inverted: mean preserved
    }

    func testDropoutIsOffAtInferenceUnlessKept() {
        let rng = RandomGenerator(seed: 7)
        let layer = Dropout(0.5, rng: rng)
        let x = Matrix(rows: 10, cols: 10)
        x.fill(1)
        XCTAssertEqual(layer.forward(x, mode: .inference).array, x.array)
        XCTAssertTrue(layer.forward(x, mode: .inferenceKeepingDropout).array.contains(0))
        let bn = BatchNorm1d(10)
        bn.runningMean.value.fill(0.5)
        // Keeping dropout does not switch batch norm to batch statistics.
        XCTAssertEqual(bn.forward(x, mode: .inferenceKeepingDropout).array, bn.forward(x, mode: .inference).array)
    }

    func testBatchNormTraining() {
        let rng = RandomGenerator(seed: 8)
        let layer = BatchNorm1d(5)
        rng.fillUniform(layer.gamma.value, low: 0.5, high: 1.5)
        rng.fillUniform(layer.beta.value, low: -0.5, high: 0.5)
        checker.check(layer, input: randomMatrix(6, 5, rng), mode: .training, rng: rng, name: "BatchNorm(train)")
    }

    func testBatchNormInferenceUsesRunningStatistics() {
        let rng = RandomGenerator(seed: 9)
        let layer = BatchNorm1d(3)
        rng.fillUniform(layer.runningMean.value, low: -1, high: 1)
        rng.fillUniform(layer.runningVariance.value, low: 0.5, high: 2)
        rng.fillUniform(layer.gamma.value, low: 0.5, high: 1.5)
        let x = randomMatrix(4, 3, rng)
        let y = layer.forward(x, mode: .inference)
        for r in 0..<4 {
            for c in 0..<3 {
                let expected = layer.gamma.value[0, c] * (x[r, c] - layer.runningMean.value[0, c])
                    / (layer.runningVariance.value[0, c] + 1e-5).squareRoot() + layer.beta.value[0, c]
                XCTAssertEqual(y[r, c], expected, accuracy: 1e-5)
            }
        }
    }

    /// After an inference-mode forward the running statistics are constants: the backward pass is that
    /// function's gradient (dx = dy·gamma/sqrt(var + eps)), not the training-mode one, in both modes of dropout.
    func testBatchNormInferenceGradients() {
        let rng = RandomGenerator(seed: 11)
        for mode in [Mode.inference, .inferenceKeepingDropout] {
            let layer = BatchNorm1d(5)
            rng.fillUniform(layer.runningMean.value, low: -1, high: 1)
            rng.fillUniform(layer.runningVariance.value, low: 0.5, high: 2)
            rng.fillUniform(layer.gamma.value, low: 0.5, high: 1.5)
            rng.fillUniform(layer.beta.value, low: -0.5, high: 0.5)
            checker.check(layer, input: randomMatrix(6, 5, rng), mode: mode, rng: rng, name: "BatchNorm(\(mode))")
            let dy = randomMatrix(6, 5, rng)
            _ = layer.forward(randomMatrix(6, 5, rng), mode: mode)
            let dx = layer.backward(dy, needs: .input)
            for r in 0..<6 {
                for c in 0..<5 {
                    let expected = dy[r, c] * layer.gamma.value[0, c] / (layer.runningVariance.value[0, c] + 1e-5).squareRoot()
                    XCTAssertEqual(dx[r, c], expected, accuracy: 1e-6)
                }
            }
        }
        let plain = BatchNorm1d(4, affine: false)
        rng.fillUniform(plain.runningVariance.value, low: 0.5, high: 2)
        checker.check(plain, input: randomMatrix(3, 4, rng), mode: .inference, rng: rng, name: "BatchNorm(affine: false, inference)")
    }

    /// Every built-in layer says it has an inference-mode backward pass; a layer that does not is named,
    /// also behind a spectral normalisation, which passes its layer's gradient on.
    func testLayersWithoutAnInferenceBackwardAreNamed() {
        final class TrainingOnly: Layer, DefaultInitializable {
            let weight = Parameter(shape: [1, 1]), bias = Parameter(shape: [1])
            func forward(_ input: Matrix, mode: Mode) -> Matrix { input }
            func backward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix { gradOutput }
        }
        let rng = RandomGenerator(seed: 12)
        let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1), image = ImageShape(channels: 1, height: 8, width: 8)
        let builtIn = Sequential(Linear(3, 4), BatchNorm1d(4), ReLU(), LeakyReLU(), Sigmoid(), Tanh(), Identity(), Dropout(0.5, rng: rng),
                                 Maxout(4, units: 2, pieces: 2), SpectralNorm(Linear(2, 2), rng: rng), Conv2d(image, outChannels: 2, window),
                                 ConvTranspose2d(image, outChannels: 2, window), BatchNorm2d(image), ClassAffine(image, classes: 2),
                                 LabelPlaneConv2d(image, classes: 2, outChannels: 2, window))
        XCTAssertEqual(builtIn.modulesWithoutInferenceBackward, [])
        XCTAssertEqual(ProjectionHead(features: 3, classes: 2, spectralNormRNG: rng).modulesWithoutInferenceBackward, [])
        let custom = Sequential(Linear(1, 1), TrainingOnly(), SpectralNorm(TrainingOnly(), rng: rng))
        XCTAssertEqual(custom.modulesWithoutInferenceBackward, ["1 (TrainingOnly)", "2 (SpectralNorm)"])
    }

    func testBatchNormRunningStatistics() {
        let layer = BatchNorm1d(1, momentum: 0.1)
        let x = Matrix(rows: 4, cols: 1, values: [1, 2, 3, 6])  // mean 3, unbiased variance 14/3
        _ = layer.forward(x, mode: .training)
        XCTAssertEqual(layer.runningMean.value[0, 0], 0.9 * 0 + 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(layer.runningVariance.value[0, 0], 0.9 * 1 + 0.1 * 14 / 3, accuracy: 1e-6)
        let y = layer.forward(x, mode: .training).array  // normalised with the biased variance 3.5
        XCTAssertEqual(y[3], (6 - 3) / (3.5 + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testSequential() {
        let rng = RandomGenerator(seed: 10)
        let first = Linear(5, 6), second = Linear(6, 3)
        first.initializeDefault(rng: rng)
        second.initializeDefault(rng: rng)
        let net = Sequential(first, Tanh(), second, Sigmoid())
        XCTAssertEqual(net.namedParameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        checker.check(net, input: randomMatrix(3, 5, rng), mode: .training, rng: rng, name: "Sequential")
    }

    func testColumnConcatJoinsAndSplitsExactly() {
        let rng = RandomGenerator(seed: 11)
        var join = ColumnConcat()
        let a = randomMatrix(3, 4, rng), b = randomMatrix(3, 2, rng)
        let y = join.forward(a, b)
        XCTAssertEqual(y.shape, [3, 6])
        for r in 0..<3 {
            XCTAssertEqual(Array(y.array[(r * 6)..<(r * 6 + 4)]), Array(a.array[(r * 4)..<(r * 4 + 4)]))
            XCTAssertEqual(Array(y.array[(r * 6 + 4)..<(r * 6 + 6)]), Array(b.array[(r * 2)..<(r * 2 + 2)]))
        }
        let (da, db) = join.backward(y)
        XCTAssertEqual(da.array, a.array)
        XCTAssertEqual(db.array, b.array)
    }

    func testBinaryCrossEntropyWithLogits() {
        let rng = RandomGenerator(seed: 12)
        let logits = randomMatrix(6, 1, rng, low: -4, high: 4)
        let targets = Matrix(rows: 6, cols: 1, values: [1, 0, 1, 0, 1, 0])
        let grad = Matrix(rows: 6, cols: 1)
        binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: 3, gradient: grad)
        let numeric = checker.numericGradient(of: logits) {
            binaryCrossEntropyWithLogits(logits, targets: targets, normaliser: 3, gradient: Matrix(rows: 6, cols: 1))
        }
        checker.assertClose(grad.array, numeric, "BCE dLogits")
        // Exact value: BCE(0, 1) = log 2; and finite for huge logits.
        let big = Matrix(rows: 3, cols: 1, values: [0, 1e4, -1e4])
        let loss = binaryCrossEntropyWithLogits(big, targets: Matrix(rows: 3, cols: 1, values: [1, 0, 1]),
                                                normaliser: 1, gradient: Matrix(rows: 3, cols: 1))
        XCTAssertEqual(loss, log(2) + 1e4 + 1e4, accuracy: 1e-2)
    }

    func testSoftmaxCrossEntropy() {
        let rng = RandomGenerator(seed: 13)
        let logits = randomMatrix(4, 5, rng, low: -3, high: 3)
        let labels: [Int32] = [0, 4, 2, 2]
        let grad = Matrix(rows: 4, cols: 5)
        labels.withUnsafeBufferPointer { l in
            softmaxCrossEntropy(logits, labels: l, gradient: grad)
            let numeric = checker.numericGradient(of: logits) {
                softmaxCrossEntropy(logits, labels: l, gradient: Matrix(rows: 4, cols: 5))
            }
            checker.assertClose(grad.array, numeric, "softmax CE dLogits")
        }
    }
}

/// The projection head as a one-input layer over fixed labels, so the generic gradient check applies.
final class ProjectionOverFixedLabels: Layer {
    let head: ProjectionHead, labels: Matrix
    init(_ head: ProjectionHead, labels: Matrix) { self.head = head; self.labels = labels }
    var children: [(name: String, module: Module)] { [("head", head)] }
    func forward(_ input: Matrix, mode: Mode) -> Matrix { head.forward(input, labels: labels, mode: mode) }
    func backward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix { head.backward(gradOutput, needs: needs) }
}

final class ProjectionAndAverageTests: XCTestCase {
    func testProjectionHeadGradients() {
        let rng = RandomGenerator(seed: 41)
        let head = ProjectionHead(features: 7, classes: 3)
        head.initializeDefault(rng: rng)
        rng.fillUniform(head.embedding.value, low: -1, high: 1)
        let labels = Matrix(rows: 5, cols: 3, values: [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0.3, 0.7, 0])
        GradientChecker().check(ProjectionOverFixedLabels(head, labels: labels), input: randomMatrix(5, 7, rng),
                                mode: .training, rng: rng, name: "ProjectionHead")
    }

    /// out = h·w + b + h·E[y]: the class's row of the embedding adds to the linear score.
    func testProjectionHeadScoresTheFeaturesAgainstTheClassEmbedding() {
        let head = ProjectionHead(features: 2, classes: 2)
        head.weight.value.copy(from: Matrix(rows: 1, cols: 2, values: [1, 2]))
        head.bias.value.pointer[0] = 0.5
        head.embedding.value.copy(from: Matrix(rows: 2, cols: 2, values: [10, 0, 0, 100]))
        let h = Matrix(rows: 2, cols: 2, values: [1, 1, 1, 1]), y = Matrix(rows: 2, cols: 2, values: [1, 0, 0, 1])
        let expected: [Float] = [13.5, 103.5]  // 1 + 2 + 0.5, plus 10 for class 0 and 100 for class 1
        XCTAssertEqual(head.forward(h, labels: y, mode: .inference).array, expected)
    }

    func testWeightAverageMovesTowardsTheWeightsAndLeavesStateAlone() {
        let source = Sequential(Linear(3, 2), BatchNorm1d(2)), average = Sequential(Linear(3, 2), BatchNorm1d(2))
        let rng = RandomGenerator(seed: 3)
        for p in source.namedParameters.map(\.parameter) { rng.fillUniform(p.value, low: -1, high: 1) }
        let averager = WeightAverage(of: source, into: average)
        XCTAssertEqual(average.namedParameters.flatMap(\.parameter.value.array), source.namedParameters.flatMap(\.parameter.value.array))
        let start = average.namedParameters.map { $0.parameter.value.array }
        for p in source.namedParameters.map(\.parameter) { p.value.scale(by: 3) }
        averager.update(decay: 0.75)
        for ((name, p), before) in zip(average.namedParameters, start) {
            let expected: [Float] = p.isTrainable ? before.map { (w: Float) -> Float in 0.75 * w + 0.25 * (3 * w) } : before
            for (a, e) in zip(p.value.array, expected) { XCTAssertEqual(a, e, accuracy: 1e-6, name) }
        }
    }
}

import XCTest
import NN
import TestSupport

final class SpectralNormTests: XCTestCase {
    /// The largest singular value of a [rows, cols] matrix, from the eigenvalues of MᵀM in Double.
    func largestSingularValue(_ m: Matrix) -> Double {
        let n = m.cols
        var gram = [Double](repeating: 0, count: n * n)
        for r in 0..<m.rows {
            for i in 0..<n { for j in 0..<n { gram[i * n + j] += Double(m[r, i]) * Double(m[r, j]) } }
        }
        return symmetricEigen(gram, n: n).values.max()!.squareRoot()
    }

    /// After enough training passes the power iteration has converged and Ŵ's largest singular value is 1.
    func testNormalizedWeightHasSpectralNormOne() {
        let rng = RandomGenerator(seed: 5)
        let layer = SpectralNorm(Linear(6, 4), rng: rng)
        layer.initializeDefault(rng: rng)
        layer.weight.value.scale(by: 7)
        let x = randomMatrix(3, 6, rng)
        for _ in 0..<30 { _ = layer.forward(x, mode: .training) }
        let inner = (layer.layer as! Linear).weight.value
        XCTAssertEqual(largestSingularValue(inner), 1, accuracy: 1e-4)
        XCTAssertEqual(Double(layer.normalization.sigma), largestSingularValue(layer.weight.value), accuracy: 1e-3)
        // Inference reuses u and v: the same σ, no further iteration.
        let u = layer.normalization.u.value.array
        _ = layer.forward(x, mode: .inference)
        XCTAssertEqual(layer.normalization.u.value.array, u)
    }

    /// With u and v held (inference), W ↦ W/σ(W) is differentiable and the backward pass must match it.
    func testGradientsMatchFiniteDifferences() {
        let rng = RandomGenerator(seed: 9)
        let layer = SpectralNorm(Linear(5, 3), rng: rng)
        layer.initializeDefault(rng: rng)
        let x = randomMatrix(4, 5, rng)
        for _ in 0..<5 { _ = layer.forward(x, mode: .training) }
        GradientChecker().check(layer, input: x, mode: .inference, rng: rng, name: "SpectralNorm(Linear)")
        XCTAssertEqual(layer.namedParameters.map(\.name), ["bias", "weight_orig", "weight_u", "weight_v"])
        XCTAssertEqual(layer.trainableParameters.count, 2)
    }

    func testConvolutionAndProjectionHeadGradients() {
        let rng = RandomGenerator(seed: 13)
        let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
        let conv = SpectralNorm(Conv2d(ImageShape(channels: 2, height: 6, width: 6), outChannels: 3, window), rng: rng)
        conv.initializeDefault(rng: rng)
        let x = randomMatrix(2, 72, rng)
        _ = conv.forward(x, mode: .training)
        GradientChecker().check(conv, input: x, mode: .inference, rng: rng, name: "SpectralNorm(Conv2d)")

        let head = ProjectionHead(features: 7, classes: 3, spectralNormRNG: rng)
        head.initializeDefault(rng: rng)
        let labels = Matrix(rows: 5, cols: 3, values: [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0])
        let h = randomMatrix(5, 7, rng)
        _ = head.forward(h, labels: labels, mode: .training)
        XCTAssertEqual(head.namedParameters.map(\.name),
                       ["weight_orig", "weight_u", "weight_v", "bias", "embedding_orig", "embedding_u", "embedding_v"])
        GradientChecker().check(ProjectionOverFixedLabels(head, labels: labels), input: h, mode: .inference, rng: rng,
                                name: "ProjectionHead with spectral norm")
    }

    /// Without spectral norm the class embedding starts at zero (as every earlier dcgan run did); with it, it cannot.
    func testProjectionHeadInitialisation() {
        let plain = ProjectionHead(features: 4, classes: 3), normalized = ProjectionHead(features: 4, classes: 3, spectralNormRNG: RandomGenerator(seed: 1))
        let heads: [any DefaultInitializable] = [plain, normalized]   // through the protocol, as models initialise
        for head in heads { head.initializeDefault(rng: RandomGenerator(seed: 2)) }
        XCTAssertTrue(plain.embedding.value.array.allSatisfy { $0 == 0 })
        XCTAssertTrue(plain.weight.value.array.allSatisfy { $0 != 0 })
        XCTAssertTrue(normalized.spectralNorms!.embedding.original.value.array.allSatisfy { $0 != 0 })
        XCTAssertEqual(normalized.spectralNorms!.weight.original.value.array, plain.weight.value.array)
    }

    func testHingeLossesAndTheirGradients() {
        let logits = Matrix(rows: 4, cols: 1, values: [2, 0.5, -3, 0.25])   // two real rows, two generated
        let g = Matrix(rows: 4, cols: 1)
        // real: max(0, 1-2) + max(0, 1-0.5) = 0.5; generated: max(0, 1-3) + max(0, 1+0.25) = 1.25; / 2
        XCTAssertEqual(discriminatorHingeLoss(logits, realRows: 2, normaliser: 2, gradient: g), 0.875, accuracy: 1e-6)
        XCTAssertEqual(g.array, [0, -0.5, 0, 0.5])
        let fake = Matrix(rows: 2, cols: 1, values: [1, -3]), gg = Matrix(rows: 2, cols: 1)
        XCTAssertEqual(generatorHingeLoss(fake, gradient: gg), 1, accuracy: 1e-6)
        XCTAssertEqual(gg.array, [-0.5, -0.5])
    }
}

import Foundation
import NN
import TestSupport
import XCTest

/// Conv2d, ConvTranspose2d, BatchNorm2d and the class-conditional batch norm: finite differences, and
/// PyTorch's numbers on fixed inputs (Tests/Fixtures/layer-fixtures.st, written by make_layer_fixtures.py beside it).
final class ConvolutionTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }
    let checker = GradientChecker()

    /// Runs `body` once per library (oneDNN's convolution primitives, OpenBLAS after im2col).
    func forEachBackend(_ body: (MatrixProducts) throws -> Void) rethrows {
        for backend in MatrixProducts.Backend.allCases { try body(MatrixProducts(backend: backend)) }
    }

    func testConv2dGradients() { forEachBackend(conv2dGradients) }
    func testConvTranspose2dGradients() { forEachBackend(convTranspose2dGradients) }

    func conv2dGradients(_ products: MatrixProducts) {
        let rng = RandomGenerator(seed: 21)
        let layer = Conv2d(ImageShape(channels: 2, height: 6, width: 5), outChannels: 3, ConvolutionWindow(kernel: 3, stride: 2, padding: 1))
        layer.matrixProducts = products
        layer.initializeDefault(rng: rng)
        XCTAssertEqual(layer.output, ImageShape(channels: 3, height: 3, width: 3))
        checker.check(layer, input: randomMatrix(2, 60, rng), mode: .training, rng: rng, name: "Conv2d")
    }

    func convTranspose2dGradients(_ products: MatrixProducts) {
        let rng = RandomGenerator(seed: 22)
        let layer = ConvTranspose2d(ImageShape(channels: 3, height: 3, width: 4), outChannels: 2, ConvolutionWindow(kernel: 4, stride: 2, padding: 1))
        layer.matrixProducts = products
        layer.initializeDefault(rng: rng)
        XCTAssertEqual(layer.output, ImageShape(channels: 2, height: 6, width: 8))
        checker.check(layer, input: randomMatrix(2, 36, rng), mode: .training, rng: rng, name: "ConvTranspose2d")
    }

    func testBatchNorm2dGradients() {
        let rng = RandomGenerator(seed: 23)
        let layer = BatchNorm2d(ImageShape(channels: 3, height: 2, width: 3))
        rng.fillUniform(layer.gamma.value, low: 0.5, high: 1.5)
        rng.fillUniform(layer.beta.value, low: -0.5, high: 0.5)
        checker.check(layer, input: randomMatrix(3, 18, rng), mode: .training, rng: rng, name: "BatchNorm2d")
    }

    /// After an inference-mode forward: the gradient of normalising by the running statistics.
    func testBatchNorm2dInferenceGradients() {
        let rng = RandomGenerator(seed: 25)
        let shape = ImageShape(channels: 3, height: 2, width: 3)
        let layer = BatchNorm2d(shape)
        rng.fillUniform(layer.runningMean.value, low: -1, high: 1)
        rng.fillUniform(layer.runningVariance.value, low: 0.5, high: 2)
        rng.fillUniform(layer.gamma.value, low: 0.5, high: 1.5)
        rng.fillUniform(layer.beta.value, low: -0.5, high: 0.5)
        checker.check(layer, input: randomMatrix(3, 18, rng), mode: .inference, rng: rng, name: "BatchNorm2d(inference)")
        // The training-mode gradient of the same batch differs: the mode of the forward decides.
        let x = randomMatrix(3, 18, rng), dy = randomMatrix(3, 18, rng)
        _ = layer.forward(x, mode: .inference)
        let inference = layer.backward(dy, needs: .input).array
        _ = layer.forward(x, mode: .training)
        XCTAssertNotEqual(layer.backward(dy, needs: .input).array, inference)
    }

    /// A batch norm without its own affine has no trainable tensors and stores only its running statistics;
    /// the class-conditional batch norm (that, then `ClassAffine`) against finite differences, soft labels
    /// included, so every class's scale and shift gets a gradient.
    func testClassConditionalBatchNormGradients() {
        let rng = RandomGenerator(seed: 24)
        let shape = ImageShape(channels: 3, height: 2, width: 3)
        let bn = BatchNorm2d(shape, affine: false)
        XCTAssertEqual(bn.namedParameters.map(\.name), ["running_mean", "running_var"])
        XCTAssertEqual(BatchNorm1d(5, affine: false).namedParameters.map(\.name), ["running_mean", "running_var"])
        let affine = ClassAffine(shape, classes: 4)
        XCTAssertEqual(affine.namedParameters.map(\.name), ["scale", "shift"])
        let x = randomMatrix(3, 18, rng)
        let identity = Sequential(BatchNorm2d(shape, affine: false), affine)
        affine.labels = Matrix(rows: 3, cols: 4, values: [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1])
        let plain = BatchNorm2d(shape).forward(x, mode: .training).clone()
        XCTAssertEqual(identity.forward(x, mode: .training).array, plain.array, "Γ = 1, B = 0 start as the identity")
        affine.labels = randomMatrix(3, 4, rng, low: 0, high: 1)
        rng.fillUniform(affine.scale.value, low: 0.5, high: 1.5)
        rng.fillUniform(affine.shift.value, low: -0.5, high: 0.5)
        checker.check(Sequential(bn, affine), input: x, mode: .training, rng: rng, name: "class-conditional BatchNorm2d")
        let flat = ClassAffine(ImageShape(channels: 5, height: 1, width: 1), classes: 2)
        flat.labels = randomMatrix(4, 2, rng, low: 0, high: 1)
        rng.fillUniform(flat.scale.value, low: 0.5, high: 1.5)
        checker.check(Sequential(BatchNorm1d(5, affine: false), flat), input: randomMatrix(4, 5, rng), mode: .training,
                      rng: rng, name: "class-conditional BatchNorm1d")
    }

    // MARK: PyTorch fixtures

    nonisolated(unsafe) static let fixtures: SafeTensors.Contents? = try? SafeTensors.read(
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layer-fixtures.st").path)

    /// Fixture tensor `name`; a missing file or tensor fails the test (regenerate the file with
    /// Tests/Fixtures/make_layer_fixtures.py rather than letting a comparison go unchecked).
    func tensor(_ name: String) throws -> Tensor {
        let fixtures = try XCTUnwrap(Self.fixtures, "Tests/Fixtures/layer-fixtures.st is missing or unreadable")
        return try XCTUnwrap(fixtures.tensors[name], "fixture tensor \(name) is missing from Tests/Fixtures/layer-fixtures.st")
    }

    /// The batch of tensor `name` [B, ...] as rows.
    func batch(_ name: String) throws -> Matrix {
        let t = try tensor(name)
        return Matrix(rows: t.shape[0], cols: t.values.count / t.shape[0], values: t.values.array)
    }

    /// Runs `layer` forward on fixture `prefix.x`, backward with `prefix.r`, and compares with PyTorch.
    func assertMatchesPyTorch(_ layer: Layer, _ prefix: String, parameters: [(String, Parameter)],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        for (name, p) in parameters where p.isTrainable {
            let t = try tensor(prefix + "." + name)
            XCTAssertEqual(t.shape, p.shape, "\(prefix).\(name) shape", file: file, line: line)
            p.value.copy(from: t.values)
        }
        let y = layer.forward(try batch(prefix + ".x"), mode: .training)
        let dx = layer.backward(try batch(prefix + ".r"), needs: .all)
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            XCTAssertEqual(a.count, b.count, what, file: file, line: line)
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, "\(prefix) \(what) differs from PyTorch by \(worst)", file: file, line: line)
        }
        close(y.array, try tensor(prefix + ".y").values.array, "output")
        close(dx.array, try tensor(prefix + ".dx").values.array, "input gradient")
        for (name, p) in parameters {
            if p.isTrainable {
                close(p.gradient.array, try tensor(prefix + ".d" + name).values.array, "gradient of \(name)")
            } else {
                close(p.value.array, try tensor(prefix + "." + name).values.array, name)
            }
        }
    }

    func testConv2dMatchesPyTorch() throws {
        try forEachBackend { products in
            let layer = Conv2d(ImageShape(channels: 3, height: 8, width: 8), outChannels: 4, ConvolutionWindow(kernel: 4, stride: 2, padding: 1))
            layer.matrixProducts = products
            try assertMatchesPyTorch(layer, "conv", parameters: layer.ownParameters.map { ($0.name, $0.parameter) })
        }
    }

    func testConvTranspose2dMatchesPyTorch() throws {
        try forEachBackend { products in
            let layer = ConvTranspose2d(ImageShape(channels: 4, height: 4, width: 4), outChannels: 3, ConvolutionWindow(kernel: 4, stride: 2, padding: 1))
            layer.matrixProducts = products
            try assertMatchesPyTorch(layer, "convT", parameters: layer.ownParameters.map { ($0.name, $0.parameter) })
        }
    }

    /// Layers of 16 channels or more run in oneDNN's blocked layouts (reordered around each call): the
    /// fixtures' few channels do not reach that path, so compare it with im2col and OpenBLAS on the dcgan's
    /// own shapes, forward and both backward results; then bf16 (where the CPU has it) with fp32. Transposed
    /// layers add their bias outside oneDNN: from a blocked input and from an NCHW one, to a blocked output
    /// and to one channel, with as many inputs as outputs.
    func testBlockedLayoutsMatchIm2colAndBF16StaysClose() throws {
        let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
        let layers: [(String, () -> Layer & DefaultInitializable & UsesMatrixProducts, Int)] = [
            ("Conv2d 64->32", { Conv2d(ImageShape(channels: 64, height: 14, width: 14), outChannels: 32, window) }, 64 * 196),
            ("ConvTranspose2d 32->16", { ConvTranspose2d(ImageShape(channels: 32, height: 7, width: 7), outChannels: 16, window) }, 32 * 49),
            ("ConvTranspose2d 16->16", { ConvTranspose2d(ImageShape(channels: 16, height: 7, width: 7), outChannels: 16, window) }, 16 * 49),
            ("ConvTranspose2d 8->16", { ConvTranspose2d(ImageShape(channels: 8, height: 7, width: 7), outChannels: 16, window) }, 8 * 49),
            ("ConvTranspose2d 16->1", { ConvTranspose2d(ImageShape(channels: 16, height: 14, width: 14), outChannels: 1, window) }, 16 * 196),
        ]
        let bf16 = MatrixProducts.unsupportedReason(.bf16) == nil
        for (name, make, inputCount) in layers {
            let rng = RandomGenerator(seed: 31)
            let x = randomMatrix(5, inputCount, rng)
            // Per run: y, dx, and each parameter's gradient, each compared on its own scale (a weight gradient
            // sums hundreds of terms and would hide an error in y).
            var results: [[(part: String, values: [Float])]] = []
            let runs: [(MatrixProducts.Backend, Precision)] = [(.openBLAS, .fp32), (.oneDNN, .fp32)] + (bf16 ? [(.oneDNN, .bf16)] : [])
            for (backend, precision) in runs {
                let layer = make()
                layer.initializeDefault(rng: RandomGenerator(seed: 32))
                layer.matrixProducts = MatrixProducts(backend: backend, precision: precision)
                let y = layer.forward(x, mode: .training)
                let dy = randomMatrix(y.rows, y.cols, RandomGenerator(seed: 33))
                let dx = layer.backward(dy, needs: .all)
                results.append([("y", y.array), ("dx", dx.array)]
                               + layer.namedParameters.map { ("d" + $0.name, $0.parameter.gradient.array) })
                // From a zero input each output plane is its channel's bias, exactly in every precision: a lost
                // or misplaced bias shows here even where it is small beside the output's scale.
                let planes = layer.forward(Matrix(rows: 2, cols: inputCount), mode: .training)
                let bias = layer.namedParameters.first { $0.name == "bias" }!.parameter.value.array
                let plane = planes.cols / bias.count
                let misplaced = planes.array.enumerated().filter { $0.element != bias[($0.offset % planes.cols) / plane] }.count
                XCTAssertEqual(misplaced, 0, "\(name) \(backend) \(precision): \(misplaced) outputs of a zero input are not the bias")
            }
            for (index, reference) in results[0].enumerated() {
                let part = "\(name) \(reference.part)", scale = reference.values.map(abs).max()!
                XCTAssertGreaterThan(scale, 0, "\(part): all zero, nothing to compare")
                let worst = zip(reference.values, results[1][index].values).map { abs($0 - $1) }.max()!
                XCTAssertLessThan(worst / scale, 1e-5, "\(part): oneDNN differs from im2col by \(worst) (scale \(scale))")
                if bf16 {
                    let off = zip(reference.values, results[2][index].values).map { abs($0 - $1) }.max()!
                    XCTAssertLessThan(off / scale, 3e-2, "\(part): bf16 far from fp32 (\(off), scale \(scale))")
                    // Weight gradients are computed from fp32 inputs even in bf16; y and dx come from rounded operands.
                    if reference.part == "y" || reference.part == "dx" {
                        XCTAssertGreaterThan(off / scale, 1e-5, "\(part): bf16 gave fp32's numbers: nothing was rounded")
                    }
                }
            }
        }
        if !bf16 { print("bf16 convolutions not tested: \(MatrixProducts.unsupportedReason(.bf16)!)") }
    }

    func testBatchNorm2dMatchesPyTorch() throws {
        let layer = BatchNorm2d(ImageShape(channels: 3, height: 5, width: 5))
        try assertMatchesPyTorch(layer, "bn", parameters: layer.ownParameters.map { ($0.name, $0.parameter) })
    }

    /// PyTorch's BatchNorm2d(affine=False) followed by a scale and shift looked up by class.
    func testClassConditionalBatchNormMatchesPyTorch() throws {
        let shape = ImageShape(channels: 3, height: 4, width: 5)
        let bn = BatchNorm2d(shape, affine: false), affine = ClassAffine(shape, classes: 4)
        affine.labels = try batch("cbn.labels")
        try assertMatchesPyTorch(Sequential(bn, affine), "cbn", parameters: [
            ("scale", affine.scale), ("shift", affine.shift),
            ("bn.running_mean", bn.runningMean), ("bn.running_var", bn.runningVariance),
        ])
    }
}

/// LabelPlaneConv2d computes exactly what Conv2d computes over the image stacked with broadcast label planes.
final class LabelPlaneConvolutionTests: XCTestCase {
    func testEqualsAConvolutionOverExplicitLabelPlanes() {
        let rng = RandomGenerator(seed: 31)
        let image = ImageShape(channels: 1, height: 8, width: 8), classes = 4
        let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
        let fast = LabelPlaneConv2d(image, classes: classes, outChannels: 5, window)
        let plain = Conv2d(ImageShape(channels: 1 + classes, height: 8, width: 8), outChannels: 5, window)
        fast.initializeDefault(rng: rng)
        plain.weight.value.copy(from: fast.weight.value)
        plain.bias.value.copy(from: fast.bias.value)
        let batch = 6, labels: [Int32] = [0, 3, 1, 3, 2, 0]
        let pixels = randomMatrix(batch, image.count, rng)
        let withLabel = Matrix(rows: batch, cols: image.count + classes), withPlanes = Matrix(rows: batch, cols: (1 + classes) * 64)
        for b in 0..<batch {
            for i in 0..<image.count { withLabel[b, i] = pixels[b, i]; withPlanes[b, i] = pixels[b, i] }
            withLabel[b, image.count + Int(labels[b])] = 1
            for i in 0..<64 { withPlanes[b, (1 + Int(labels[b])) * 64 + i] = 1 }
        }
        let y1 = fast.forward(withLabel, mode: .training).clone(), y2 = plain.forward(withPlanes, mode: .training).clone()
        let r = randomMatrix(batch, y1.cols, rng)
        let dx1 = fast.backward(r, needs: .all).clone(), dx2 = plain.backward(r, needs: .all).clone()
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            XCTAssertEqual(a.count, b.count, what)
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max() ?? 1, 1e-5, what)
        }
        close(y1.array, y2.array, "output")
        close(fast.weight.gradient.array, plain.weight.gradient.array, "weight gradient")
        close(fast.bias.gradient.array, plain.bias.gradient.array, "bias gradient")
        close((0..<batch).flatMap { b in (0..<64).map { dx1[b, $0] } }, (0..<batch).flatMap { b in (0..<64).map { dx2[b, $0] } }, "image gradient")
    }
}

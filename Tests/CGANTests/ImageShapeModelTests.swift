import CGAN
import Foundation
import NN
import TestSupport
import XCTest

/// Models for images other than 28 x 28 grey: dcgan's blocks for 16 to 128 pixels and colour, MLPs for any
/// flattened size, and the config that records the shape.
final class ImageShapeModelTests: XCTestCase {
    func config(_ architecture: Architecture, side: Int, channels: Int, reference: Bool = false) -> TrainingConfig {
        var c = reference ? TrainingConfig(reference: architecture) : TrainingConfig(architecture: architecture)
        c.data.imageSize = side
        c.data.channels = channels
        return c
    }

    func shapes(_ net: Module) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: net.namedParameters.map { ($0.name, $0.parameter.shape) })
    }

    /// 32 x 32 colour is torch_cgan.py's dcgan32: G [z, y] -> [256, 4, 4] -> 128 8x8 -> 64 16x16 -> 3 32x32,
    /// D 3 + 10 planes -> 64 -> 128 -> 256 (4x4) -> 1; 64 adds one block each side.
    func testDCGANLayersFollowTheReferenceDesignFor32And64() {
        let m32 = GANModels(config: config(.dcgan, side: 32, channels: 3, reference: true), classCount: 10)
        XCTAssertEqual(m32.imageSize, 3072)
        let g = shapes(m32.generator), d = shapes(m32.discriminator)
        XCTAssertEqual(g["trunk.0.weight"], [4096, 110])
        XCTAssertEqual(m32.generator.modules(ofType: ConvTranspose2d.self).map(\.weight.shape),
                       [[256, 128, 4, 4], [128, 64, 4, 4], [64, 3, 4, 4]])
        XCTAssertEqual(m32.generator.modules(ofType: ConvTranspose2d.self).map(\.output),
                       [ImageShape(channels: 128, height: 8, width: 8), ImageShape(channels: 64, height: 16, width: 16),
                        ImageShape(channels: 3, height: 32, width: 32)])
        XCTAssertEqual(m32.discriminator.modules(ofType: LabelPlaneConv2d.self).map(\.weight.shape), [[64, 13, 4, 4]])
        XCTAssertEqual(m32.discriminator.modules(ofType: Conv2d.self).map(\.output).suffix(2),
                       [ImageShape(channels: 128, height: 8, width: 8), ImageShape(channels: 256, height: 4, width: 4)])
        XCTAssertEqual(d.values.filter { $0 == [1, 4096] }.count, 1, "the final Linear reads 256 x 4 x 4 features")

        let m64 = GANModels(config: config(.dcgan, side: 64, channels: 1, reference: true), classCount: 5)
        XCTAssertEqual(m64.imageSize, 4096)
        XCTAssertEqual(m64.generator.modules(ofType: ConvTranspose2d.self).map(\.output.channels), [256, 128, 64, 1])
        XCTAssertEqual(shapes(m64.generator)["trunk.0.weight"], [512 * 16, 105])
        XCTAssertEqual(m64.discriminator.modules(ofType: Conv2d.self).map(\.output.channels).suffix(3), [128, 256, 512])
    }

    /// 28 x 28 grey keeps the design every stored dcgan run was trained with, parameter by parameter.
    func testDCGANFor28IsTheMNISTDesign() {
        let m = GANModels(config: TrainingConfig(architecture: .dcgan), classCount: 10)
        XCTAssertEqual(m.imageShape, ImageShape(channels: 1, height: 28, width: 28))
        XCTAssertEqual(m.generator.namedParameters.map(\.name),
                       ["trunk.0.weight", "trunk.0.bias", "trunk.1.running_mean", "trunk.1.running_var", "trunk.2.scale", "trunk.2.shift",
                        "trunk.4.weight", "trunk.4.bias", "trunk.5.running_mean", "trunk.5.running_var", "trunk.6.scale", "trunk.6.shift",
                        "trunk.8.weight", "trunk.8.bias"])
        XCTAssertEqual(shapes(m.generator)["trunk.0.weight"], [6272, 110])
        XCTAssertEqual(m.discriminator.namedParameters.map(\.name),
                       ["trunk.0.weight", "trunk.0.bias", "trunk.3.weight", "trunk.3.bias", "head.weight", "head.bias", "head.embedding"])
        XCTAssertEqual(shapes(m.discriminator)["head.embedding"], [10, 128 * 7 * 7])
        // The same seed gives the same first weights as the config without the new settings spelled out.
        var older = try! XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfig(architecture: .dcgan))) as? [String: Any])
        var data = older["data"] as! [String: Any]
        data["imageSize"] = nil; data["channels"] = nil
        older["data"] = data
        let decoded = try! XCTUnwrap(TrainingConfig.decode(JSONSerialization.data(withJSONObject: older)))
        XCTAssertEqual(decoded.data.imageSize, 28)
        XCTAssertEqual(decoded.data.channels, 1)
        XCTAssertEqual(GANModels(config: decoded, classCount: 10).generator.namedParameters.map(\.parameter.value.array),
                       m.generator.namedParameters.map(\.parameter.value.array))
    }

    /// The MLP models take any flattened size; generators of every architecture draw images of the config's shape.
    func testEveryArchitectureDrawsImagesOfTheConfiguredShape() throws {
        for architecture in Architecture.allCases {
            var c = config(architecture, side: 16, channels: 3)
            c.model.widthMultiplier = 0.125
            XCTAssertNil(c.problem, "\(architecture)")
            let models = GANModels(config: c, classCount: 4)
            let g = ConditionalGenerator(net: models.generator, config: c, classCount: 4, imageSize: models.imageSize)
            let images = try g.images(labels: [0, 1, 2, 3], seed: 1)
            XCTAssertEqual(images.shape, [4, 768], "\(architecture)")
            let y = Matrix(rows: 4, cols: 4)
            for r in 0..<4 { y[r, r] = 1 }
            let scores = models.discriminator.forward(images, labels: y, mode: .inference)
            XCTAssertEqual(scores.rows, 4, "\(architecture)")
        }
    }

    /// Shapes a model has no design for are refused by the config check, named as their options.
    func testShapesWithoutADesignAreRefused() {
        XCTAssertTrue(config(.dcgan, side: 48, channels: 3).problem?.contains("--image-size") ?? false)
        XCTAssertTrue(config(.dcgan, side: 32, channels: 2).problem?.contains("--channels") ?? false)
        XCTAssertTrue(config(.mlp, side: 1000, channels: 1).problem?.contains("--image-size") ?? false)
        XCTAssertNil(config(.mlp, side: 48, channels: 3).problem)
        XCTAssertNil(config(.dcgan, side: 64, channels: 3).problem)
    }

    /// D of a colour dcgan (projection head, the default): dLoss/dx and weight gradients of its first and
    /// last convolutions and of the head against finite differences.
    func testColourDCGANDiscriminatorGradientsMatchFiniteDifferences() {
        var c = config(.dcgan, side: 16, channels: 3)
        c.model.widthMultiplier = 0.125
        c.model.discriminatorDropout = 0
        let d = GANModels(config: c, classCount: 3).discriminator
        let rng = RandomGenerator(seed: 21)
        rng.fillUniform(d.head!.embedding.value, low: -0.05, high: 0.05)
        let x = Matrix(rows: 2, cols: 768), y = Matrix(rows: 2, cols: 3), r = Matrix(rows: 2, cols: 1)
        rng.fillUniform(x, low: -1, high: 1)
        rng.fillUniform(r, low: -1, high: 1)
        y[0, 2] = 1; y[1, 0] = 1
        _ = d.forward(x, labels: y, mode: .inference)
        let dx = d.backward(r, needs: .all).clone()
        let checker = GradientChecker()
        func loss() -> Double { checker.loss(d.forward(x, labels: y, mode: .inference), r) }
        func check(_ m: Matrix, _ analytic: [Float], _ what: String) {
            let picked = Array(stride(from: 0, to: m.count, by: max(1, m.count / 40)))
            let sub = Matrix(rows: 1, cols: picked.count)
            let numeric = checker.numericGradient(of: sub) {
                for (j, i) in picked.enumerated() { m.pointer[i] += sub.pointer[j] }
                defer { for (j, i) in picked.enumerated() { m.pointer[i] -= sub.pointer[j] } }
                return loss()
            }
            checker.assertClose(picked.map { analytic[$0] }, numeric, what)
        }
        let parameters = Dictionary(uniqueKeysWithValues: d.namedParameters.map { ($0.name, $0.parameter) })
        let gradients = parameters.mapValues { $0.gradient.array }
        check(x, dx.array, "dx")
        let names = d.namedParameters.map(\.name)
        XCTAssertEqual(names.filter { $0.hasSuffix(".weight") && $0.hasPrefix("trunk.") }.count, 2, "16 x 16: two convolutions")
        for name in ["trunk.0.weight", names.last { $0.hasPrefix("trunk.") && $0.hasSuffix(".weight") }!, "head.weight", "head.embedding"] {
            check(parameters[name]!.value, gradients[name]!, "d\(name)")
        }
    }

    /// G of a colour dcgan at 32 x 32: the weight and bias of its last transposed convolution (which writes
    /// the three colour planes) against finite differences (inference mode: batch norm's running statistics).
    /// Earlier layers sit behind ReLU kinks, where differences of the whole G are too coarse; the layers'
    /// own maths is checked in NNTests.
    func testColourDCGANGeneratorGradientsMatchFiniteDifferences() {
        var c = config(.dcgan, side: 32, channels: 3, reference: true)
        c.model.widthMultiplier = 0.125
        c.model.noiseSize = 8
        let g = GANModels(config: c, classCount: 2).generator
        let rng = RandomGenerator(seed: 4)
        let z = Matrix(rows: 2, cols: 8), y = Matrix(rows: 2, cols: 2)
        rng.fillNormal(z)
        y[0, 1] = 1; y[1, 0] = 1
        let r = Matrix(rows: 2, cols: 3072)
        rng.fillUniform(r, low: -1, high: 1)
        XCTAssertEqual(g.forward(z, labels: y, mode: .inference).shape, [2, 3072])
        let dz = g.backward(r, needs: .all).clone()
        let checker = GradientChecker()
        func loss() -> Double { checker.loss(g.forward(z, labels: y, mode: .inference), r) }
        let parameters = Dictionary(uniqueKeysWithValues: g.namedParameters.map { ($0.name, $0.parameter) })
        let gradients = parameters.mapValues { $0.gradient.array }
        XCTAssertEqual(dz.shape, [2, 8])
        let last = g.namedParameters.last { $0.name.hasSuffix(".weight") }!.name
        XCTAssertEqual(parameters[last]!.shape, [8, 3, 4, 4])
        for name in [last, last.replacingOccurrences(of: ".weight", with: ".bias")] {
            let m = parameters[name]!.value
            let picked = Array(stride(from: 0, to: m.count, by: max(1, m.count / 30)))
            let sub = Matrix(rows: 1, cols: picked.count)
            let numeric = checker.numericGradient(of: sub) {
                for (j, i) in picked.enumerated() { m.pointer[i] += sub.pointer[j] }
                defer { for (j, i) in picked.enumerated() { m.pointer[i] -= sub.pointer[j] } }
                return loss()
            }
            checker.assertClose(picked.map { gradients[name]![$0] }, numeric, "d\(name)")
        }
    }

    /// A checkpoint records the shape and the class names; one whose names do not match its classes is refused.
    func testCheckpointsKeepTheShapeAndRefuseMismatchedClassNames() throws {
        let dir = temporaryDirectory(self)
        var c = config(.mlp, side: 12, channels: 3)
        c.model.widthMultiplier = 0.125
        c.data.classNames = ["red", "green"]
        let models = GANModels(config: c, classCount: 2)
        let good = dir + "/good.safetensors"
        try Checkpoint.save(TrainingStep(config: c, models: models, classCount: 2, stepsPerEpoch: 5), position: .init(), to: good)
        let generator = try ConditionalGenerator(checkpoint: good)
        XCTAssertEqual(generator.imageSize, 432)
        XCTAssertEqual(generator.classNames, ["red", "green"])
        XCTAssertEqual(generator.label(named: "green"), 1)
        XCTAssertTrue(generator.hasClassNames)

        // How text names a class, for sample, interpolate and serve alike: a number in range is the class number,
        // else a name, exactly, else ignoring case where that fits one class only.
        func withClasses(_ names: [String]) throws -> ConditionalGenerator {
            c.data.classNames = names
            let path = dir + "/named.safetensors"
            try Checkpoint.save(TrainingStep(config: c, models: models, classCount: 2, stepsPerEpoch: 5), position: .init(), to: path)
            return try ConditionalGenerator(checkpoint: path)
        }
        let numbers = try withClasses(["10", "-1"])
        for (text, expected) in [("0", 0), ("1", 1), ("+1", 1), ("01", 1), ("10", 0), ("-1", 1), (" 1", nil), ("2", nil), ("", nil)] as [(String, Int?)] {
            XCTAssertEqual(numbers.label(named: text), expected, text)
        }
        let cased = try withClasses(["Cat", "cat"])
        XCTAssertEqual([cased.label(named: "cat"), cased.label(named: "Cat"), cased.label(named: "CAT")], [1, 0, nil])
        XCTAssertEqual(cased.caseInsensitiveMatches("CAT"), [0, 1])
        let long = String(repeating: "r", count: 256)
        XCTAssertNil(try withClasses([long, "x"]).label(named: long), "no folder name is longer than 255 bytes")
        XCTAssertFalse(try withClasses(["0", "1"]).hasClassNames)

        c.data.classNames = ["red", "green", "blue"]
        let bad = dir + "/bad.safetensors"
        try Checkpoint.save(TrainingStep(config: c, models: models, classCount: 2, stepsPerEpoch: 5), position: .init(), to: bad)
        assertOneLineError(Checkpoint.CheckpointError.self, "names 3 classes but the model has 2") { _ = try Checkpoint(path: bad) }
    }
}

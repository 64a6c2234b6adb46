import Foundation
import TestSupport
import XCTest
import CGAN
import Datasets
import NN

final class ModelTests: XCTestCase {
    func testLayerSizesOfThePaperModel() {
        let m = GANModels(config: TrainingConfig(architecture: .paper), classCount: 10)
        let g = m.generator.modules(ofType: Linear.self).map { [$0.inputSize, $0.outputSize] }
        XCTAssertEqual(g, [[100, 200], [10, 1000], [1200, 1200], [1200, 784]])
        let d = m.discriminator.modules(ofType: Linear.self).map { [$0.inputSize, $0.outputSize] }
        XCTAssertEqual(d, [[784, 240 * 5], [10, 50 * 5], [290, 240 * 4], [240, 1]])
    }

    /// The known pitfall: dropout after G's output layer ruins training. For every architecture, G ends
    /// with Linear then its squashing function, whatever dropout is configured.
    func testNoDropoutFollowsTheGeneratorsOutputLayer() {
        for arch in Architecture.allCases {
            var c = TrainingConfig(architecture: arch)
            c.model.generatorDropout = 0.5
            let layers = GANModels(config: c, classCount: 10).generator.trunk.layers
            XCTAssertTrue(layers[layers.count - 2] is Linear || layers[layers.count - 2] is ConvTranspose2d, arch.rawValue)
            XCTAssertTrue(layers.last is Sigmoid || layers.last is Tanh, arch.rawValue)
            XCTAssertFalse(layers.suffix(2).contains { $0 is Dropout }, arch.rawValue)
        }
    }

    /// dcgan's D drops out after its first convolution's activation (0.3 by default), and after the second's
    /// only when the head's dropout is set (or was, implicitly, in runs stored before it), and not in G's step;
    /// the reference D, as PyTorch's, has no Dropout at all.
    func testDCGANDiscriminatorDropout() {
        var c = TrainingConfig(reference: .dcgan)
        XCTAssertFalse(GANModels(config: c, classCount: 10).discriminator.trunk.layers.contains { $0 is Dropout })
        XCTAssertTrue(c.additions.discriminatorDropoutInGeneratorStep, "the reference keeps PyTorch's D.train() in G's step")
        c = TrainingConfig(architecture: .dcgan)
        XCTAssertEqual(c.model.discriminatorDropout, 0.3)
        XCTAssertFalse(c.additions.discriminatorDropoutInGeneratorStep)
        XCTAssertTrue(TrainingConfig(architecture: .mlp).additions.discriminatorDropoutInGeneratorStep)
        let layers = GANModels(config: c, classCount: 10).discriminator.trunk.layers
        XCTAssertEqual(layers.indices.filter { layers[$0] is Dropout }, [2])
        XCTAssertTrue(layers[1] is LeakyReLU)
        c.additions.discriminatorHeadDropout = nil   // runs stored before the head's own setting: after both convolutions
        let both = GANModels(config: c, classCount: 10).discriminator.trunk.layers
        XCTAssertEqual(both.indices.filter { both[$0] is Dropout }, [2, 5])
        XCTAssertTrue(both[4] is LeakyReLU)
    }

    /// --d-head-dropout sets the dropout before D's head apart from the one after the first convolution, and
    /// is refused for the MLP models, where it has no place; G's step without dropout goes with spectral
    /// normalisation, whose power iteration it holds.
    func testDCGANHeadDropout() {
        func dropouts(_ c: TrainingConfig) -> [Int: Float] {
            let layers = GANModels(config: c, classCount: 10).discriminator.trunk.layers
            return Dictionary(uniqueKeysWithValues: layers.indices.compactMap { i in (layers[i] as? Dropout).map { (i, $0.p) } })
        }
        var c = TrainingConfig(architecture: .dcgan)
        c.additions.discriminatorHeadDropout = 0
        XCTAssertEqual(dropouts(c), [2: 0.3])
        c.model.discriminatorDropout = 0; c.additions.discriminatorHeadDropout = 0.5
        XCTAssertEqual(dropouts(c), [4: 0.5])
        XCTAssertNil(c.problem)
        c.additions.discriminatorHeadDropout = 1
        XCTAssertEqual(c.problem, "--d-head-dropout must be in [0, 1)")
        var mlp = TrainingConfig(architecture: .mlp)
        mlp.additions.discriminatorHeadDropout = 0.2
        XCTAssertEqual(mlp.problem, "--d-head-dropout applies to dcgan only")
        var normalized = TrainingConfig(architecture: .dcgan)
        normalized.additions.spectralNorm = true
        normalized.additions.discriminatorDropoutInGeneratorStep = false
        XCTAssertNil(normalized.problem, "G's step in inference mode holds the power iteration, which is sound")
    }

    /// dLoss/dx through the whole conditional D (maxout branches, concat, trunk) against finite differences.
    func testDiscriminatorInputGradientMatchesFiniteDifferences() {
        var c = TrainingConfig(architecture: .paper)
        c.model.discriminatorInitRange = 0.1
        let d = GANModels(config: c, classCount: 10).discriminator
        let rng = RandomGenerator(seed: 5)
        let x = Matrix(rows: 3, cols: 784), y = Matrix(rows: 3, cols: 10)
        rng.fillUniform(x)
        for r in 0..<3 { y[r, r] = 1 }
        _ = d.forward(x, labels: y, mode: .inference)
        let ones = Matrix(rows: 3, cols: 1)
        ones.fill(1)
        let dx = d.backward(ones, needs: .all).clone()
        func total() -> Double { d.forward(x, labels: y, mode: .inference).array.reduce(0) { $0 + Double($1) } }
        let h: Float = 1e-3
        for i in stride(from: 0, to: x.count, by: 97) {
            let saved = x.pointer[i]
            x.pointer[i] = saved + h; let plus = total()
            x.pointer[i] = saved - h; let minus = total()
            x.pointer[i] = saved
            XCTAssertEqual(dx.pointer[i], Float((plus - minus) / Double(2 * h)), accuracy: 2e-3 + 1e-2 * abs(dx.pointer[i]), "x[\(i)]")
        }
    }

    /// The parameter names a checkpoint stores for the paper's D and mlp's G as documented: runs saved before
    /// their designs gained options must still load.
    func testDocumentedModelsKeepTheirParameterNames() {
        let paperD = GANModels(config: TrainingConfig(architecture: .paper), classCount: 10).discriminator.namedParameters
        XCTAssertEqual(paperD.map(\.name), ["data.1.lin.weight", "data.1.lin.bias", "label.lin.weight", "label.lin.bias",
                                            "trunk.1.lin.weight", "trunk.1.lin.bias", "trunk.3.weight", "trunk.3.bias"])
        XCTAssertEqual(paperD.map(\.parameter.shape), [[1200, 784], [1200], [250, 10], [250], [960, 290], [960], [1, 240], [1]])
        let mlpG = GANModels(config: TrainingConfig(architecture: .mlp), classCount: 10).generator.namedParameters
        XCTAssertEqual(mlpG.map(\.name), ["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias",
                                          "trunk.4.weight", "trunk.4.bias", "trunk.6.weight", "trunk.6.bias"])
        XCTAssertEqual(mlpG.map(\.parameter.shape), [[256, 110], [256], [512, 256], [512], [1024, 512], [1024], [784, 1024], [784]])
    }

    /// The paper's D with the class read elsewhere (`--d-conditioning`) and with LeakyReLU units
    /// (`--discriminator paper-leaky`): dLoss/dx and the gradients of the weights that read the class against
    /// finite differences, and the score depends on the class.
    func testDiscriminatorDesignsGradientsMatchFiniteDifferences() throws {
        let designs: [(DiscriminatorKind, DiscriminatorConditioning?, String)] = [
            (.maxout, .input, "trunk.0.lin.weight"), (.maxout, .embedding, "label.weight"), (.maxout, .projection, "head.embedding"),
            (.paperLeaky, nil, "label.0.weight"), (.paperLeaky, .input, "trunk.0.weight"), (.paperLeaky, .embedding, "label.weight"),
            (.paperLeaky, .projection, "head.embedding"),
        ]
        for (kind, conditioning, labelWeight) in designs {
            var c = TrainingConfig(architecture: .paper)
            c.model.discriminator = kind
            c.model.discriminatorConditioning = conditioning
            c.model.discriminatorInitRange = 0.1
            XCTAssertNil(c.problem ?? c.unusedSetting)
            let d = GANModels(config: c, classCount: 10).discriminator
            let parameters = Dictionary(uniqueKeysWithValues: d.namedParameters)
            let weight = try XCTUnwrap(parameters[labelWeight], "\(kind) \(String(describing: conditioning)): \(d.namedParameters.map(\.name))")
            let rng = RandomGenerator(seed: 5)
            // The projection's embedding starts at zero: give it values so that its gradient path is exercised.
            rng.fillUniform(weight.value, low: -0.1, high: 0.1)
            let x = Matrix(rows: 3, cols: 784), y = Matrix(rows: 3, cols: 10)
            rng.fillUniform(x)
            for r in 0..<3 { y[r, r] = 1 }
            func total() -> Double { d.forward(x, labels: y, mode: .inference).array.reduce(0) { $0 + Double($1) } }
            let before = total()
            let ones = Matrix(rows: 3, cols: 1)
            ones.fill(1)
            let dx = d.backward(ones, needs: .all).clone(), dw = weight.gradient.clone()
            let h: Float = 1e-3, name = "\(kind) \(String(describing: conditioning))"
            func check(_ m: Matrix, _ analytic: Matrix, stride step: Int, _ what: String) {
                for i in stride(from: 0, to: m.count, by: step) {
                    let saved = m.pointer[i]
                    m.pointer[i] = saved + h; let plus = total()
                    m.pointer[i] = saved - h; let minus = total()
                    m.pointer[i] = saved
                    XCTAssertEqual(analytic.pointer[i], Float((plus - minus) / Double(2 * h)), accuracy: 2e-3 + 1e-2 * abs(analytic.pointer[i]),
                                   "\(name) \(what)[\(i)]")
                }
            }
            check(x, dx, stride: 97, "x")
            check(weight.value, dw, stride: max(1, weight.value.count / 40), labelWeight)
            XCTAssertGreaterThan(dw.array.map(abs).max() ?? 0, 0, name)
            // Another class, another score.
            for r in 0..<3 { y[r, r] = 0; y[r, r + 3] = 1 }
            XCTAssertNotEqual(total(), before, accuracy: 1e-6, name)
        }
    }

    /// Truncated noise stays within ±t, still fills the interval, is reproducible, and leaves untruncated
    /// draws as they were; a generator with a truncation draws other images than without.
    func testTruncatedNoise() throws {
        let z = Matrix(rows: 200, cols: 100), again = Matrix(rows: 200, cols: 100), plain = Matrix(rows: 200, cols: 100)
        NoiseDistribution.normal.fill(z, rng: RandomGenerator(seed: 3), truncation: 1.5)
        NoiseDistribution.normal.fill(again, rng: RandomGenerator(seed: 3), truncation: 1.5)
        NoiseDistribution.normal.fill(plain, rng: RandomGenerator(seed: 3))
        XCTAssertEqual(z.array, again.array)
        XCTAssertLessThanOrEqual(z.array.map(abs).max()!, 1.5)
        XCTAssertGreaterThan(z.array.map(abs).max()!, 1.45)
        XCTAssertGreaterThan(plain.array.map(abs).max()!, 3)
        // Values within ±t are kept where they fell: only those beyond are drawn again.
        for i in 0..<z.count where abs(plain.pointer[i]) <= 1.5 { XCTAssertEqual(z.pointer[i], plain.pointer[i]) }
        let variance = z.array.reduce(0) { $0 + Double($1 * $1) } / Double(z.count)
        XCTAssertEqual(variance, 0.5515, accuracy: 0.02)   // the standard normal truncated to ±1.5: 1 − 2tφ(t)/(2Φ(t) − 1)

        var c = TrainingConfig(architecture: .mlp)
        c.optimization.seed = 2
        let g = ConditionalGenerator(net: GANModels(config: c, classCount: 10).generator, config: c, classCount: 10, imageSize: 784)
        XCTAssertTrue(g.allowsTruncation)
        let before = g.generate(label: 4, count: 8, seed: 9).array
        g.truncation = 1
        XCTAssertNotEqual(g.generate(label: 4, count: 8, seed: 9).array, before)
        XCTAssertEqual(g.generate(label: 4, count: 8, seed: 9).array, g.generate(label: 4, count: 8, seed: 9).array)
        XCTAssertFalse(ConditionalGenerator(net: GANModels(config: TrainingConfig(architecture: .paper), classCount: 10).generator,
                                            config: TrainingConfig(architecture: .paper), classCount: 10, imageSize: 784).allowsTruncation)
    }

    /// An AC-GAN D's output is [score | class logits], both read from the same features: dLoss/dx and the
    /// weight gradients of the trunk, head and classifier against finite differences of L = Σ output ∘ R.
    func testAuxiliaryClassifierDiscriminatorGradientsMatchFiniteDifferences() {
        var c = TrainingConfig(architecture: .dcgan)
        c.additions.classLossWeight = 1
        let d = GANModels(config: c, classCount: 10).discriminator
        let rng = RandomGenerator(seed: 8)
        rng.fillUniform(d.head!.embedding.value, low: -0.05, high: 0.05)   // the embedding starts at zero
        let x = Matrix(rows: 3, cols: 784), y = Matrix(rows: 3, cols: 10), r = Matrix(rows: 3, cols: 11)
        rng.fillUniform(x, low: -1, high: 1)
        rng.fillUniform(r, low: -1, high: 1)
        for row in 0..<3 { y[row, 2 * row + 1] = 1 }
        let output = d.forward(x, labels: y, mode: .inference)
        XCTAssertEqual(output.shape, [3, 11])
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
        for name in ["trunk.3.weight", "head.weight", "head.embedding", "classifier.weight", "classifier.bias"] {
            check(parameters[name]!.value, gradients[name]!, "d\(name)")
        }
    }
}

extension ModelTests {
    /// With --class-batch-norm, G's batch norms have no scale and shift of their own and a `ClassAffine`
    /// after each reads the labels the net was given. So G on a batch of one class is the plain G whose
    /// batch norms have that class's scale and shift, forward and backward (the layers' own maths is
    /// checked by finite differences and against PyTorch in NNTests; through ReLU's kinks, differences of
    /// the whole G are too coarse to check the wiring), and in a mixed batch every row gets its own class's.
    func testClassConditionalBatchNormIsThePlainGeneratorWithTheClassesScaleAndShift() {
        var c = TrainingConfig(architecture: .dcgan)
        XCTAssertTrue(c.additions.classBatchNorm, "on by default for dcgan")
        c.additions.classBatchNorm = false
        c.model.widthMultiplier = 0.25
        let plain = GANModels(config: c, classCount: 10).generator
        c.additions.classBatchNorm = true
        let conditional = GANModels(config: c, classCount: 10).generator
        let names = conditional.namedParameters.map(\.name)
        XCTAssertTrue(Set(names).isSuperset(of: ["trunk.1.running_mean", "trunk.2.scale", "trunk.2.shift", "trunk.6.scale"]), "\(names)")
        XCTAssertFalse(names.contains("trunk.1.weight") || names.contains("trunk.5.weight"), "\(names)")
        for (a, b) in zip(plain.modules(ofType: Linear.self), conditional.modules(ofType: Linear.self)) { b.weight.value.copy(from: a.weight.value) }
        for (a, b) in zip(plain.modules(ofType: ConvTranspose2d.self), conditional.modules(ofType: ConvTranspose2d.self)) {
            b.weight.value.copy(from: a.weight.value)
        }
        let rng = RandomGenerator(seed: 9)
        let affines = conditional.modules(ofType: ClassAffine.self)
        XCTAssertEqual(affines.count, 2)
        for affine in affines {
            rng.fillUniform(affine.scale.value, low: 0.5, high: 1.5)
            rng.fillUniform(affine.shift.value, low: -0.3, high: 0.3)
        }
        let norms: [(gamma: Parameter, beta: Parameter)] = plain.modules(ofType: BatchNorm1d.self).map { ($0.gamma, $0.beta) }
            + plain.modules(ofType: BatchNorm2d.self).map { ($0.gamma, $0.beta) }
        func useClass(_ k: Int) {
            for (norm, affine) in zip(norms, affines) {
                for j in 0..<affine.shape.channels {
                    norm.gamma.value.pointer[j] = affine.scale.value[k, j]
                    norm.beta.value.pointer[j] = affine.shift.value[k, j]
                }
            }
        }
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            XCTAssertEqual(a.count, b.count, what)
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 1, 1e-5, what)
        }
        let z = Matrix(rows: 4, cols: c.model.noiseSize), y = Matrix(rows: 4, cols: 10), r = Matrix(rows: 4, cols: 784)
        c.model.noise.fill(z, rng: rng)
        rng.fillUniform(r, low: -1, high: 1)
        for row in 0..<4 { y[row, 7] = 1 }
        useClass(7)
        close(conditional.forward(z, labels: y, mode: .training).array, plain.forward(z, labels: y, mode: .training).array, "output")
        close(conditional.backward(r, needs: .all).array, plain.backward(r, needs: .all).array, "dz")
        close(conditional.modules(ofType: Linear.self)[0].weight.gradient.array, plain.modules(ofType: Linear.self)[0].weight.gradient.array,
              "first layer's weight gradient")
        for (norm, affine) in zip(norms, affines) {
            let channels = affine.shape.channels
            close((0..<channels).map { affine.scale.gradient[7, $0] }, norm.gamma.gradient.array, "class 7's scale gradient")
            close((0..<channels).map { affine.shift.gradient[7, $0] }, norm.beta.gradient.array, "class 7's shift gradient")
            XCTAssertTrue((0..<channels).allSatisfy { affine.scale.gradient[3, $0] == 0 && affine.shift.gradient[3, $0] == 0 },
                          "a class not in the batch takes no gradient")
        }
        // Inference (running statistics, which both nets gathered from the same batch): rows of two classes.
        y[1, 7] = 0
        y[1, 3] = 1
        let mixed = conditional.forward(z, labels: y, mode: .inference).clone()
        let row = { (m: Matrix, i: Int) in (0..<784).map { m[i, $0] } }
        close(row(mixed, 0), row(plain.forward(z, labels: y, mode: .inference), 0), "a class-7 row")
        useClass(3)
        close(row(mixed, 1), row(plain.forward(z, labels: y, mode: .inference), 1), "a class-3 row")
    }
}

final class CheckpointTests: XCTestCase {
    func makeCheckpoint(_ arch: Architecture = .paper) throws -> String {
        let dir = temporaryDirectory(self)
        try train(smallConfig(arch, epochs: 1, limit: 100, batch: 50), in: dir)
        return RunDirectory(dir).latestCheckpoint
    }

    func testAReaderOutsideSwiftLoadsTheCheckpoint() throws {
        let path = try makeCheckpoint()
        let name = "G.trunk.4.weight"
        let expected = try SafeTensors.read(path).tensors[name]!
        // python3 with the standard library only: parse the header, read the tensor's first values.
        let script = """
        import json, struct, sys
        f = open(sys.argv[1], 'rb'); n = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(n))
        t = h[sys.argv[2]]; a, b = t['data_offsets']; f.seek(8 + n + a)
        vals = struct.unpack('<%df' % ((b - a) // 4), f.read(b - a))
        print(json.dumps({'shape': t['shape'], 'dtype': t['dtype'], 'first': vals[:5], 'arch': h['__metadata__']['arch']}))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path, name]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let result = try JSONSerialization.jsonObject(with: out.fileHandleForReading.readDataToEndOfFile()) as! [String: Any]
        XCTAssertEqual(result["shape"] as? [Int], [784, 1200])
        XCTAssertEqual(result["dtype"] as? String, "F32")
        XCTAssertEqual(result["arch"] as? String, "paper")
        XCTAssertEqual((result["first"] as! [Double]).map(Float.init), Array(expected.values.array.prefix(5)))
    }

    func testLoadingRefusesBrokenOrMismatchedFiles() throws {
        let path = try makeCheckpoint()
        let dir = temporaryDirectory(self)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        func expectError(_ data: Data, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
            let p = dir + "/c.safetensors"
            _ = FileManager.default.createFile(atPath: p, contents: data)
            XCTAssertThrowsError(try ConditionalGenerator(checkpoint: p), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(fragment), "'\($0)' lacks '\(fragment)'", file: file, line: line)
                XCTAssertFalse("\($0)".contains("\n"), file: file, line: line)
            }
        }
        expectError(bytes.prefix(bytes.count - 1000), "truncated")
        expectError(bytes.prefix(4), "too short")
        var badHeader = bytes
        badHeader[10] = 0x00
        expectError(badHeader, "bad safetensors header")
        expectError(Data(repeating: 0xFF, count: 64), "header length")

        // An mlp checkpoint's G has other tensors than the paper model's: loading it as paper must fail.
        let c = try Checkpoint(path: path)
        let mlp = GANModels(config: TrainingConfig(architecture: .mlp), classCount: 10)
        var tensors = c.tensors
        XCTAssertThrowsError(try tensors.load(mlp.generator, prefix: "G")) { XCTAssertTrue("\($0)".contains("missing"), "\($0)") }
        // Same names, other shapes.
        var wide = TrainingConfig(architecture: .paper)
        wide.model.noiseSize = 50
        let paper50 = GANModels(config: wide, classCount: 10)
        tensors = c.tensors
        XCTAssertThrowsError(try tensors.load(paper50.generator, prefix: "G")) { XCTAssertTrue("\($0)".contains("shape"), "\($0)") }
        // A tensor the model has no place for.
        let paper = GANModels(config: c.config, classCount: 10)
        tensors = c.tensors
        try tensors.load(paper.generator, prefix: "G")
        XCTAssertThrowsError(try tensors.checkEverythingUsed()) { XCTAssertTrue("\($0)".contains("D."), "\($0)") }
    }

    func testSampleExportFormats() throws {
        let g = try ConditionalGenerator(checkpoint: try makeCheckpoint(.mlp))
        let dir = temporaryDirectory(self)
        let labels = [0, 0, 1, 1, 2, 2]
        let images = g.generate(labels: labels, seed: 3)
        let idx = try SampleExport.write(images, labels: labels, format: .idx, to: dir + "/s.idx", columns: 2)
        XCTAssertEqual(try IDXReader.readLabels(idx[1]), labels.map(Int32.init))
        XCTAssertEqual(try IDXReader.readImages(idx[0]).count, 6)
        XCTAssertEqual(idx.map { ($0 as NSString).lastPathComponent }, ["s-images-idx3-ubyte", "s-labels-idx1-ubyte"])
        // Colour images have four dimensions, and their file is named so.
        let colour = try SampleExport.write(Matrix(rows: 2, cols: 3 * 4 * 4), labels: [0, 1], format: .idx, to: dir + "/c", columns: 2, channels: 3)
        XCTAssertEqual(colour.map { ($0 as NSString).lastPathComponent }, ["c-images-idx4-ubyte", "c-labels-idx1-ubyte"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: colour[0]))[3], 4, "the header counts four dimensions")
        let npy = try SampleExport.write(images, labels: labels, format: .npy, to: dir + "/s", columns: 2)
        let script = """
        import numpy as np, sys
        x = np.load(sys.argv[1]); y = np.load(sys.argv[2])
        print(x.shape, x.dtype, y.dtype, y.tolist(), float(x.min()) >= 0, float(x.max()) <= 1)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + npy
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try XCTSkipIf(p.terminationStatus != 0, "numpy is not installed")
        XCTAssertEqual(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "(6, 784) float32 int64 [0, 0, 1, 1, 2, 2] True True\n")
    }
}

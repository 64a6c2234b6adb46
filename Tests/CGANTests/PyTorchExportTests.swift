import CGAN
import Foundation
import NN
import TestSupport
import XCTest

/// `cgan export --format pytorch` output loads into the PyTorch models of Tests/Fixtures/torch_reference_models.py
/// with load_state_dict(strict=True) and computes what this tool computes. Skips where torch is absent.
final class PyTorchExportTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// Tests/Fixtures: the reference models' module.
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// $CGAN_TORCH_PYTHON, /tmp/torchenv/bin/python (README's install) or python3, whichever imports torch.
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["CGAN_TORCH_PYTHON"], "/tmp/torchenv/bin/python", "/usr/bin/python3"]
        return candidates.compactMap { $0 }.first { (try? run($0, ["-c", "import torch"]))?.status == 0 }
    }()

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let script = """
    import json, struct, sys, torch
    sys.dont_write_bytecode = True
    sys.path.insert(0, sys.argv[1])
    import torch_reference_models as T
    def read(path):
        raw = open(path, 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8 + n])
        out = {}
        for k, v in h.items():
            if k == '__metadata__': continue
            a, b = v['data_offsets']
            out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(v['shape'])
        return out, h['__metadata__']
    state, meta = read(sys.argv[2]); fixture, _ = read(sys.argv[3])
    G, D = T.MODELS.get(meta['arch'] + ' ' + meta.get('image', ''), T.MODELS[meta['arch']])
    g, d = G(), D()
    g.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith('G.')}, strict=True)
    d.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith('D.')}, strict=True)
    g.eval(); d.eval()
    with torch.no_grad():
        x = g(fixture['z'], fixture['y'])
        logit = d(fixture['x'], fixture['y'])
    print(json.dumps({'g': (x - fixture['g']).abs().max().item(), 'd': (logit - fixture['d']).abs().max().item()}))
    """

    /// `checkpointOf` makes the checkpoint to export (default: a short run on the synthetic data set).
    func assertLoadsIntoPyTorch(_ arch: Architecture, checkpointOf make: ((String) throws -> Checkpoint)? = nil) throws {
        guard let python = Self.python else {
            throw XCTSkip("no Python that imports torch ($CGAN_TORCH_PYTHON, /tmp/torchenv/bin/python or python3)")
        }
        let referenceModels = Self.fixtureDirectory + "/torch_reference_models.py"
        XCTAssertTrue(FileManager.default.fileExists(atPath: referenceModels), "\(referenceModels) is missing")
        let dir = temporaryDirectory(self)
        let checkpoint: Checkpoint
        if let make { checkpoint = try make(dir) } else {
            try train(smallConfig(arch, epochs: 1, limit: 100, batch: 50, reference: true), in: dir)
            checkpoint = try Checkpoint(path: RunDirectory(dir).latestCheckpoint)
        }
        let nx = checkpoint.config.data.valuesPerImage
        let exported = dir + "/exported.safetensors"
        try PyTorchExport.write(checkpoint: checkpoint, to: exported)

        // What this tool computes for fixed inputs, in inference mode.
        let models = GANModels(config: checkpoint.config, classCount: 10)
        var tensors = checkpoint.tensors
        try tensors.load(models.generator, prefix: "G")
        try tensors.load(models.discriminator, prefix: "D")
        let rng = RandomGenerator(seed: 9)
        let z = Matrix(rows: 6, cols: checkpoint.config.model.noiseSize), y = Matrix(rows: 6, cols: 10)
        checkpoint.config.model.noise.fill(z, rng: rng)
        [3, 1, 4, 1, 5, 9].map(Int32.init).withUnsafeBufferPointer { oneHot($0, into: y) }
        let g = models.generator.forward(z, labels: y, mode: .inference).clone()
        let d = models.discriminator.forward(g, labels: y, mode: .inference).clone()
        let fixture = dir + "/fixture.safetensors"
        try SafeTensors.encode([("z", Tensor(shape: [6, z.cols], values: z)), ("y", Tensor(shape: [6, 10], values: y)),
                                ("x", Tensor(shape: [6, nx], values: g)), ("g", Tensor(shape: [6, nx], values: g)),
                                ("d", Tensor(shape: [6, 1], values: d))], metadata: [:]).write(to: URL(fileURLWithPath: fixture))
        let (status, output) = try Self.run(python, ["-c", Self.script, Self.fixtureDirectory, exported, fixture])
        XCTAssertEqual(status, 0, output)
        guard status == 0, let line = output.split(separator: "\n").last,
              let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] else { return }
        XCTAssertLessThan(result["g"]!, 1e-4, "\(arch): G differs from PyTorch's by \(result["g"]!)")
        XCTAssertLessThan(result["d"]!, 1e-3, "\(arch): D differs from PyTorch's by \(result["d"]!)")
    }

    func testPaper() throws { try assertLoadsIntoPyTorch(.paper) }
    func testMLP() throws { try assertLoadsIntoPyTorch(.mlp) }
    func testMLPWithBatchNorm() throws { try assertLoadsIntoPyTorch(.mlpBN) }
    func testDCGAN() throws { try assertLoadsIntoPyTorch(.dcgan) }

    /// 32 x 32 colour: torch_cgan.py's dcgan32 (three blocks each side). Its weights as built, with batch-norm
    /// statistics of a few training-mode passes, so that inference mode is not the identity.
    func testDCGANFor32By32Colour() throws {
        try assertLoadsIntoPyTorch(.dcgan) { dir in
            var config = TrainingConfig(reference: .dcgan)
            config.data.imageSize = 32
            config.data.channels = 3
            let models = GANModels(config: config, classCount: 10)
            let z = Matrix(rows: 8, cols: config.model.noiseSize), y = Matrix(rows: 8, cols: 10)
            for k in 0..<3 {
                config.model.noise.fill(z, rng: RandomGenerator(seed: UInt64(k)))
                (0..<8).map { Int32(($0 + k) % 10) }.withUnsafeBufferPointer { oneHot($0, into: y) }
                _ = models.generator.forward(z, labels: y, mode: .training)
            }
            let path = dir + "/latest.safetensors"
            try Checkpoint.save(TrainingStep(config: config, models: models, classCount: 10, stepsPerEpoch: 10), position: .init(), to: path)
            return try Checkpoint(path: path)
        }
    }
}

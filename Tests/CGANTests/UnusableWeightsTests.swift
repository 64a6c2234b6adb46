import CGAN
import Datasets
import Evaluation
import Files
import Foundation
import NN
import TestSupport
import XCTest

/// Checkpoints whose weights are finite but unusable, or whose header asks for more than it holds:
/// one line naming the checkpoint, never a trap, a huge allocation or a file of NaN.
final class UnusableWeightsTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    func tinyCheckpoint(_ arch: Architecture) throws -> String {
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(arch, epochs: 1, limit: 100, batch: 50), in: dir)
        return RunDirectory(dir).latestCheckpoint
    }

    /// A copy of `source` with its tensors changed by `change`.
    func rewritten(_ source: String, _ change: (inout [String: Tensor]) -> Void) throws -> String {
        var contents = try SafeTensors.read(source)
        change(&contents.tensors)
        let path = temporaryDirectory(self) + "/edited.safetensors"
        try SafeTensors.encode(contents.tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, metadata: contents.metadata)
            .write(to: URL(fileURLWithPath: path))
        return path
    }

    func leftovers(_ directory: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] }

    func testHugeButFiniteWeightsAreAnErrorInEveryOutput() throws {
        let bad = try rewritten(try tinyCheckpoint(.mlp)) { tensors in
            for name in tensors.keys where name.hasPrefix("G.") && name.hasSuffix("bias") {
                tensors[name]!.values.fill(3e38)
            }
        }
        let generator = try ConditionalGenerator(checkpoint: bad)
        XCTAssertFalse(generator.generate(label: 1, count: 4, seed: 1).array.allSatisfy(\.isFinite), "the weights must make NaN")
        XCTAssertThrowsError(try generator.images(label: 1, count: 4, seed: 1))
        let out = temporaryDirectory(self)
        for format in ["png", "idx", "npy"] {
            try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--format", format, "--out", out + "/s." + format],
                                   contains: "\(bad): the generator's output is not finite")
        }
        for file in ["way.gif", "way.png"] {
            try assertOneLineError(["interpolate", "--checkpoint", bad, "--label", "1", "--out", out + "/" + file], contains: "not finite")
        }
        XCTAssertEqual(leftovers(out), [], "files or temporaries were left")
        // evaluate stops before training a classifier for it, and before FID sees a NaN.
        let cache = temporaryDirectory(self)
        let r = try runCGAN(["evaluate", "--checkpoint", bad, "--out", out + "/e.json"] + (try SyntheticData.arguments()),
                            environment: ["CGAN_CACHE_DIR": cache])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("not finite"), r.stderr)
        XCTAssertEqual(leftovers(cache), [], "a classifier was trained for unusable weights")
        XCTAssertTrue(frechetDistance(GaussianStatistics(mean: [.nan, 0], covariance: [1, 0, 0, 1]),
                                      GaussianStatistics(mean: [0, 0], covariance: [1, 0, 0, 1])).isNaN)
    }

    func testANegativeRunningVarianceIsRefusedAtLoad() throws {
        let bad = try rewritten(try tinyCheckpoint(.mlpBN)) { tensors in
            let name = tensors.keys.sorted().first { $0.hasPrefix("G.") && $0.hasSuffix("running_var") }!
            tensors[name]!.values.fill(-1)
        }
        assertOneLineError(Checkpoint.CheckpointError.self, "holds a negative variance") { _ = try Checkpoint(path: bad) }
        let out = temporaryDirectory(self)
        for format in ["png", "idx", "npy"] {
            try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--format", format, "--out", out + "/s"],
                                   contains: "negative variance")
        }
        try assertOneLineError(["interpolate", "--checkpoint", bad, "--label", "1", "--out", out + "/w.gif"], contains: "negative variance")
        XCTAssertEqual(leftovers(out), [])
    }

    /// dcgan at width 8 with 10,000 noise inputs and 1,000 classes: a model of gigabytes, asked for by a small file.
    func hugeModelCheckpoint(tensors: [(name: String, tensor: Tensor)]) throws -> String {
        var config = TrainingConfig(architecture: .dcgan)
        config.model.widthMultiplier = 8
        config.model.noiseSize = 10_000
        XCTAssertNil(config.problem)
        let metadata = ["format": Checkpoint.formatVersion, "arch": "dcgan", "classes": "1000",
                        "config": String(decoding: try JSONEncoder().encode(config), as: UTF8.self),
                        "position": #"{"step":0,"epoch":0,"batch":0}"#]
        let path = temporaryDirectory(self) + "/huge.safetensors"
        try SafeTensors.encode(tensors, metadata: metadata).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testAHeaderThatAsksForAHugeModelIsRefusedBeforeItIsBuilt() throws {
        let empty = try hugeModelCheckpoint(tensors: [])
        let out = temporaryDirectory(self) + "/x.png"
        let start = Date()
        try assertOneLineError(["sample", "--checkpoint", empty, "--label", "1", "--out", out], contains: "holds no generator tensors")
        let small = try hugeModelCheckpoint(tensors: [("G.trunk.0.weight", Tensor(shape: [4, 4], values: Matrix(rows: 4, cols: 4)))] + [("avgG.trunk.0.weight", Tensor(shape: [4, 4], values: Matrix(rows: 4, cols: 4)))])
        try assertOneLineError(["sample", "--checkpoint", small, "--label", "1", "--out", out], contains: "asks for a generator of at least")
        try assertOneLineError(["export", "--checkpoint", small, "--out", out], contains: "asks for a generator of at least")
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "refused only after building the model?")
    }

    func testTheWeightBoundIsBelowEveryRealGenerator() throws {
        for arch in Architecture.allCases {
            for width in [0.5, 1.5] {
                var config = TrainingConfig(architecture: arch)
                config.model.widthMultiplier = width
                let models = GANModels(config: config, classCount: 10)
                let held = models.generator.stateTensors(prefix: "G").reduce(0) { $0 + $1.tensor.values.count }
                let bound = GANModels.generatorWeightLowerBound(config: config, classCount: 10)
                XCTAssertLessThanOrEqual(bound, held, "\(arch) x\(width)")
                XCTAssertGreaterThan(bound, held / 4, "\(arch) x\(width): the bound checks too little")
            }
        }
    }

    func testIDXRefusesAClassThatDoesNotFitInAByteBeforeWritingAnything() throws {
        let dir = temporaryDirectory(self)
        let images = Matrix(rows: 2, cols: 784)
        assertOneLineError(FileError.self, "class 300 does not fit") {
            _ = try SampleExport.write(images, labels: [1, 300], format: .idx, to: dir + "/s", columns: 2)
        }
        XCTAssertEqual(leftovers(dir), [])
        XCTAssertEqual(try SampleExport.write(images, labels: [1, 300], format: .npy, to: dir + "/s", columns: 2).count, 2)
    }

    func testANegativeLabelIsOneLine() throws {
        let checkpoint = try tinyCheckpoint(.mlp)
        let out = temporaryDirectory(self) + "/x.png"
        try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "-1", "--out", out], contains: "--label \"-1\" is outside")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "-1", "--out", out], contains: "--label \"-1\" is outside")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "1", "--to-label", "-3", "--out", out],
                               contains: "--to-label \"-3\" is outside")
    }
}

/// `cgan` with extra environment variables.
func runCGAN(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try cganProgram())
    p.arguments = arguments
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

import Foundation
import TestSupport
import XCTest
import CGAN
import Datasets
import NN

final class TrainingRunTests: XCTestCase {
    func testShortRunWritesEveryFileAndDLossMoves() throws {
        let dir = temporaryDirectory(self)
        var progress: [TrainingProgress] = []
        try train(smallConfig(.mlp, epochs: 2, limit: 2000, batch: 50), in: dir, progress: &progress)
        let run = RunDirectory(dir)

        // config.json: the settings, the seed and the data set's identity.
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run.config))) as! [String: Any]
        XCTAssertEqual(config["seed"] as? Int, 7)
        let files = (config["dataset"] as! [String: Any])["files"] as! [[String: String]]
        XCTAssertEqual(files.count, 4)
        XCTAssertEqual(files.first { $0["file"] == "train-images-idx3-ubyte" }?["sha256"],
                       SyntheticDataset.spec.file(.trainImages).rawSHA256)

        // metrics.csv: header and one row per 5 steps, 80 steps in all.
        let rows = try String(contentsOfFile: run.metrics, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(String(rows[0]), MetricsLog.header)
        XCTAssertEqual(rows.count, 1 + 16)
        XCTAssertEqual(rows.last!.split(separator: ",").first, "80")
        let dLosses = rows.dropFirst().map { Double($0.split(separator: ",")[2])! }
        XCTAssertTrue(dLosses.allSatisfy(\.isFinite))
        // D starts at 2·log 2 (it cannot tell real from fake) and must move away from it as it learns.
        XCTAssertGreaterThan(dLosses.map { abs($0 - 2 * log(2.0)) }.max()!, 0.1, "D's loss never moved: \(dLosses)")

        // Sample grids: PNGs of 10x10 cells of 28 px with 2 px padding.
        for epoch in 1...2 {
            let png = try Data(contentsOf: URL(fileURLWithPath: run.sampleGrid(epoch: epoch)))
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            XCTAssertEqual([width, height], [302, 302])
        }

        // The grids animated: a looping GIF89a of the two frames.
        let gif = try Data(contentsOf: URL(fileURLWithPath: run.progressAnimation))
        XCTAssertEqual(Array(gif.prefix(6)), Array("GIF89a".utf8))
        XCTAssertEqual(gif[6..<10].map { Int($0) }, [46, 1, 46, 1])  // 302 x 302, little-endian
        XCTAssertEqual(gif.last, 0x3B)  // trailer
        // Walk the block structure outside Swift: two frames and the looping extension.
        let walker = """
        import sys
        d = open(sys.argv[1], 'rb').read(); f = d[10]; p = 13 + (3 * (2 << (f & 7)) if f & 0x80 else 0); n = 0; loop = False
        while d[p] != 0x3B:
            if d[p] == 0x21:
                loop = loop or d[p + 3:p + 14] == b'NETSCAPE2.0'; p += 2
            else:
                n += 1; g = d[p + 9]; p += 10 + (3 * (2 << (g & 7)) if g & 0x80 else 0) + 1
            while d[p]: p += d[p] + 1
            p += 1
        print(n, loop)
        """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", walker, run.progressAnimation]
        let out = Pipe()
        python.standardOutput = out
        try python.run()
        python.waitUntilExit()
        XCTAssertEqual(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "2 True\n")

        // The loss plot drawn when training ends: a 640 x 400 RGB PNG.
        let plot = try Data(contentsOf: URL(fileURLWithPath: run.lossPlot))
        XCTAssertEqual([plot[16..<20], plot[20..<24]].map { $0.reduce(0) { $0 << 8 | Int($1) } }, [640, 400])
        XCTAssertEqual(plot[25], 2, "colour type RGB")

        // The checkpoint loads and samples have the right shape and range.
        let g = try ConditionalGenerator(checkpoint: run.latestCheckpoint)
        let x = g.generate(label: 3, count: 16, seed: 1)
        XCTAssertEqual(x.shape, [16, 784])
        XCTAssertTrue(x.array.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(g.generate(label: 3, count: 16, seed: 1).array, x.array, "same seed, same images")
        XCTAssertNotEqual(g.generate(label: 3, count: 16, seed: 2).array, x.array)
        // An interpolation starts and ends at what plain sampling draws from the two seeds and classes
        // (normal z: along a great circle, whose ends are the two vectors themselves).
        let frames = Interpolation(generator: g).frames(fromSeed: 1, toSeed: 2, fromLabel: 3, toLabel: 8, steps: 5)
        XCTAssertEqual(frames.rows, 5)
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        XCTAssertTrue(close(frames.rows(0..<1).array, g.generate(label: 3, count: 1, seed: 1, dropout: false).array))
        XCTAssertTrue(close(frames.rows(4..<5).array, g.generate(label: 8, count: 1, seed: 2, dropout: false).array))
        XCTAssertFalse(close(frames.rows(2..<3).array, frames.rows(0..<1).array))
        // No leftover temporary files from atomic writes.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testRefusesToOverwriteAnExistingRun() throws {
        let dir = temporaryDirectory(self)
        try train(smallConfig(.paper, epochs: 1, limit: 200, batch: 50), in: dir)
        XCTAssertThrowsError(try train(smallConfig(.paper, epochs: 1, limit: 200, batch: 50), in: dir)) {
            XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)")
        }
    }

    /// 2 epochs straight and 1 epoch + resume + 1 epoch give bit-identical weights and optimiser state.
    func assertResumeIsExact(_ arch: Architecture, adjust: (inout TrainingConfig) -> Void = { _ in }) throws {
        let straight = temporaryDirectory(self), resumed = temporaryDirectory(self)
        var config = smallConfig(arch, epochs: 2, limit: 600, batch: 50)
        adjust(&config)
        try train(config, in: straight, keepEvery: 1)
        var first = config
        first.optimization.epochs = 1
        try train(first, in: resumed)
        try train(first, in: resumed, resume: true, epochs: 2)
        let a = try tensorBits(RunDirectory(straight).latestCheckpoint), b = try tensorBits(RunDirectory(resumed).latestCheckpoint)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, bits) in a { XCTAssertEqual(bits, b[name], "\(arch.rawValue): \(name) differs after resume") }
        // --keep-every 1 kept both epochs; the last is the latest checkpoint, the first a different one.
        let run = RunDirectory(straight)
        XCTAssertEqual(try tensorBits(run.epochCheckpoint(2)), a)
        XCTAssertNotEqual(try tensorBits(run.epochCheckpoint(1)), a)
        // The resumed run's metrics continue where the first part stopped: the same rows as the straight run's.
        func losses(_ dir: String) throws -> [String] {
            try String(contentsOfFile: RunDirectory(dir).metrics, encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",").prefix(6).joined(separator: ",") }
        }
        XCTAssertEqual(try losses(resumed), try losses(straight))
        XCTAssertEqual(try losses(resumed).count, 1 + 6)  // 12 steps an epoch: rows at 5, 10, 12, 17, 22, 24
    }

    func testResumeIsExactForThePaperModel() throws { try assertResumeIsExact(.paper) }

    /// bf16 products are deterministic too, so a bf16 run resumes bit for bit (where the CPU runs bf16).
    func testResumeIsExactInBF16() throws {
        if let reason = MatrixProducts.unsupportedReason(.bf16) { throw XCTSkip("bf16 training not tested: \(reason)") }
        try assertResumeIsExact(.dcgan) { $0.compute.precision = .bf16 }
        try assertResumeIsExact(.paper) { $0.compute.precision = .bf16 }
        // And bf16 is really used: the same run in fp32 ends with other weights; the checkpoint records it.
        let fp32 = temporaryDirectory(self), bf16 = temporaryDirectory(self)
        var config = smallConfig(.paper, epochs: 1, limit: 200, batch: 50)
        try train(config, in: fp32)
        config.compute.precision = .bf16
        try train(config, in: bf16)
        XCTAssertNotEqual(try tensorBits(RunDirectory(fp32).latestCheckpoint), try tensorBits(RunDirectory(bf16).latestCheckpoint))
        XCTAssertEqual(try Checkpoint(path: RunDirectory(bf16).latestCheckpoint).config.compute.precision, .bf16)
    }
    func testResumeIsExactForBatchNorm() throws { try assertResumeIsExact(.mlpBN) }

    /// Resuming a run that has trained all its epochs says so instead of "resuming at epoch N+1", and trains nothing.
    func testResumingAFinishedRunSaysSo() throws {
        let dir = temporaryDirectory(self)
        let config = smallConfig(.paper, epochs: 1, limit: 200, batch: 50)
        try train(config, in: dir)
        let before = try tensorBits(RunDirectory(dir).latestCheckpoint)
        let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: true)
        var messages: [String] = []
        try run.run { if case .message(let line) = $0 { messages.append(line) } }
        XCTAssertTrue(messages.contains { $0.hasSuffix("has trained its 1 epoch: nothing to train (a larger --epochs continues it)") }, "\(messages)")
        XCTAssertFalse(messages.contains { $0.contains("resuming at") }, "\(messages)")
        XCTAssertEqual(try tensorBits(RunDirectory(dir).latestCheckpoint), before)
    }

    /// The library of the fp32 products is part of the run: a run trained with OpenBLAS resumes on OpenBLAS
    /// (bit for bit) even when the resuming caller's config says oneDNN, and the two libraries' runs differ.
    func testResumeKeepsTheRunsMatrixLibrary() throws {
        let straight = temporaryDirectory(self), resumed = temporaryDirectory(self), oneDNN = temporaryDirectory(self)
        var config = smallConfig(.paper, epochs: 2, limit: 600, batch: 50)
        try train(config, in: oneDNN)
        config.compute.matmul = .openBLAS
        try train(config, in: straight)
        var first = config
        first.optimization.epochs = 1
        try train(first, in: resumed)
        first.compute.matmul = .oneDNN
        try train(first, in: resumed, resume: true, epochs: 2)
        let bits = try tensorBits(RunDirectory(straight).latestCheckpoint)
        XCTAssertEqual(try tensorBits(RunDirectory(resumed).latestCheckpoint), bits)
        XCTAssertNotEqual(try tensorBits(RunDirectory(oneDNN).latestCheckpoint), bits)
        XCTAssertEqual(try Checkpoint(path: RunDirectory(resumed).latestCheckpoint).config.compute.matmul, .openBLAS)
        // The stored config's keys are sorted, so that two processes (each with its own hash seed) write the same text.
        let stored = try XCTUnwrap(SafeTensors.read(RunDirectory(resumed).latestCheckpoint).metadata["config"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(stored, String(decoding: try encoder.encode(try JSONDecoder().decode(TrainingConfig.self, from: Data(stored.utf8))), as: UTF8.self))
        // Asked for explicitly, a resumed run changes library (results then differ by rounding only).
        let switched = try TrainingRun(config: first, data: try SyntheticData.load(), directory: RunDirectory(resumed),
                                       resume: true, epochs: 3, backend: .oneDNN)
        XCTAssertEqual(switched.config.compute.matmul, .oneDNN)
        XCTAssertEqual(switched.trainer.models.generator.matrixProducts.backend, .oneDNN)
        // And for a new run, over the config's own.
        let fresh = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(temporaryDirectory(self)),
                                    resume: false, backend: .oneDNN)
        XCTAssertEqual(fresh.config.compute.matmul, .oneDNN)
        XCTAssertEqual(fresh.trainer.models.discriminator.matrixProducts.backend, .oneDNN)
    }

    /// --spectral-norm normalises D's convolutions and, unless --no-head-spectral-norm, the projection head
    /// (dcgan's default D has dropout after its first convolution, so they are trunk layers 0 and 3).
    func testSpectralNormWrapsWhatTheConfigSays() {
        var config = TrainingConfig(architecture: .dcgan)
        config.additions.spectralNorm = true
        let all = Set(GANModels(config: config, classCount: 10).discriminator.namedParameters.map(\.name))
        XCTAssertTrue(all.isSuperset(of: ["trunk.0.weight_orig", "trunk.0.weight_u", "trunk.3.weight_orig", "head.weight_orig",
                                          "head.embedding_orig", "head.embedding_v"]), "\(all.sorted())")
        config.additions.headSpectralNorm = false
        let convolutions = Set(GANModels(config: config, classCount: 10).discriminator.namedParameters.map(\.name))
        XCTAssertTrue(convolutions.isSuperset(of: ["trunk.0.weight_orig", "trunk.3.weight_orig", "head.weight", "head.embedding"]))
        XCTAssertFalse(convolutions.contains("head.embedding_orig"))
        // The AC-GAN classifier is normalised as the head is.
        config.additions.classLossWeight = 1
        XCTAssertTrue(Set(GANModels(config: config, classCount: 10).discriminator.namedParameters.map(\.name))
            .isSuperset(of: ["classifier.weight", "classifier.bias"]))
        config.additions.headSpectralNorm = true
        XCTAssertTrue(Set(GANModels(config: config, classCount: 10).discriminator.namedParameters.map(\.name))
            .isSuperset(of: ["classifier.weight_orig", "classifier.weight_u", "classifier.bias"]))
        config.additions.classLossWeight = 0
        config.additions.spectralNorm = false
        config.additions.headSpectralNorm = true
        XCTAssertFalse(GANModels(config: config, classCount: 10).discriminator.namedParameters.contains { $0.name.hasSuffix("_orig") })
    }

    /// Spectral normalisation's power-iteration vectors are state: a resumed run must carry them on, the
    /// AC-GAN classifier's included.
    func testResumeIsExactWithHingeLossSpectralNormAndClassLoss() throws {
        try assertResumeIsExact(.dcgan) { c in
            c.additions.projectionDiscriminator = true
            c.optimization.adversarialLoss = .hinge
            c.additions.spectralNorm = true
            c.additions.classLossWeight = 0.5
        }
    }

    /// G's class-conditional batch norms (per-class scale and shift, the running statistics of batch norms
    /// without their own affine) resume exactly, with the average of G that samples.
    func testResumeIsExactWithClassConditionalBatchNorm() throws {
        try assertResumeIsExact(.dcgan) { c in
            c.additions.projectionDiscriminator = true
            c.additions.generatorAverageDecay = 0.9
            c.additions.classBatchNorm = true
        }
    }

    /// Mode seeking: the generated batch's second half repeats its first half's classes (the pairs the term
    /// compares; an odd last row keeps a class of its own), without it the classes are drawn independently, the
    /// term enters G's loss and update, its block-mean distance (`modeSeekingGrid`) reaches the step, and a run
    /// with either distance resumes exactly.
    func testModeSeekingPairsTheGeneratedClassesAndResumesExactly() throws {
        func step(weight: Double, grid: Int = 0) -> (labels: [Int32], stats: StepStatistics, generator: [Float]) {
            var config = smallConfig(.dcgan, epochs: 1, limit: 100, batch: 21)
            config.additions.modeSeekingWeight = weight
            config.additions.modeSeekingGrid = grid
            let models = GANModels(config: config, classCount: 10)
            let step = TrainingStep(config: config, models: models, classCount: 10, stepsPerEpoch: 5)
            let stats = step.run(step: 0) { images, labels in
                images.fill(0.5)
                for i in labels.indices { labels[i] = Int32(i % 10) }
            }
            XCTAssertTrue(stats.isFinite)
            return (step.fakeLabels, stats, models.generator.namedParameters.flatMap(\.parameter.value.array))
        }
        let paired = step(weight: 1), doubled = step(weight: 2), independent = step(weight: 0)
        XCTAssertEqual(Array(paired.labels[10..<20]), Array(paired.labels[..<10]))
        XCTAssertNotEqual(Array(independent.labels[10..<20]), Array(independent.labels[..<10]))
        // Weights 1 and 2 see the same labels, noise, D and images: G's losses differ by the term at weight 1,
        // 1 / (R + ε), which is positive, and so do G's updated weights.
        XCTAssertEqual(paired.labels, doubled.labels)
        XCTAssertEqual(paired.stats.discriminatorLoss, doubled.stats.discriminatorLoss)
        XCTAssertGreaterThan(doubled.stats.generatorLoss - paired.stats.generatorLoss, 0.01)
        XCTAssertNotEqual(paired.generator, doubled.generator)
        // Block means (a 7x7 grid of 4x4 blocks of the 28x28 images) are another distance: another term and update.
        let blocks = step(weight: 1, grid: 7)
        XCTAssertEqual(blocks.labels, paired.labels)
        XCTAssertNotEqual(blocks.stats.generatorLoss, paired.stats.generatorLoss)
        XCTAssertNotEqual(blocks.generator, paired.generator)
        try assertResumeIsExact(.dcgan) { c in c.additions.modeSeekingWeight = 1 }
        try assertResumeIsExact(.dcgan) { c in c.additions.modeSeekingWeight = 1; c.additions.modeSeekingGrid = 7 }
    }

    /// The weight average (with its own batch-norm statistics) and the projection head resume exactly too,
    /// and the checkpoint samples from the average, which differs from the live G.
    func testResumeIsExactForTheConvolutionalModelWithProjectionAndAverage() throws {
        try assertResumeIsExact(.dcgan) { c in
            c.additions.projectionDiscriminator = true
            c.additions.generatorAverageDecay = 0.9
        }
        let dir = temporaryDirectory(self)
        var config = smallConfig(.dcgan, epochs: 1, limit: 600, batch: 50)
        config.additions.projectionDiscriminator = true
        config.additions.generatorAverageDecay = 0.9
        try train(config, in: dir)
        let checkpoint = try Checkpoint(path: RunDirectory(dir).latestCheckpoint)
        XCTAssertNotNil(checkpoint.tensors.tensors["D.head.embedding"])
        let g = try ConditionalGenerator(checkpoint: checkpoint.path)
        let live = GANModels(config: config, classCount: 10)
        var tensors = checkpoint.tensors
        try tensors.load(live.generator, prefix: "G")
        let z = Matrix(rows: 20, cols: config.model.noiseSize)
        config.model.noise.fill(z, rng: RandomGenerator(seed: 5))
        let labels = (0..<20).map { $0 % 10 }
        let fromCheckpoint = g.generate(noise: z, labels: labels, seed: 1)
        let fromLive = ConditionalGenerator(net: live.generator, config: config, classCount: 10, imageSize: 784)
            .generate(noise: z, labels: labels, seed: 1)
        let difference = zip(fromCheckpoint.array, fromLive.array).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(difference, 1e-3, "samples should come from the average, not the live G")
        // The average's batch-norm statistics are its own, not copies of the live G's.
        XCTAssertNotEqual(checkpoint.tensors.tensors["avgG.trunk.1.running_mean"]?.values.array,
                          checkpoint.tensors.tensors["G.trunk.1.running_mean"]?.values.array)
    }

    /// The paper model, and the dcgan whose weight average refreshes its batch-norm statistics at the
    /// interruption: the resumed run ends bit for bit where the straight one does.
    func testInterruptSavesACheckpointAndResumesExactlyMidEpoch() throws {
        for arch in [Architecture.paper, .dcgan] {
            let straight = temporaryDirectory(self) + "/\(arch)", interrupted = temporaryDirectory(self) + "/\(arch)-cut"
            let config = smallConfig(arch, epochs: 1, limit: 500, batch: 50)
            XCTAssertGreaterThan(config.additions.generatorAverageDecay, arch == .dcgan ? 0 : -1)
            try train(config, in: straight)
            Interruption.request()
            XCTAssertThrowsError(try train(config, in: interrupted)) { error in
                XCTAssertEqual((error as? TrainingError)?.exitCode, 130)
            }
            let position = try Checkpoint(path: RunDirectory(interrupted).latestCheckpoint).position
            XCTAssertEqual(position, Checkpoint.Position(step: 1, epoch: 0, batch: 1))
            try train(config, in: interrupted, resume: true)
            let a = try tensorBits(RunDirectory(straight).latestCheckpoint), b = try tensorBits(RunDirectory(interrupted).latestCheckpoint)
            XCTAssertEqual(Set(a.keys), Set(b.keys))
            for (name, bits) in a { XCTAssertTrue(bits == b[name], "\(arch): \(name) differs after a Ctrl-C mid-epoch") }
        }
    }

    /// metrics.csv after a mid-epoch resume keeps the run's rhythm: rows at the same steps as the unbroken
    /// run's, the first one averaging the steps since the resume, every later one equal to the unbroken run's.
    func testMetricsRowsAfterAMidEpochResumeFallWhereTheUnbrokenRunsDo() throws {
        let config = smallConfig(.mlp, epochs: 1, limit: 500, batch: 50)
        func rows(interrupted: Bool) throws -> [[Substring]] {
            let dir = temporaryDirectory(self) + (interrupted ? "/cut" : "/straight")
            func session(resume: Bool) throws {
                let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: resume)
                run.logEvery = 3
                try run.run { _ in }
            }
            if interrupted {
                Interruption.request()
                XCTAssertThrowsError(try session(resume: false))
            }
            try session(resume: interrupted)
            // step, epoch, the losses, D's scores, learning rate and momentum: not the timings.
            return try String(contentsOfFile: RunDirectory(dir).metrics, encoding: .utf8).split(separator: "\n").dropFirst()
                .map { Array($0.split(separator: ",").prefix(8)) }
        }
        let straight = try rows(interrupted: false), resumed = try rows(interrupted: true)
        XCTAssertEqual(straight.map { $0[0] }, ["3", "6", "9", "10"])
        XCTAssertEqual(resumed.map { $0[0] }, straight.map { $0[0] })
        XCTAssertNotEqual(resumed[0], straight[0], "the first row averages steps 2-3 only")
        XCTAssertEqual(Array(resumed.dropFirst()), Array(straight.dropFirst()))
    }

    func testNonFiniteLossStopsWithoutOverwritingTheCheckpoint() throws {
        let dir = temporaryDirectory(self)
        let config = smallConfig(.paper, epochs: 1, limit: 200, batch: 50)
        try train(config, in: dir)
        let before = try tensorBits(RunDirectory(dir).latestCheckpoint)
        do {  // the run holds its folder's lock until it goes
            let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: true, epochs: 2)
            run.trainer.models.discriminator.trunk.namedParameters.first!.parameter.value.pointer[0] = .nan
            XCTAssertThrowsError(try run.run { _ in }) { error in
                XCTAssertTrue("\(error)".contains("loss is not finite"), "\(error)")
                XCTAssertEqual((error as? TrainingError)?.exitCode, Divergence.exitCode, "a status of its own")
            }
        }
        XCTAssertEqual(try tensorBits(RunDirectory(dir).latestCheckpoint), before)
        // Recorded: the first step of epoch 2 (4 batches per epoch), after the checkpoint of epoch 1.
        let record = try XCTUnwrap(Divergence(in: RunDirectory(dir)))
        XCTAssertEqual([record.step, record.epoch], [5, 2])
        XCTAssertEqual(record.lastCheckpoint, .init(step: 4, epoch: 1, batch: 0))
        XCTAssertEqual(record.discriminatorLoss, "nan")
        // Resumed with good weights, it trains past that step and the record goes.
        try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: true, epochs: 2).run { _ in }
        XCTAssertNil(Divergence(in: RunDirectory(dir)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: RunDirectory(dir).divergence))
        // A folder of that name is not a record: refused by name, its contents kept.
        try FileManager.default.createDirectory(atPath: RunDirectory(dir).divergence, withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: RunDirectory(dir).divergence + "/kept", contents: Data([1]))
        XCTAssertThrowsError(try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: true, epochs: 3)) {
            XCTAssertTrue("\($0)".contains("diverged.json: is a folder, not the record of a divergence"), "\($0)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir).divergence + "/kept"))
        // Diverged before any checkpoint: the message does not point at one.
        let fresh = temporaryDirectory(self) + "/fresh"
        let first = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(fresh), resume: false)
        first.trainer.models.discriminator.trunk.namedParameters.first!.parameter.value.pointer[0] = .nan
        XCTAssertThrowsError(try first.run { _ in }) { XCTAssertTrue("\($0)".contains("no checkpoint was saved (diverged in its first epoch)"), "\($0)") }
        let firstRecord = try XCTUnwrap(Divergence(in: RunDirectory(fresh)))
        XCTAssertNil(firstRecord.lastCheckpoint)
        XCTAssertEqual(firstRecord.step, 1)
        // Started again (it saved no checkpoint) with a folder in the record's place: refused before any file goes.
        try FileManager.default.removeItem(atPath: RunDirectory(fresh).divergence)
        try FileManager.default.createDirectory(atPath: RunDirectory(fresh).divergence, withIntermediateDirectories: false)
        XCTAssertThrowsError(try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(fresh), resume: false))
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(fresh).config))
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(fresh).metrics))
    }
}

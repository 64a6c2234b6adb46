import Files
import Datasets
import Foundation
import Media
import NN

/// What a training run reports as it goes.
public enum TrainingEvent {
    /// Every `logEvery` steps: statistics averaged over the interval.
    case progress(TrainingProgress)
    /// A line worth printing (epoch summaries, files written).
    case message(String)
}

public struct TrainingProgress: Sendable {
    public var step = 0, totalSteps = 0, epoch = 0, epochs = 0, batch = 0, batchesPerEpoch = 0
    public var statistics = StepStatistics()
    /// `statistics` are averaged over the interval; its learning rate and momentum are the last step's.
    public var imagesPerSecond = 0.0, wallSeconds = 0.0
    /// Seconds left at the current speed.
    public var secondsLeft = 0.0
}

/// A training error with a one-line explanation (non-finite loss, existing run, interrupted).
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    public init(_ description: String, exitCode: Int32 = 1) { self.description = description; self.exitCode = exitCode }
}

/// Trains a conditional GAN and writes its run directory; resumes exactly from the latest checkpoint.
public final class TrainingRun {
    public let config: TrainingConfig
    public let directory: RunDirectory
    public let data: TrainingData
    public let trainer: TrainingStep
    /// Epochs finished so far (a resumed run starts with the checkpoint's).
    public var completedEpochs: Int { position.epoch }
    public var logEvery = 100
    /// Write a sample grid every this many epochs (and after the last).
    public var sampleEvery = 1
    /// Also keep checkpoints/epoch-NNN.safetensors after every `keepEvery`-th epoch; 0: never.
    public var keepEvery = 0
    /// Called at each epoch's end with the generator; returns extra metadata for the checkpoint and
    /// whether this epoch's weights are the best so far (evaluation plugs in here). Runs before the hooks
    /// added with `addEpochEndHook`.
    public var onEpochEnd: ((Int, ConditionalGenerator) throws -> (isBest: Bool, metadata: [String: String]))?
    private var epochEndHooks: [(Int, ConditionalGenerator) throws -> [String: String]] = []
    /// Set by `finishEarly(_:)`: the run ends after the current epoch's checkpoint, with this line.
    public private(set) var earlyFinish: String?
    private var runStart = Date()
    private var position: Checkpoint.Position
    /// Held while this run may write its directory.
    private let lock: DirectoryLock
    private var wallOffset = 0.0
    /// What the hooks last recorded in the checkpoint (the best validation score, the epoch the quality goal
    /// was met): carried into every later checkpoint, the one Ctrl-C saves mid-epoch too, so no session loses it.
    private(set) var checkpointMetadata: [String: String] = [:]
    /// The hooks' keys that `checkpointMetadata` carries from a resumed checkpoint (the rest are Checkpoint's own).
    static let carriedMetadataKeys: Set = [bestValidationKey, goalEpochKey, goalSecondsKey]
    private let sampler: MinibatchSampler
    private let fixedNoise: Matrix, fixedLabels: [Int]

    /// Starts a new run in `directory` (refusing to overwrite one), or resumes the run there.
    /// When resuming, `epochs`, `threads` and `backend` override the saved settings; everything else is as saved.
    /// A run that never wrote a checkpoint (killed or diverged in its first epoch) starts again from scratch.
    /// `backend`, when given, overrides the config's library of fp32 products (bf16 always runs through oneDNN);
    /// the results do not depend on it beyond rounding, so a resumed run may change it.
    public convenience init(config newConfig: TrainingConfig, data: MNISTFamilyDataset, directory: RunDirectory,
                            resume: Bool, epochs: Int? = nil, threads: Int? = nil, backend: MatrixProducts.Backend? = nil,
                            report: (String) -> Void = { _ in }) throws {
        try self.init(config: newConfig, data: TrainingData(data), directory: directory, resume: resume, epochs: epochs,
                      threads: threads, backend: backend, report: report)
    }

    /// As above, for any `TrainingData`; a new run on an image folder takes its image size, channels and
    /// class names from the images.
    public init(config newConfig: TrainingConfig, data: TrainingData, directory: RunDirectory,
                resume: Bool, epochs: Int? = nil, threads: Int? = nil, backend: MatrixProducts.Backend? = nil,
                report: (String) -> Void = { _ in }) throws {
        if let problem = newConfig.problem { throw TrainingError(problem) }
        if let problem = directory.locationProblem { throw TrainingError(problem) }
        if resume && !FileManager.default.fileExists(atPath: directory.path) {
            throw TrainingError("\(directory.path): nothing to resume (no run there)")
        }
        // Before the directory is made, so that a refused new run leaves no empty folder behind.
        if !resume && !directory.holdsARun {
            try Self.checkBatchFits(data, config: newConfig)
            if let reason = MatrixProducts.unsupportedReason(newConfig.compute.precision) { throw TrainingError(reason) }
        }
        try DirectoryCreation.create(directory.path)
        // Before anything is read or removed: a second writer would interleave its files with the first's.
        let lock: DirectoryLock
        do { lock = try DirectoryLock(directory.path, holder: "another cgan train") } catch let error as FileError {
            throw TrainingError(error.description)
        }
        self.lock = lock
        for d in [directory.path, directory.samples, directory.checkpoints] {
            for name in AtomicFile.removeStaleTemporaries(in: d) { report("removed \(name), left by an interrupted write") }
        }
        var config = newConfig
        var checkpoint: Checkpoint?
        let hasCheckpoint = FileManager.default.fileExists(atPath: directory.latestCheckpoint)
        if let problem = directory.brokenCheckpointLink { throw TrainingError(problem) }
        if directory.holdsARun && hasCheckpoint {
            guard resume else {
                throw TrainingError("\(directory.path) already holds a run: pass --resume to continue it, or choose another --out")
            }
            let c = try Checkpoint(path: directory.latestCheckpoint)
            if let stored = directory.storedArchitecture, stored != c.config.architecture.rawValue {
                throw TrainingError("\(directory.path): config.json is a \(stored) run but its checkpoint holds \(c.config.architecture.rawValue); refusing to mix them")
            }
            config = c.config
            if let epochs {
                guard epochs >= c.position.epoch else {
                    throw TrainingError("\(directory.path): --epochs \(epochs) is below the \(c.position.epoch) epochs this run has done; "
                                        + "give the new total, at least \(c.position.epoch)")
                }
                config.optimization.epochs = epochs
            }
            if let threads { config.compute.threads = threads }
            guard config.data.dataset == data.name else {
                throw TrainingError("\(directory.path): this run trained on \(config.data.dataset), not \(data.name)")
            }
            checkpoint = c
        } else if directory.holdsARun {
            let kept = directory.workToKeep
            guard kept.isEmpty else {
                throw TrainingError("\(directory.path) holds a run without checkpoints/latest.safetensors but with \(kept.joined(separator: ", ")): "
                                    + "refusing to start it again over them; to continue from one of its checkpoints, copy it to "
                                    + "checkpoints/latest.safetensors and pass --resume; or choose another --out")
            }
            report("\(directory.path) holds a run that never saved a checkpoint (killed, stopped or diverged in its first epoch): starting it again")
            try directory.removeRunFiles()
        } else if directory.holdsRunFiles {
            throw TrainingError("\(directory.path) holds run files but no config.json: not a run this tool can continue; choose another --out")
        } else if resume {
            throw TrainingError("\(directory.path): nothing to resume (no run there)")
        }
        if checkpoint == nil && data.folder != nil {
            config.data.dataset = data.name
            config.data.imageFolder = data.folder
            config.data.imageSize = data.side
            config.data.channels = data.channels
            config.data.classNames = data.classNames
            config.data.heldOutDigest = sha256Hex(data.validation)
        }
        if let backend { config.compute.matmul = backend }
        // Asked for here (a run stored with the pairing by an older version trains its bf16 products in oneDNN).
        if backend != nil, let conflict = config.compute.conflict { throw TrainingError(conflict) }
        if let problem = data.heldOutProblem(config.data) { throw TrainingError(problem) }
        guard config.data.imageSize == data.side, config.data.channels == data.channels, config.data.valuesPerImage == data.train.imageSize else {
            throw TrainingError("\(config.data.channels)x\(config.data.imageSize)x\(config.data.imageSize) images in the run's config, "
                                + "but the data holds \(data.channels)x\(data.side)x\(data.side)")
        }
        if let names = config.data.classNames, names != data.classNames {
            throw TrainingError("the run's classes are \(names.joined(separator: ", ")), the data's \(data.classNames.joined(separator: ", "))")
        }
        if let problem = config.problem { throw TrainingError(problem) }
        if let reason = MatrixProducts.unsupportedReason(config.compute.precision) { throw TrainingError(reason) }
        self.config = config
        self.directory = directory
        self.data = data
        let products = MatrixProducts(backend: config.compute.matmul)
        BLASRuntime.setThreadCount(config.compute.threads, for: products.with(precision: config.compute.precision))

        let train = try Self.trainingImages(data, config: config)
        let images = train.matrix(scale: config.pixelScale)
        sampler = MinibatchSampler(images: images, labels: train.labels, batchSize: config.optimization.batchSize, seed: config.optimization.seed)
        let meanPixel = Self.meanPixel(train)
        let models = GANModels(config: config, classCount: data.classCount, dataMeanPixel: meanPixel, matrixProducts: products)
        trainer = TrainingStep(config: config, models: models, classCount: data.classCount,
                               stepsPerEpoch: sampler.batchesPerEpoch)
        position = checkpoint?.position ?? Checkpoint.Position()
        let perEpoch = sampler.batchesPerEpoch
        guard position.batch < perEpoch, position.step == position.epoch * perEpoch + position.batch else {
            throw TrainingError("\(directory.latestCheckpoint): its position (epoch \(position.epoch), batch \(position.batch), step \(position.step)) does not fit \(perEpoch) batches per epoch")
        }
        if let checkpoint {
            try checkpoint.restore(into: trainer)
            // From the file: a value that is no plausible duration counts as none.
            let wall = Double(checkpoint.contents.metadata["wall_s"] ?? "") ?? 0
            wallOffset = (0...1e9).contains(wall) ? wall : 0
            checkpointMetadata = checkpoint.contents.metadata.filter { Self.carriedMetadataKeys.contains($0.key) }
        }

        // The same noise every epoch, one row per class: progress is visible in the grids.
        let classes = data.classCount
        fixedLabels = (0..<classes * 10).map { $0 / 10 }
        fixedNoise = Matrix(rows: fixedLabels.count, cols: config.model.noiseSize)
        config.model.noise.fill(fixedNoise, rng: RandomGenerator(seed: config.optimization.seed &+ SeedStream.sampleGridNoise))
        try DirectoryCreation.create(directory.samples)
        try DirectoryCreation.create(directory.checkpoints)
        // A resumed run with epochs left trains again past where it diverged (another thread count rounds
        // differently) or records it anew: the old record must not outlive the settings written next.
        if position.epoch < config.optimization.epochs, FileManager.default.fileExists(atPath: directory.divergence) {
            do { try directory.removeDivergenceRecord() } catch {
                throw TrainingError("cannot remove the divergence record: \(error)")
            }
        }
        try writeConfig()  // on resume too: --epochs may have changed the total
    }

    /// The images `config` trains on (`--train-limit`), refused when they do not fill one batch.
    static func trainingImages(_ data: TrainingData, config: TrainingConfig) throws -> LabeledImages {
        try checkBatchFits(data, config: config)
        guard let limit = config.data.trainLimit else { return data.train }
        return data.train.subset(0..<min(limit, data.train.count))
    }

    /// Refuses a batch larger than the images `config` trains on, without copying them.
    static func checkBatchFits(_ data: TrainingData, config: TrainingConfig) throws {
        let count = min(config.data.trainLimit ?? data.train.count, data.train.count)
        guard count >= config.optimization.batchSize else {
            throw TrainingError("batch size \(config.optimization.batchSize) exceeds the \(count) training images: give a smaller --batch-size")
        }
    }

    static func meanPixel(_ images: LabeledImages) -> [Float] {
        var mean = [Float](repeating: 0, count: images.imageSize)
        for i in 0..<images.count {
            for j in 0..<images.imageSize { mean[j] += Float(images.pixels[i * images.imageSize + j]) }
        }
        return mean.map { $0 / 255 / Float(images.count) }
    }

    private func writeConfig() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let settings = try JSONSerialization.jsonObject(with: try encoder.encode(config))
        let document: [String: Any] = [
            "settings": settings, "seed": config.optimization.seed,
            "dataset": data.record,
            "program": "swift-cgan", "blas_kernel": BLASRuntime.coreName,
        ]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]),
                             to: directory.config)
    }

    /// The generator samples come from (G's weight average when the run keeps one).
    public var generator: ConditionalGenerator {
        ConditionalGenerator(net: trainer.models.samplingGenerator, config: config, classCount: data.classCount,
                             imageSize: trainer.models.imageSize)
    }

    /// Writes samples/epoch-NNN.png from the fixed noise.
    public func writeSampleGrid(epoch: Int) throws -> String {
        let images = try generator.images(noise: fixedNoise, labels: fixedLabels, seed: config.optimization.seed &+ SeedStream.sampleGridDrawing)
        let path = directory.sampleGrid(epoch: epoch)
        try ImageGrid.writePNG(images, columns: 10, channels: config.data.channels, to: path)
        return path
    }

    private func saveCheckpoint(to path: String, wall: Double) throws {
        var metadata = checkpointMetadata
        metadata["wall_s"] = String(wall)
        try Checkpoint.save(trainer, position: position, extra: metadata, to: path)
    }

    /// Another hook at each epoch's end, after `onEpochEnd`: returns extra metadata for the checkpoint.
    public func addEpochEndHook(_ hook: @escaping (Int, ConditionalGenerator) throws -> [String: String]) {
        epochEndHooks.append(hook)
    }

    /// Ends the run, reporting `line`: from an epoch-end hook, after that epoch's checkpoint is saved; before
    /// `run`, at once. A later `--resume` goes on to the configured epochs.
    public func finishEarly(_ line: String) { earlyFinish = line }

    /// Seconds of training so far, over all sessions of a resumed run (what checkpoints record as wall_s).
    public var trainingSeconds: Double { wallOffset + Date().timeIntervalSince(runStart) }

    /// Trains until `config.optimization.epochs` epochs are done, a hook finishes early, Ctrl-C, or a
    /// non-finite loss.
    public func run(report: (TrainingEvent) -> Void) throws {
        let log = try MetricsLog(path: directory.metrics, resumingAt: position.step > 0 ? position.step : nil)
        let perEpoch = sampler.batchesPerEpoch
        let totalSteps = perEpoch * config.optimization.epochs
        runStart = Date()
        var wall: Double { trainingSeconds }
        // Rows fall every `logEvery` batches of an epoch; a run resumed mid-epoch keeps that rhythm, its first
        // row averaging only the steps since the resume (`summed`).
        var sum = StepStatistics(), count = position.batch % max(logEvery, 1), summed = 0, intervalStart = Date()
        Interruption.install()
        if let earlyFinish {
            report(.message(earlyFinish))
            return
        }
        if position.epoch >= config.optimization.epochs {
            let epochs = config.optimization.epochs
            report(.message("\(directory.path) has trained its \(epochs) epoch\(epochs == 1 ? "" : "s"): nothing to train (a larger --epochs continues it)"))
        } else if position.step > 0 {
            report(.message("resuming at epoch \(position.epoch + 1), batch \(position.batch + 1) (step \(position.step))"))
        }
        while position.epoch < config.optimization.epochs {
            while position.batch < perEpoch {
                let (epoch, batch) = (position.epoch, position.batch)
                let s = trainer.run(step: position.step) { x, y in
                    sampler.fill(epoch: epoch, batch: batch, images: x, labels: y)
                }
                guard s.isFinite else {
                    let saved = FileManager.default.fileExists(atPath: directory.latestCheckpoint)
                    let kept = saved ? "the last good checkpoint is \(directory.latestCheckpoint)" : "no checkpoint was saved (diverged in its first epoch)"
                    // Recorded, so that tools report the run as diverged instead of training it again; a record that
                    // cannot be written is said, and must not hide why training stopped.
                    let lastCheckpoint = saved ? (try? Checkpoint(path: directory.latestCheckpoint))?.position : nil
                    var unrecorded = ""
                    do {
                        try Divergence(step: position.step + 1, epoch: position.epoch + 1, discriminatorLoss: s.discriminatorLoss,
                                       generatorLoss: s.generatorLoss, lastCheckpoint: lastCheckpoint).write(to: directory)
                    } catch {
                        unrecorded = "; the record of it was not written (\(error))"
                    }
                    // The losses up to here, drawn: what one looks at a diverged run for.
                    if let plot = try? directory.drawLossPlot() { try? AtomicFile.write(plot, to: directory.lossPlot) }
                    throw TrainingError("step \(position.step + 1): loss is not finite (D \(s.discriminatorLoss), G \(s.generatorLoss)); "
                                        + "stopped; " + kept + unrecorded, exitCode: Divergence.exitCode)
                }
                position.step += 1
                position.batch += 1
                sum.discriminatorLoss += s.discriminatorLoss; sum.generatorLoss += s.generatorLoss
                sum.realScore += s.realScore; sum.fakeScore += s.fakeScore
                (sum.learningRate, sum.momentum) = (s.learningRate, s.momentum)
                count += 1; summed += 1
                if count == logEvery || position.batch == perEpoch {
                    let n = Double(summed), seconds = Date().timeIntervalSince(intervalStart)
                    var p = TrainingProgress()
                    p.step = position.step; p.totalSteps = totalSteps; p.epoch = epoch; p.epochs = config.optimization.epochs
                    p.batch = position.batch; p.batchesPerEpoch = perEpoch
                    p.statistics = StepStatistics(discriminatorLoss: sum.discriminatorLoss / n, generatorLoss: sum.generatorLoss / n,
                                                  realScore: sum.realScore / n, fakeScore: sum.fakeScore / n,
                                                  learningRate: sum.learningRate, momentum: sum.momentum)
                    p.imagesPerSecond = n * Double(config.optimization.batchSize) / max(seconds, 1e-9)
                    p.wallSeconds = wall
                    p.secondsLeft = Double(totalSteps - position.step) * seconds / n
                    try log.append(step: p.step, epoch: Double(epoch) + Double(p.batch) / Double(perEpoch), stats: p.statistics,
                               imagesPerSecond: p.imagesPerSecond, wallSeconds: p.wallSeconds)
                    report(.progress(p))
                    sum = StepStatistics(); count = 0; summed = 0; intervalStart = Date()
                }
                // At an epoch's last step the epoch's end saves instead (a checkpoint is taken at batch 0 of the next).
                if Interruption.requested && position.batch < perEpoch {
                    Interruption.reset()
                    trainer.refreshAverageStatistics(seed: config.optimization.seed &+ SeedStream.averageStatistics &+ UInt64(position.step))
                    try saveCheckpoint(to: directory.latestCheckpoint, wall: wall)
                    throw TrainingError("interrupted at step \(position.step); saved \(directory.latestCheckpoint); "
                                        + "continue with --resume", exitCode: 130)
                }
            }
            let finished = position.epoch + 1
            position.epoch += 1
            position.batch = 0
            trainer.refreshAverageStatistics(seed: config.optimization.seed &+ SeedStream.averageStatistics &+ UInt64(position.step))
            let grid = finished % sampleEvery == 0 || finished == config.optimization.epochs ? try writeSampleGrid(epoch: finished) : nil
            var metadata: [String: String] = [:]
            var best = false
            if let onEpochEnd {
                (best, metadata) = try onEpochEnd(finished, generator)
            }
            for hook in epochEndHooks {
                metadata.merge(try hook(finished, generator)) { $1 }
            }
            checkpointMetadata.merge(metadata) { $1 }
            try saveCheckpoint(to: directory.latestCheckpoint, wall: wall)
            if best { try saveCheckpoint(to: directory.bestCheckpoint, wall: wall) }
            if keepEvery > 0 && finished % keepEvery == 0 {
                try saveCheckpoint(to: directory.epochCheckpoint(finished), wall: wall)
            }
            report(.message("epoch \(finished)/\(config.optimization.epochs) done" + (grid.map { ": samples \($0)" } ?? "")
                            + ", checkpoint \(directory.latestCheckpoint)" + (best ? " (best so far)" : "")))
            if let earlyFinish {
                report(.message(earlyFinish))
                Interruption.reset()
                break
            }
            if Interruption.requested && position.epoch < config.optimization.epochs {
                Interruption.reset()
                throw TrainingError("interrupted after epoch \(finished); saved \(directory.latestCheckpoint); "
                                    + "continue with --resume", exitCode: 130)
            }
        }
        if Interruption.requested {
            // Trained to the end, but the last epoch's scoring was cut short: say so, and leave no request behind
            // for a later run in this process.
            Interruption.reset()
            report(.message("interrupted during the last epoch's scoring: the run is trained and saved, but its last "
                            + "validation or quality row may be missing (cgan evaluate scores the checkpoint)"))
        }
        if let gif = try writeProgressAnimation(report: { report(.message($0)) }) {
            report(.message("animation of the sample grids: \(gif)"))
        }
        if let plot = try directory.drawLossPlot() {
            try AtomicFile.write(plot, to: directory.lossPlot)
            report(.message("losses: \(directory.lossPlot) (blue D loss, orange G loss, green D(x), red D(G(z)))"))
        }
    }

    /// samples/progress.gif from the grids this run writes (samples/epoch-NNN.png for its epochs, of the size
    /// it writes them); nil when there is none. Another file there, or one that cannot be read, is left out
    /// with a line to `report`: the animation never fails the run.
    public func writeProgressAnimation(report: (String) -> Void = { _ in }) throws -> String? {
        let side = config.data.imageSize, channels = config.data.channels
        let probe = ImageGrid.size(count: fixedLabels.count, columns: 10, side: side)
        var frames: [[UInt8]] = []
        for epoch in 1...max(completedEpochs, 1) {
            let path = directory.sampleGrid(epoch: epoch)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let grid = channels == 3 ? try PNGImage.readRGB(path, maximumPixels: probe.width * probe.height)
                    : try PNGImage.readGray(path, maximumPixels: probe.width * probe.height)
                guard grid.width == probe.width, grid.height == probe.height else {
                    report("\(path): \(grid.width)x\(grid.height), not a grid of this run (\(probe.width)x\(probe.height)); left out of the animation")
                    continue
                }
                frames.append(grid.pixels)
            } catch {
                report("\(error); left out of the animation")
            }
        }
        guard !frames.isEmpty else { return nil }
        try AnimatedGIF.write(frames: frames, width: probe.width, height: probe.height, channels: channels, to: directory.progressAnimation)
        return directory.progressAnimation
    }
}

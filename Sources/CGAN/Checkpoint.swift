import Datasets
import Files
import Foundation
import NN

/// A training run's full state in one safetensors file: both nets ("G.*", "D.*"), both optimisers'
/// moments ("optG.*", "optD.*"), and as metadata the config, position and random generator states.
/// Enough to sample from, and to resume a run bit for bit.
public struct Checkpoint {
    /// Format 2 stores vectors with their own shape ([n], as PyTorch does); format 1 stored them [1, n].
    public static let formatVersion = "swift-cgan/2"
    static let readableVersions: Set<String> = ["swift-cgan/1", formatVersion]

    /// Where the run stands: completed steps, and the epoch and batch the next step reads.
    public struct Position: Codable, Sendable, Equatable {
        public var step = 0, epoch = 0, batch = 0
        public init(step: Int = 0, epoch: Int = 0, batch: Int = 0) { self.step = step; self.epoch = epoch; self.batch = batch }
    }

    /// A checkpoint that cannot be written or read, reported as one line.
    public struct CheckpointError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `trainer`'s state atomically (temporary file, then rename). Refuses non-finite weights.
    public static func save(_ trainer: TrainingStep, position: Position, extra: [String: String] = [:], to path: String) throws {
        let (tensors, state) = trainer.state
        for (name, t) in tensors where !t.values.buffer.allSatisfy({ $0.isFinite }) {
            throw CheckpointError(description: "\(path): not written: \(name) holds NaN or infinity")
        }
        var metadata = extra.merging(state) { $1 }
        metadata["format"] = formatVersion
        metadata["arch"] = trainer.config.architecture.rawValue
        metadata["classes"] = String(trainer.classCount)
        // Sorted: Swift seeds its hashing per process, so unsorted keys would make two runs' files differ.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        metadata["config"] = String(decoding: try encoder.encode(trainer.config), as: UTF8.self)
        metadata["position"] = String(decoding: try encoder.encode(position), as: UTF8.self)
        try AtomicFile.write(SafeTensors.encode(tensors, metadata: metadata), to: path)
    }

    public let path: String
    public let contents: SafeTensors.Contents
    public let config: TrainingConfig
    public let position: Position
    public let classCount: Int

    /// Reads a checkpoint and checks its format, config and position before anything is built from them;
    /// tensors are checked by name and shape when loaded (`tensors`).
    public init(path: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path) } catch let e as SafeTensors.FormatError {
            throw CheckpointError(description: e.description)
        }
        try self.init(contents: contents, path: path)
    }

    /// Checks decoded file contents as `init(path:)` does; `path` names the file in errors.
    public init(contents: SafeTensors.Contents, path: String) throws {
        let m = contents.metadata
        func fail(_ problem: String) -> CheckpointError { CheckpointError(description: "\(path): \(problem)") }
        guard let format = m["format"], Self.readableVersions.contains(format) else {
            throw fail("not a swift-cgan checkpoint (format \(m["format"] ?? "missing"))")
        }
        guard let configJSON = m["config"], let config = TrainingConfig.decode(Data(configJSON.utf8)),
              let positionJSON = m["position"], let position = try? JSONDecoder().decode(Position.self, from: Data(positionJSON.utf8)) else {
            throw fail("checkpoint metadata is missing or unreadable")
        }
        guard m["arch"] == config.architecture.rawValue else {
            throw fail("arch \(m["arch"] ?? "?") disagrees with its config (\(config.architecture.rawValue))")
        }
        guard let classes = Int(m["classes"] ?? ""), (2...TrainingConfig.maximumClassCount).contains(classes) else {
            throw fail("class count \(m["classes"] ?? "missing") is not in 2...\(TrainingConfig.maximumClassCount)")
        }
        if let problem = config.problem { throw fail("config: \(problem)") }
        if let names = config.data.classNames, names.count != classes {
            throw fail("its config names \(names.count) classes but the model has \(classes)")
        }
        // What the tensors hold, before a model is built from the config: a header that asks for a huge
        // model without the weights to fill it is refused here, not after gigabytes are allocated.
        let needed = GANModels.generatorWeightLowerBound(config: config, classCount: classes)
        for prefix in ["G"] + (config.additions.generatorAverageDecay > 0 ? ["avgG"] : []) {
            let held = contents.tensors.filter { $0.key.hasPrefix(prefix + ".") }.reduce(0) { $0 + $1.value.values.count }
            guard held > 0 else { throw fail("holds no generator tensors (\(prefix).*): not a checkpoint of a trained model") }
            guard held >= needed else {
                throw fail("its config asks for a generator of at least \(needed) weights but its \(prefix).* tensors hold \(held) values")
            }
        }
        for (name, tensor) in contents.tensors where name.hasSuffix("running_var") {
            if tensor.values.buffer.contains(where: { $0 < 0 }) {
                throw fail("tensor \(name) holds a negative variance")
            }
        }
        guard position.step >= 0, position.epoch >= 0, position.batch >= 0, position.epoch <= config.optimization.epochs else {
            throw fail("position \(positionJSON) is impossible")
        }
        self.classCount = classes
        self.path = path
        self.contents = contents
        self.config = config
        self.position = position
    }

    /// The checkpoint's tensors, ready to load strictly into modules and optimisers.
    public var tensors: StateDict {
        var d = StateDict(contents.tensors, file: path)
        d.acceptsRowVectors = contents.metadata["format"] == "swift-cgan/1"
        return d
    }

    /// Restores everything a resumed run needs into `trainer` (built from this checkpoint's config).
    public func restore(into trainer: TrainingStep) throws {
        var t = tensors
        try trainer.restore(from: &t, metadata: contents.metadata)
    }
}

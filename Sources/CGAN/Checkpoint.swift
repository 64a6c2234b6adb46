import Datasets
import Foundation
import NN

/// A training run's full state in one safetensors file: both nets ("G.*", "D.*"), both optimisers'
/// moments ("optG.*", "optD.*"), and as metadata the config, position and random generator states.
/// Enough to sample from, and to resume a run bit for bit.
public struct Checkpoint {
    public static let formatVersion = "swift-cgan/1"

    /// Where the run stands: completed steps, and the epoch and batch the next step reads.
    public struct Position: Codable, Sendable, Equatable {
        public var step = 0, epoch = 0, batch = 0
        public init(step: Int = 0, epoch: Int = 0, batch: Int = 0) { self.step = step; self.epoch = epoch; self.batch = batch }
    }

    /// A problem with a checkpoint, reported as one line.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `trainer`'s state atomically (temporary file, then rename). Refuses non-finite weights.
    public static func save(_ trainer: TrainingStep, position: Position, extra: [String: String] = [:], to path: String) throws {
        var tensors: [(name: String, value: Matrix)] = []
        for (prefix, module) in [("G", trainer.models.generator), ("D", trainer.models.discriminator)] as [(String, Module)] {
            for (name, p) in module.namedParameters {
                guard p.value.buffer.allSatisfy({ $0.isFinite }) else {
                    throw LoadError(description: "\(path): not written: \(prefix).\(name) holds NaN or infinity")
                }
                tensors.append(("\(prefix).\(name)", p.value))
            }
        }
        tensors += trainer.generatorOptimizer.namedState.map { ("optG.\($0.name)", $0.value) }
        tensors += trainer.discriminatorOptimizer.namedState.map { ("optD.\($0.name)", $0.value) }
        let json = String(decoding: try JSONEncoder().encode(trainer.config), as: UTF8.self)
        func words(_ r: RandomGenerator) -> String { r.state.map(String.init).joined(separator: ",") }
        var metadata = extra
        metadata["format"] = formatVersion
        metadata["arch"] = trainer.config.architecture.rawValue
        metadata["classes"] = String(trainer.classCount)
        metadata["config"] = json
        metadata["position"] = String(decoding: try JSONEncoder().encode(position), as: UTF8.self)
        metadata["optG.steps"] = String(trainer.generatorOptimizer.stepCount)
        metadata["optD.steps"] = String(trainer.discriminatorOptimizer.stepCount)
        metadata["rng.noise"] = words(trainer.rng)
        metadata["rng.G"] = words(trainer.models.generator.rng)
        metadata["rng.D"] = words(trainer.models.discriminator.rng)
        try AtomicFile.write(SafeTensors.encode(tensors, metadata: metadata), to: path)
    }

    public let path: String
    public let contents: SafeTensors.Contents
    public let config: TrainingConfig
    public let position: Position
    public let classCount: Int

    /// Reads and checks a checkpoint's format and config; tensors are checked when applied.
    public init(path: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path) } catch let e as SafeTensors.FormatError {
            throw LoadError(description: e.description)
        }
        let m = contents.metadata
        guard m["format"] == Self.formatVersion else {
            throw LoadError(description: "\(path): not a swift-cgan checkpoint (format \(m["format"] ?? "missing"))")
        }
        guard let configJSON = m["config"], let config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(configJSON.utf8)),
              let positionJSON = m["position"], let position = try? JSONDecoder().decode(Position.self, from: Data(positionJSON.utf8)) else {
            throw LoadError(description: "\(path): checkpoint metadata is missing or unreadable")
        }
        guard m["arch"] == config.architecture.rawValue else {
            throw LoadError(description: "\(path): arch \(m["arch"] ?? "?") disagrees with its config (\(config.architecture.rawValue))")
        }
        guard let classes = Int(m["classes"] ?? ""), classes > 1 else {
            throw LoadError(description: "\(path): checkpoint does not say how many classes it has")
        }
        self.classCount = classes
        self.path = path
        self.contents = contents
        self.config = config
        self.position = position
    }

    /// Copies the tensors named `prefix.*` into `module`, checking that names and shapes match exactly.
    public func load(_ module: Module, prefix: String) throws {
        for (name, p) in module.namedParameters {
            try copy("\(prefix).\(name)", into: p.value)
        }
    }

    func copy(_ name: String, into target: Matrix) throws {
        guard let t = contents.tensors[name] else {
            throw LoadError(description: "\(path): tensor \(name) is missing (wrong architecture?)")
        }
        guard t.rows == target.rows, t.cols == target.cols else {
            throw LoadError(description: "\(path): tensor \(name) has shape \(t.shape), expected \(target.shape)")
        }
        target.copy(from: t)
    }

    /// Restores everything a resumed run needs into `trainer` (built from this checkpoint's config).
    public func restore(into trainer: TrainingStep) throws {
        try load(trainer.models.generator, prefix: "G")
        try load(trainer.models.discriminator, prefix: "D")
        for (name, value) in trainer.generatorOptimizer.namedState { try copy("optG.\(name)", into: value) }
        for (name, value) in trainer.discriminatorOptimizer.namedState { try copy("optD.\(name)", into: value) }
        let m = contents.metadata
        func state(_ key: String) throws -> [UInt64] {
            let words = (m[key] ?? "").split(separator: ",").compactMap { UInt64($0) }
            guard words.count == 4, words != [0, 0, 0, 0] else { throw LoadError(description: "\(path): bad \(key) state") }
            return words
        }
        trainer.rng.restore(try state("rng.noise"))
        trainer.models.generator.rng.restore(try state("rng.G"))
        trainer.models.discriminator.rng.restore(try state("rng.D"))
        trainer.generatorOptimizer.stepCount = Int(m["optG.steps"] ?? "") ?? position.step
        trainer.discriminatorOptimizer.stepCount = Int(m["optD.steps"] ?? "") ?? position.step
        trainer.restore(stepCount: position.step)
    }
}

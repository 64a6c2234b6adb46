import Foundation
import XCTest
import CGAN
import Datasets
import NN
import TestSupport

/// A small, fast config: `limit` training images, `batch` per step.
func smallConfig(_ arch: Architecture, epochs: Int, limit: Int = 1000, batch: Int = 50) -> TrainingConfig {
    var c = TrainingConfig(architecture: arch)
    c.epochs = epochs
    c.trainLimit = limit
    c.batchSize = batch
    c.seed = 7
    return c
}

/// Trains and returns the run; `report` collects progress.
@discardableResult
func train(_ config: TrainingConfig, in directory: String, resume: Bool = false, epochs: Int? = nil,
           logEvery: Int = 5, progress: inout [TrainingProgress]) throws -> TrainingRun {
    let run = try TrainingRun(config: config, data: try RealMNIST.require(), directory: RunDirectory(directory),
                              resume: resume, epochs: epochs)
    run.logEvery = logEvery
    var collected: [TrainingProgress] = []
    try run.run { if case .progress(let p) = $0 { collected.append(p) } }
    progress += collected
    return run
}

func train(_ config: TrainingConfig, in directory: String, resume: Bool = false, epochs: Int? = nil) throws {
    var ignored: [TrainingProgress] = []
    try train(config, in: directory, resume: resume, epochs: epochs, progress: &ignored)
}

/// Every tensor of a checkpoint file, as exact bit patterns.
func tensorBits(_ path: String) throws -> [String: [UInt32]] {
    try SafeTensors.read(path).tensors.mapValues { $0.values.array.map(\.bitPattern) }
}

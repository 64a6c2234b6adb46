import Foundation
import XCTest
import CGAN
import Datasets
import NN
import TestSupport

/// A small, fast config on the synthetic data set: `limit` training images, `batch` per step.
func smallConfig(_ arch: Architecture, epochs: Int, limit: Int = 1000, batch: Int = 50, reference: Bool = false) -> TrainingConfig {
    var c = reference ? TrainingConfig(reference: arch) : TrainingConfig(architecture: arch)
    c.optimization.epochs = epochs
    c.data.trainLimit = limit
    c.optimization.batchSize = batch
    c.optimization.seed = 7
    c.compute.threads = 1
    c.data.dataset = SyntheticDataset.name
    return c
}

/// Trains and returns the run; `report` collects progress.
@discardableResult
func train(_ config: TrainingConfig, in directory: String, resume: Bool = false, epochs: Int? = nil,
           logEvery: Int = 5, keepEvery: Int = 0, progress: inout [TrainingProgress]) throws -> TrainingRun {
    let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(directory),
                              resume: resume, epochs: epochs)
    run.logEvery = logEvery
    run.keepEvery = keepEvery
    var collected: [TrainingProgress] = []
    try run.run { if case .progress(let p) = $0 { collected.append(p) } }
    progress += collected
    return run
}

func train(_ config: TrainingConfig, in directory: String, resume: Bool = false, epochs: Int? = nil, keepEvery: Int = 0) throws {
    var ignored: [TrainingProgress] = []
    try train(config, in: directory, resume: resume, epochs: epochs, keepEvery: keepEvery, progress: &ignored)
}

/// Every tensor of a checkpoint file, as exact bit patterns.
func tensorBits(_ path: String) throws -> [String: [UInt32]] {
    try SafeTensors.read(path).tensors.mapValues { $0.values.array.map(\.bitPattern) }
}

// MARK: The cgan program

/// Runs `cgan` with `arguments`; `whileRunning` gets the process right after it starts.
func runCGAN(_ arguments: [String], whileRunning: (Process) -> Void = { _ in }) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try cganProgram())
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // A command that should have ended (a server that starts listening where it should refuse) is killed
    // after 10 minutes, so the test fails instead of hanging the suite.
    let watchdog = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
    DispatchQueue.global().asyncAfter(deadline: .now() + 600, execute: watchdog)
    defer { watchdog.cancel() }
    whileRunning(p)
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Asserts that `cgan arguments` exits non-zero with one line on stderr containing `fragment`.
func assertOneLineError(_ arguments: [String], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let r = try runCGAN(arguments)
    XCTAssertNotEqual(r.status, 0, file: file, line: line)
    let lines = r.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, "stderr: \(r.stderr)", file: file, line: line)
    XCTAssertTrue(r.stderr.contains(fragment), "stderr: \(r.stderr)", file: file, line: line)
}

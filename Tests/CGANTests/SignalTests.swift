import CGAN
import Datasets
import Evaluation
import Files
import Foundation
import Media
import TestSupport
import XCTest

/// Signals stop the program without losing work or leaving temporaries, and an ignored SIGHUP (nohup)
/// stays ignored.
final class SignalTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// Starts `cgan arguments` (through `nohup` when asked), its output in files.
    func start(_ arguments: [String], nohup: Bool = false, in directory: String) throws -> Process {
        let p = Process()
        let program = try cganProgram()
        p.executableURL = URL(fileURLWithPath: nohup ? "/usr/bin/nohup" : program)
        p.arguments = (nohup ? [program] : []) + arguments
        FileManager.default.createFile(atPath: directory + "/stderr", contents: nil)
        p.standardError = FileHandle(forWritingAtPath: directory + "/stderr")
        p.standardOutput = FileHandle.nullDevice
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        try p.run()
        return p
    }

    /// Waits until `condition` holds, up to `seconds`.
    func wait(_ seconds: Double, for condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if condition() { return true }; usleep(50_000) }
        return condition()
    }

    func testSIGHUPIgnoredAtStartStaysIgnoredAndSIGINTStillSaves() throws {
        let dir = temporaryDirectory(self)
        let p = try start(["train", "--arch", "mlp", "--epochs", "50", "--train-limit", "2000", "--eval-every", "0",
                           "--out", dir + "/run"] + (try SyntheticData.arguments()) + ["--log-every", "1"], nohup: true, in: dir)
        XCTAssertTrue(wait(120) { FileManager.default.fileExists(atPath: dir + "/run/metrics.csv") && (try? CSVTable(path: dir + "/run/metrics.csv").rows.count) ?? 0 > 0 })
        kill(p.processIdentifier, SIGHUP)
        usleep(500_000)
        XCTAssertTrue(p.isRunning, "SIGHUP stopped a run started under nohup")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir + "/run").latestCheckpoint))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run/" + DirectoryLock.fileName))
    }

    func testSIGTERMDuringALargeExportLeavesNoTemporary() throws {
        let dir = temporaryDirectory(self)
        try train(smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), in: dir + "/run")
        let p = try start(["sample", "--checkpoint", RunDirectory(dir + "/run").latestCheckpoint, "--per-class", "10000",
                           "--format", "npy", "--out", dir + "/out/s"], in: dir)
        let temporary = dir + "/out/.s-images.npy.tmp-\(p.processIdentifier)"
        _ = wait(60) { FileManager.default.fileExists(atPath: temporary) || !p.isRunning }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? []
        XCTAssertFalse(left.contains { $0.contains(".tmp-") }, "left: \(left)")
        if p.terminationReason == .uncaughtSignal { XCTAssertEqual(p.terminationStatus, SIGTERM) }
    }

    func testACtrlCDuringTheEpochEndStopsThere() throws {
        let dir = temporaryDirectory(self) + "/run"
        let config = smallConfig(.mlp, epochs: 3, limit: 100, batch: 50)
        let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: RunDirectory(dir), resume: false)
        // Ctrl-C while the epoch's end is being handled (as during its evaluation).
        run.onEpochEnd = { _, _ in Interruption.request(); return (false, [:]) }
        XCTAssertThrowsError(try run.run { _ in }) { error in
            XCTAssertEqual((error as? TrainingError)?.exitCode, 130)
            XCTAssertTrue("\(error)".contains("interrupted after epoch 1"), "\(error)")
        }
        XCTAssertFalse(Interruption.requested)
        XCTAssertEqual(try Checkpoint(path: RunDirectory(dir).latestCheckpoint).position, Checkpoint.Position(step: 2, epoch: 1, batch: 0))
        _ = run
    }

    func testValidationStopsWhenCancelled() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), in: dir)
        let generator = try ConditionalGenerator(checkpoint: RunDirectory(dir).latestCheckpoint)
        let evaluator = GeneratorEvaluator(data: data) { XCTFail("no classifier is needed"); throw CancellationError() }
        evaluator.samplesPerClass = 20
        var checks = 0
        evaluator.isCancelled = { checks += 1; return checks > 1 }
        XCTAssertThrowsError(try evaluator.validate(generator, dropout: false)) { XCTAssertTrue($0 is GeneratorEvaluator.Interrupted, "\($0)") }
        evaluator.isCancelled = { false }
        XCTAssertNoThrow(try evaluator.validate(generator, dropout: false))
    }
}

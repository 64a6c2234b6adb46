import CGAN
import Datasets
import Files
import Foundation
import Media
import NN
import TestSupport
import XCTest

/// A run directory is never wiped, shared or replaced by mistake: each case ends in one line, a non-zero
/// exit and every file as it was.
final class RunSafetyTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// A tiny trained run of `epochs` epochs keeping every epoch's checkpoint; returns its directory.
    func tinyRun(_ arch: Architecture = .mlp, epochs: Int = 1, keepEvery: Int = 0) throws -> String {
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(arch, epochs: epochs, limit: 100, batch: 50), in: dir, keepEvery: keepEvery)
        return dir
    }

    /// Every file under `directory` (relative paths) with its bytes.
    func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: directory)! {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[name] = FileManager.default.contents(atPath: directory + "/" + name) }
        }
        return files
    }

    func testARunWithoutItsLatestCheckpointIsNotStartedAgainOverItsWork() throws {
        let dir = try tinyRun(epochs: 2, keepEvery: 1)
        let run = RunDirectory(dir)
        try FileManager.default.copyItem(atPath: run.latestCheckpoint, toPath: run.bestCheckpoint)
        try FileManager.default.removeItem(atPath: run.latestCheckpoint)
        let before = snapshot(dir)
        for resume in [false, true] {
            assertOneLineError(TrainingError.self, "without checkpoints/latest.safetensors but with best.safetensors, epoch-001.safetensors, epoch-002.safetensors") {
                _ = try TrainingRun(config: smallConfig(.mlp, epochs: 2, limit: 100, batch: 50), data: try SyntheticData.load(),
                                    directory: run, resume: resume)
            }
            try assertOneLineError(["train", "--out", dir] + (try SyntheticData.arguments()) + (resume ? ["--resume"] : []),
                                   contains: "refusing to start it again")
        }
        XCTAssertEqual(snapshot(dir), before, "the run's files changed")
        // The way out the message names: a checkpoint copied to latest resumes.
        try FileManager.default.copyItem(atPath: run.epochCheckpoint(2), toPath: run.latestCheckpoint)
        XCTAssertNoThrow(try TrainingRun(config: smallConfig(.mlp, epochs: 2, limit: 100, batch: 50), data: try SyntheticData.load(),
                                         directory: run, resume: true))
    }

    func testARunStoppedInItsFirstEpochStillStartsAgain() throws {
        let dir = temporaryDirectory(self) + "/run"
        let run = RunDirectory(dir)
        try FileManager.default.createDirectory(atPath: run.checkpoints, withIntermediateDirectories: true)
        try AtomicFile.write("{}", to: run.config)
        try AtomicFile.write(MetricsLog.header + "\n5,0.5000,1,1,0.5,0.5,0.1,0.5,100,1\n", to: run.metrics)
        XCTAssertTrue(run.workToKeep.isEmpty, "\(run.workToKeep)")
        var messages: [String] = []
        _ = try TrainingRun(config: smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), data: try SyntheticData.load(),
                            directory: run, resume: false) { messages.append($0) }
        XCTAssertTrue(messages.contains { $0.contains("starting it again") }, "\(messages)")
    }

    func testASecondWriterOfARunIsRefusedWithTheFirstOnesPID() throws {
        let dir = try tinyRun(epochs: 1)
        let run = RunDirectory(dir)
        let before = snapshot(dir)
        let lock = try DirectoryLock(dir, holder: "another cgan train")
        for extra in [[], ["--resume", "--epochs", "2"]] {
            try assertOneLineError(["train", "--out", dir] + (try SyntheticData.arguments()) + extra, contains: "(pid \(getpid()))")
        }
        assertOneLineError(TrainingError.self, "is in use by another cgan train") {
            _ = try TrainingRun(config: smallConfig(.mlp, epochs: 2, limit: 100, batch: 50), data: try SyntheticData.load(),
                                directory: run, resume: true, epochs: 2)
        }
        XCTAssertEqual(snapshot(dir).filter { $0.key != DirectoryLock.fileName }, before)
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + DirectoryLock.fileName), "the lock file stays behind")
        // A run holds the lock while it lives, and gives it back when it ends.
        let first = try TrainingRun(config: smallConfig(.mlp, epochs: 2, limit: 100, batch: 50), data: try SyntheticData.load(),
                                    directory: run, resume: true, epochs: 2)
        XCTAssertThrowsError(try DirectoryLock(dir))
        _ = first
    }

    func testTheRootAndAnEmptyNameAreRefusedAsOutputs() throws {
        for out in ["", "/", "//", "/.", "/tmp/.."] {
            try assertOneLineError(["train", "--out", out] + (try SyntheticData.arguments()) + ["--epochs", "1", "--train-limit", "100"],
                                   contains: out.isEmpty ? "empty" : "root directory")
            try assertOneLineError(["experiment", "width", "--out", out, "--print-commands"], contains: "--out")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/config.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/runs"))
    }

    func testAnOutputThatIsTheInputIsRefused() throws {
        let checkpoint = RunDirectory(try tinyRun()).latestCheckpoint
        let dir = temporaryDirectory(self)
        let hardLink = dir + "/same.safetensors"
        XCTAssertEqual(link(checkpoint, hardLink), 0)
        let before = FileManager.default.contents(atPath: checkpoint)
        for out in [checkpoint, hardLink] {
            try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "1", "--out", out], contains: "the input")
            try assertOneLineError(["export", "--checkpoint", checkpoint, "--out", out], contains: "the input")
            try assertOneLineError(["evaluate", "--checkpoint", checkpoint, "--out", out], contains: "the input")
        }
        let control = try runCGAN(["sample", "--checkpoint", hardLink, "--label", "1", "--out", dir + "/other.png"])
        XCTAssertEqual(control.status, 0, control.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: checkpoint), before)
    }

    func testFoundationsTemporariesAreRemovedWhenTrainingStartsAgain() throws {
        let dir = try tinyRun(epochs: 1)
        let run = RunDirectory(dir)
        let stale = run.checkpoints + "/.dat.nosyncAB12.Cd34Ef"
        FileManager.default.createFile(atPath: stale, contents: Data(count: 1000))
        var messages: [String] = []
        _ = try TrainingRun(config: smallConfig(.mlp, epochs: 2, limit: 100, batch: 50), data: try SyntheticData.load(),
                            directory: run, resume: true, epochs: 2) { messages.append($0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertTrue(messages.contains { $0.contains(".dat.nosyncAB12.Cd34Ef") }, "\(messages)")
    }

    func testResumingToATotalBelowThePositionIsRefused() throws {
        let dir = try tinyRun(epochs: 2)
        let config = FileManager.default.contents(atPath: RunDirectory(dir).config)
        try assertOneLineError(["train", "--out", dir, "--resume", "--epochs", "1"] + (try SyntheticData.arguments()),
                               contains: "below the 2 epochs")
        XCTAssertEqual(FileManager.default.contents(atPath: RunDirectory(dir).config), config, "config.json was rewritten")
    }

    func testAnUnreadableByteInTheLogsKeepsEveryOtherRowOnResume() throws {
        let dir = temporaryDirectory(self) + "/run"
        var ignored: [TrainingProgress] = []
        try train(smallConfig(.mlp, epochs: 1, limit: 200, batch: 50), in: dir, logEvery: 1, progress: &ignored)
        let run = RunDirectory(dir)
        var bytes = [UInt8](FileManager.default.contents(atPath: run.metrics)!)
        let rowsBefore = bytes.filter { $0 == 0x0A }.count - 1
        XCTAssertEqual(rowsBefore, 4)
        bytes.insert(0xFF, at: bytes.count - 2)  // inside the last row's last field
        write(bytes, run.metrics)
        try train(smallConfig(.mlp, epochs: 1, limit: 200, batch: 50), in: dir, resume: true, epochs: 2)
        let rows = try CSVTable(path: run.metrics).column("step")
        XCTAssertEqual(Array(rows.prefix(4)), [1, 2, 3, 4], "earlier rows were dropped")
        XCTAssertEqual(rows.count, 5, "the second epoch logs one row (every 5 steps)")
    }

    func testTheAnimationReadsOnlyTheRunsOwnGrids() throws {
        let dir = temporaryDirectory(self) + "/run"
        let run = try TrainingRun(config: smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), data: try SyntheticData.load(),
                                  directory: RunDirectory(dir), resume: false)
        // A header that claims 1M x 1M pixels, a file that is no PNG at all, and one at the wrong size.
        write(Self.pngHeader(width: 1_000_000, height: 1_000_000), RunDirectory(dir).sampleGrid(epoch: 7))
        var messages: [String] = []
        try run.run { if case .message(let m) = $0 { messages.append(m) } }
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir).progressAnimation))
        write(Self.pngHeader(width: 1_000_000, height: 1_000_000), RunDirectory(dir).sampleGrid(epoch: 1))
        messages = []
        XCTAssertNil(try run.writeProgressAnimation { messages.append($0) })
        XCTAssertTrue(messages.first?.contains("1000000x1000000") ?? false, "\(messages)")
        write(Array("not a png".utf8), RunDirectory(dir).sampleGrid(epoch: 1))
        messages = []
        XCTAssertNil(try run.writeProgressAnimation { messages.append($0) })
        XCTAssertEqual(messages.count, 1)
        XCTAssertThrowsError(try PNGImage.readGray(RunDirectory(dir).sampleGrid(epoch: 7)))
    }

    /// The signature, an IHDR chunk (8-bit gray) and the start of an IDAT chunk, with correct CRCs: enough
    /// for libpng to report the size.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in body {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00])
    }

    /// One-letter names (which Foundation's deletingLastPathComponent traps on) and relative paths are created.
    func testShortAndNestedDirectoryNamesAreCreated() throws {
        let base = temporaryDirectory(self)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(base))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        for path in ["A", "x/y", "z/Q/", base + "/b/c", "/" + String(base.dropFirst()) + "//d"] {
            try DirectoryCreation.create(path)
            var isDirectory: ObjCBool = false
            XCTAssertTrue(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue, path)
        }
    }

    func testAFileWhereADirectoryBelongsIsOneLine() throws {
        let file = temporaryDirectory(self) + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let checkpoint = RunDirectory(try tinyRun()).latestCheckpoint
        try assertOneLineError(["train", "--out", file] + (try SyntheticData.arguments()) + ["--epochs", "1"], contains: "is a file, not a directory")
        try assertOneLineError(["train", "--out", file + "/run"] + (try SyntheticData.arguments()) + ["--epochs", "1"], contains: "is a file, not a directory")
        try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "1", "--out", file + "/x.png"], contains: "is a file, not a directory")
        try assertOneLineError(["train", "--out", temporaryDirectory(self) + "/r", "--data-dir", file], contains: "is a file, not a directory")
        let r = try runCGAN(["data", "fetch"], environment: ["CGAN_DATA_DIR": file])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("is a file, not a directory"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "x")
    }
}

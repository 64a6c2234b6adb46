import CGAN
import Datasets
import Foundation
import Media
import NN
import TestSupport
import XCTest

/// A careless or hostile user: every case ends in one clear line and a non-zero exit (or in correct work),
/// never a crash, a clobbered file or a stuck run directory.
final class HostileInputTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// A tiny trained run; returns its directory.
    func smallRun(_ arch: Architecture = .mlp, epochs: Int = 1) throws -> String {
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(arch, epochs: epochs, limit: 100, batch: 50), in: dir)
        return dir
    }

    /// A copy of checkpoint `source` at `destination` with its metadata changed by `edit` and tensors by `tensors`.
    func rewrite(_ source: String, to destination: String, metadata edit: (inout [String: String]) -> Void = { _ in },
                 tensors change: (inout [String: Tensor]) -> Void = { _ in }) throws {
        var contents = try SafeTensors.read(source)
        edit(&contents.metadata)
        change(&contents.tensors)
        try SafeTensors.encode(contents.tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, metadata: contents.metadata)
            .write(to: URL(fileURLWithPath: destination))
    }

    /// `json` (a checkpoint's grouped config) with `group`'s `key` set to `value`.
    func config(_ json: String, setting group: String, _ key: String, to value: Any) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var settings = object[group] as! [String: Any]
        XCTAssertNotNil(settings[key], "the config has no \(group).\(key)")
        settings[key] = value
        object[group] = settings
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func testOutputsThatAreNotRegularFilesAreRefused() throws {
        let checkpoint = RunDirectory(try smallRun()).latestCheckpoint
        let dir = temporaryDirectory(self)
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o644), 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/target.png", contents: Data("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.png", withDestinationPath: dir + "/target.png")
        for (out, fragment) in [("fifo", "not a regular file"), ("folder", "is a directory"), ("link.png", "symbolic link")] {
            try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "1", "--out", dir + "/" + out], contains: fragment)
            try assertOneLineError(["export", "--checkpoint", checkpoint, "--out", dir + "/" + out], contains: fragment)
            try assertOneLineError(["evaluate", "--checkpoint", checkpoint, "--out", dir + "/" + out], contains: fragment)
        }
        var info = stat()
        XCTAssertEqual(lstat(dir + "/fifo", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO was replaced")
        XCTAssertEqual(try String(contentsOfFile: dir + "/target.png", encoding: .utf8), "keep")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.png"), dir + "/target.png")
        // idx writes two files: both are checked before either is written.
        try FileManager.default.createDirectory(atPath: dir + "/s-labels-idx1-ubyte", withIntermediateDirectories: true)
        try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "1", "--format", "idx", "--out", dir + "/s"],
                               contains: "is a directory")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/s-images-idx3-ubyte"))
    }

    func testCountsAreBounded() throws {
        let checkpoint = RunDirectory(try smallRun()).latestCheckpoint
        let out = temporaryDirectory(self) + "/x.png"
        for count in ["100000000", "9223372036854775807", "0", "-5"] {
            try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "1", "--count=" + count, "--out", out],
                                   contains: "--count")
        }
        try assertOneLineError(["sample", "--checkpoint", checkpoint, "--per-class", "20000", "--out", out], contains: "exceeds")
        try assertOneLineError(["evaluate", "--checkpoint", checkpoint, "--samples-per-class", "100000000"], contains: "--samples-per-class")
        try assertOneLineError(["evaluate", "--checkpoint", checkpoint, "--sigma-count", "1000000000"], contains: "--sigma-count")
        try assertOneLineError(["bench", "--batch-size", "1000000000"], contains: "--batch-size")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testInterpolateWritesAStripOrAGIFAndRefusesBadInput() throws {
        let checkpoint = RunDirectory(try smallRun()).latestCheckpoint
        let dir = temporaryDirectory(self)
        for (file, magic) in [("way.png", [0x89, 0x50, 0x4E, 0x47] as [UInt8]), ("way.gif", Array("GIF8".utf8))] {
            let r = try runCGAN(["interpolate", "--checkpoint", checkpoint, "--label", "2", "--to-label", "5", "--steps", "6",
                                 "--out", dir + "/" + file])
            XCTAssertEqual(r.status, 0, r.stderr)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
            XCTAssertEqual([UInt8](bytes.prefix(4)), magic)
        }
        let strip = try PNGImage.readGray(dir + "/way.png")
        XCTAssertEqual([strip.width, strip.height], [6 * 28 + 7 * 2, 28 + 2 * 2])
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "10", "--out", dir + "/x.png"], contains: "--label \"10\" is outside the class numbers 0...9")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "99999999999999999999999", "--out", dir + "/x.png"],
                               contains: "is outside the class numbers 0...9")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "1.0", "--out", dir + "/x.png"],
                               contains: "--label \"1.0\" is not a class number 0...9")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "1", "--steps", "1", "--out", dir + "/x.png"],
                               contains: "--steps")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "1", "--out", dir + "/x.jpg"], contains: ".gif or .png")
        try FileManager.default.createDirectory(atPath: dir + "/folder.png", withIntermediateDirectories: true)
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "1", "--out", dir + "/folder.png"], contains: "folder.png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
    }

    /// idx and npy exports stream chunk by chunk, and hold exactly what the in-memory export holds.
    func testStreamedExportsMatchInMemoryOnes() throws {
        let g = try ConditionalGenerator(checkpoint: RunDirectory(try smallRun(.mlpBN)).latestCheckpoint)
        g.chunkSize = 300
        let dir = temporaryDirectory(self)
        let labels = (0..<1100).map { $0 % 10 }
        for format in [SampleExport.Format.idx, .npy, .png] {
            let streamed = try SampleExport.write(from: g, labels: labels, seed: 5, dropout: true, format: format,
                                                  to: dir + "/streamed.x", columns: 10)
            let images = g.generate(labels: labels, seed: 5, dropout: true)
            let inMemory = try SampleExport.write(images, labels: labels, format: format, to: dir + "/memory.x", columns: 10)
            for (a, b) in zip(streamed, inMemory) {
                XCTAssertEqual(FileManager.default.contents(atPath: a), FileManager.default.contents(atPath: b), "\(format) \(a)")
            }
        }
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
    }

    func testNumericOptionsAreValidatedAndARefusedRunLeavesNothing() throws {
        let dir = temporaryDirectory(self)
        for (option, value) in [("--lr", "-1"), ("--lr", "nan"), ("--lr", "inf"), ("--g-dropout", "1"), ("--d-max-norm", "-2"),
                                ("--g-init-range", "nan"), ("--momentum-saturate-epochs", "-1"), ("--batch-size", "1000000000"),
                                ("--width", "0"), ("--width", "nan"), ("--g-output-dropout", "1")] {
            try assertOneLineError(["train", option + "=" + value, "--out", dir + "/run", "--data-dir", dir + "/none"], contains: option)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"), "\(option) \(value) left a directory")
        }
        for (arguments, option) in [(["--arch", "dcgan", "--g-dropout", "0.2"], "--g-dropout"), (["--arch", "mlp", "--d-input-dropout", "0.2"], "--d-input-dropout")] {
            try assertOneLineError(["train"] + arguments + ["--out", dir + "/run", "--data-dir", dir + "/none"], contains: option)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"), "\(arguments) left a directory")
        }
    }

    /// Checkpoint metadata that would size huge buffers or trap is refused before anything is built.
    func testCheckpointMetadataIsCheckedBeforeUse() throws {
        let checkpoint = RunDirectory(try smallRun()).latestCheckpoint
        let dir = temporaryDirectory(self)
        let bad = dir + "/bad.safetensors", out = dir + "/x.png"
        let cases: [(String, (inout [String: String]) -> Void)] = [
            ("class count", { $0["classes"] = "1000000000" }),
            ("noise size", { m in m["config"] = self.config(m["config"]!, setting: "model", "noiseSize", to: 1_000_000_000_000) }),
            ("--batch-size", { m in m["config"] = self.config(m["config"]!, setting: "optimization", "batchSize", to: 0) }),
            ("--g-dropout", { m in m["config"] = self.config(m["config"]!, setting: "model", "generatorDropout", to: 1.5) }),
            ("position", { $0["position"] = #"{"step":-4,"epoch":0,"batch":0}"# }),
            ("metadata is missing", { $0["config"] = "{" }),
            ("not a swift-cgan checkpoint", { $0["format"] = "other/9" }),
        ]
        for (fragment, edit) in cases {
            try rewrite(checkpoint, to: bad, metadata: edit)
            try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--out", out], contains: fragment)
        }
        try rewrite(checkpoint, to: bad, tensors: { $0["G.trunk.0.bias"]!.values.pointer[3] = .nan })
        try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--out", out], contains: "NaN")
        try rewrite(checkpoint, to: bad, tensors: { $0["G.trunk.9.weight"] = $0["G.trunk.0.bias"]! })
        try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--out", out], contains: "G.trunk.9.weight")
        try rewrite(checkpoint, to: bad, tensors: { $0["G.trunk.0.bias"] = nil })
        try assertOneLineError(["sample", "--checkpoint", bad, "--label", "1", "--out", out], contains: "G.trunk.0.bias is missing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testResumeRefusesAnotherArchitectureAndContradictingOptions() throws {
        let dir = try smallRun(.paper)
        let runDirectory = RunDirectory(dir)
        let data = try SyntheticData.arguments() + ["--eval-every", "0", "--train-limit", "100", "--batch-size", "50"]
        try assertOneLineError(["train", "--out", dir, "--resume", "--epochs", "2", "--lr", "0.5"] + data, contains: "--lr")
        // Refused either as a change of the run or, on a CPU without bf16, as unsupported: both name the option.
        try assertOneLineError(["train", "--out", dir, "--resume", "--epochs", "2", "--precision", "bf16"] + data, contains: "--precision")
        try assertOneLineError(["train", "--out", dir, "--resume", "--epochs", "2", "--arch", "mlp"] + data, contains: "--arch")
        // config.json edited to name another model than the checkpoint holds.
        let json = try String(contentsOfFile: runDirectory.config, encoding: .utf8)
        let edited = json.replacingOccurrences(of: "\"architecture\" : \"paper\"", with: "\"architecture\" : \"mlp\"")
        XCTAssertNotEqual(edited, json, json)
        try edited.write(toFile: runDirectory.config, atomically: true, encoding: .utf8)
        try assertOneLineError(["train", "--out", dir, "--resume", "--epochs", "2"] + data, contains: "refusing to mix")
        try json.write(toFile: runDirectory.config, atomically: true, encoding: .utf8)
        // --threads and --epochs apply.
        let r = try runCGAN(["train", "--out", dir, "--resume", "--epochs", "2", "--threads", "2"] + data)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try Checkpoint(path: runDirectory.latestCheckpoint).config.compute.threads, 2)
        XCTAssertEqual(try Checkpoint(path: runDirectory.latestCheckpoint).position.epoch, 2)
    }

    /// Killed before its first checkpoint (config.json written, no checkpoint): train starts it again.
    /// Stale temporary files are removed; run files without config.json are refused.
    func testStuckDirectoriesRestartAndStrayFilesAreHandled() throws {
        let dir = try smallRun()
        let runDirectory = RunDirectory(dir)
        try FileManager.default.removeItem(atPath: runDirectory.checkpoints)
        try FileManager.default.removeItem(atPath: runDirectory.samples)  // killed in its first epoch: no grid yet
        let stale = runDirectory.checkpoints + "/.latest.safetensors.tmp-99999"
        try FileManager.default.createDirectory(atPath: runDirectory.checkpoints, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: stale, contents: Data(count: 100))
        var messages: [String] = []
        do {  // the run holds its directory's lock until it is released
            let run = try TrainingRun(config: smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), data: try SyntheticData.load(),
                                      directory: runDirectory, resume: false) { messages.append($0) }
            try run.run { _ in }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertTrue(messages.contains { $0.contains("never saved a checkpoint") }, "\(messages)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: runDirectory.latestCheckpoint))

        try FileManager.default.removeItem(atPath: runDirectory.config)
        XCTAssertThrowsError(try TrainingRun(config: smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), data: try SyntheticData.load(),
                                             directory: runDirectory, resume: false)) {
            XCTAssertTrue("\($0)".contains("no config.json"), "\($0)")
        }
    }

    /// A batch larger than the training images is refused by name, before the run's directory is made.
    func testABatchLargerThanTheImagesLeavesNoDirectory() throws {
        let dir = temporaryDirectory(self) + "/run"
        XCTAssertThrowsError(try TrainingRun(config: smallConfig(.mlp, epochs: 1, limit: 100, batch: 500), data: try SyntheticData.load(),
                                             directory: RunDirectory(dir), resume: false)) {
            XCTAssertTrue("\($0)".contains("exceeds the 100 training images: give a smaller --batch-size"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir))
    }

    /// `--resume` of a run killed before its first checkpoint starts it again with the settings config.json
    /// recorded (here mlp, batch 50, 100 images), not with the defaults of a new run (the paper model, 100, all).
    func testResumeBeforeTheFirstCheckpointKeepsTheRecordedSettings() throws {
        let dir = try smallRun(.mlp)
        let runDirectory = RunDirectory(dir)
        let recorded = try XCTUnwrap(runDirectory.storedConfig)
        try FileManager.default.removeItem(atPath: runDirectory.checkpoints)
        try FileManager.default.removeItem(atPath: runDirectory.samples)
        let data = try SyntheticData.arguments() + ["--eval-every", "0"]
        try assertOneLineError(["train", "--out", dir, "--resume", "--batch-size", "20"] + data, contains: "--batch-size")
        let r = try runCGAN(["train", "--out", dir, "--resume"] + data)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("never saved a checkpoint"), r.stdout + r.stderr)
        let restarted = try Checkpoint(path: runDirectory.latestCheckpoint).config
        XCTAssertEqual(restarted.architecture, .mlp)
        XCTAssertTrue(restarted.differingSettings(fromRun: recorded).isEmpty, "\(restarted.differingSettings(fromRun: recorded))")
        // Settings that cannot be read are not replaced by the defaults either: refused, the file kept.
        try FileManager.default.removeItem(atPath: runDirectory.checkpoints)
        try "{\"settings\": 3}".write(toFile: runDirectory.config, atomically: true, encoding: .utf8)
        try assertOneLineError(["train", "--out", dir, "--resume"] + data, contains: "cannot be read as a run's settings")
        XCTAssertEqual(try String(contentsOfFile: runDirectory.config, encoding: .utf8), "{\"settings\": 3}")
    }

    /// validation.csv rows written after the checkpoint being resumed are dropped, as metrics.csv rows are.
    func testValidationLogIsRewoundOnResume() throws {
        let dir = temporaryDirectory(self) + "/run"
        let data = try SyntheticData.load()
        let evaluator = GeneratorEvaluator(data: data) { throw CheckpointFree() }
        evaluator.samplesPerClass = 5
        evaluator.validationCount = 50
        func trainTracked(epochs: Int, resume: Bool) throws {
            let run = try TrainingRun(config: smallConfig(.mlp, epochs: epochs, limit: 100, batch: 50), data: data,
                                      directory: RunDirectory(dir), resume: resume, epochs: resume ? epochs : nil)
            run.trackBestCheckpoint(every: 1, evaluator: evaluator) { _ in }
            try run.run { _ in }
        }
        try trainTracked(epochs: 1, resume: false)
        let csv = dir + "/validation.csv"
        // A row of an epoch the checkpoint does not hold (written, then killed before the checkpoint).
        try (try String(contentsOfFile: csv, encoding: .utf8) + "2,0.2000,1.000,0.100\n").write(toFile: csv, atomically: true, encoding: .utf8)
        try trainTracked(epochs: 2, resume: true)
        let epochs = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.prefix { $0 != "," } }
        XCTAssertEqual(epochs, ["1", "2"])
    }
    struct CheckpointFree: Error {}

    /// SIGTERM and SIGHUP save a checkpoint and exit like Ctrl-C (130).
    func testTerminationSignalsSave() throws {
        let data = try SyntheticData.arguments()
        for signal in [SIGTERM, SIGHUP] {
            let dir = temporaryDirectory(self) + "/run"
            // Many epochs of the small training set: the run is still going when the signal comes.
            let r = try runCGAN(["train", "--arch", "mlp", "--epochs", "100", "--eval-every", "0", "--log-every", "1", "--out", dir]
                                + data) { p in
                // Wait until training has started (metrics.csv gets its first rows), then signal.
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, ((try? String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8))?.count ?? 0) < 300 {
                    usleep(50_000)
                }
                kill(p.processIdentifier, signal)
            }
            XCTAssertEqual(r.status, 130, "signal \(signal): \(r.stderr)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir).latestCheckpoint), "signal \(signal)")
        }
    }

    /// The reader of a piped output goes away (`cgan train | head`): the run saves and stops as on Ctrl-C,
    /// instead of dying of SIGPIPE with its epoch lost, or trapping on the failed write.
    func testAClosedOutputPipeSavesAndStops() throws {
        let dir = temporaryDirectory(self) + "/run"
        let p = Process()
        // SIGPIPE at its default, as from a shell: this test process may ignore it (SwiftNIO does, once a server
        // test has run), and a child keeps an ignored signal ignored (documented: it then trains on, output lost).
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["--default-signal=PIPE", try cganProgram(), "train", "--arch", "mlp", "--epochs", "100", "--eval-every", "0",
                       "--log-every", "1", "--out", dir] + (try SyntheticData.arguments())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8))?.count ?? 0) < 300 { usleep(50_000) }
        try out.fileHandleForReading.close()
        // Should the run not stop, it is ended here rather than training its 100 epochs.
        let watchdog = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        watchdog.cancel()
        XCTAssertEqual(p.terminationStatus, 130, e)
        XCTAssertEqual(p.terminationReason, .exit, e)
        XCTAssertTrue(e.contains("continue with --resume"), e)
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir).latestCheckpoint))
    }
}

import Foundation
import CGAN
import Datasets
import TestSupport
import XCTest

/// The `cgan` program itself: bad input gets one error line and a non-zero exit, never a crash.
final class CommandLineTests: XCTestCase {
    func testBadInputGetsOneLine() throws {
        let dir = temporaryDirectory(self)
        try assertOneLineError(["data", "info", "--data-dir", dir + "/empty"], contains: "not found")
        // A data set with one damaged file: training must refuse it before writing anything.
        let broken = dir + "/broken"
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try SyntheticData.write(into: broken, compressed: true)
        var labels = try Data(contentsOf: URL(fileURLWithPath: broken + "/t10k-labels-idx1-ubyte.gz"))
        labels[labels.count / 2] ^= 0x10
        FileManager.default.createFile(atPath: broken + "/t10k-labels-idx1-ubyte.gz", contents: labels)
        try assertOneLineError(["train", "--dataset", SyntheticDataset.name, "--data-dir", broken, "--out", dir + "/run"],
                               contains: "t10k-labels-idx1-ubyte.gz")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"))
        try assertOneLineError(["sample", "--checkpoint", dir + "/none.safetensors", "--label", "3", "--out", dir + "/x.png"],
                               contains: "checkpoint not found")
        // A link to nothing is named as such, by every command that reads a checkpoint.
        try FileManager.default.createSymbolicLink(atPath: dir + "/latest.safetensors", withDestinationPath: "moved.safetensors")
        for command in [["sample", "--label", "3", "--out", dir + "/x.png"], ["evaluate"], ["export", "--out", dir + "/t.safetensors"],
                        ["interpolate", "--label", "3", "--out", dir + "/i.png"], ["serve", "--port", "0"]] {
            try assertOneLineError(command + ["--checkpoint", dir + "/latest.safetensors"],
                                   contains: "latest.safetensors is a link to moved.safetensors, which does not exist")
        }
        FileManager.default.createFile(atPath: dir + "/junk.safetensors", contents: Data("not a checkpoint".utf8))
        try assertOneLineError(["sample", "--checkpoint", dir + "/junk.safetensors", "--label", "3", "--out", dir + "/x.png"],
                               contains: "junk.safetensors")
        try assertOneLineError(["data", "info", "--dataset", "cifar10"], contains: "unknown data set")
    }

    /// --stop-at-goal without quality scores (off by default but for dcgan on the registered data sets) is one
    /// line, before any file is written.
    func testStopAtGoalNeedsTheQualityScored() throws {
        let dir = temporaryDirectory(self), data = try SyntheticData.arguments()
        for extra in [["--arch", "paper"], ["--arch", "dcgan"], ["--arch", "dcgan", "--quality-every", "0"]] {
            try assertOneLineError(["train"] + extra + data + ["--stop-at-goal", "--out", dir + "/run"], contains: "--stop-at-goal needs")
        }
        try assertOneLineError(["train", "--quality-every=-1"] + data + ["--out", dir + "/run"], contains: "--quality-every must be")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run"))
    }

    /// --truncation: one line for a value out of range and for a model trained on uniform noise, and no file;
    /// a normal-noise model samples with it.
    func testTruncationIsCheckedBeforeAnythingIsWritten() throws {
        let dir = temporaryDirectory(self)
        try assertOneLineError(["sample", "--checkpoint", dir + "/none.safetensors", "--label", "3", "--truncation", "0.1",
                                "--out", dir + "/x.png"], contains: "--truncation must be in 0.5...10")
        try train(smallConfig(.paper, epochs: 1, limit: 100, batch: 50), in: dir + "/paper")
        for command in [["sample", "--label", "3", "--out", dir + "/x.png"], ["evaluate", "--out", dir + "/x.json"],
                        ["interpolate", "--label", "3", "--out", dir + "/x.png"]] {
            try assertOneLineError(command + ["--checkpoint", RunDirectory(dir + "/paper").latestCheckpoint, "--truncation", "1"],
                                   contains: "trained on uniform noise")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.png"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.json"))
        try train(smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), in: dir + "/mlp")
        let r = try runCGAN(["sample", "--checkpoint", RunDirectory(dir + "/mlp").latestCheckpoint, "--label", "3",
                             "--truncation", "1.5", "--out", dir + "/x.png"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/x.png"))
        // interpolate walks between truncated noise vectors.
        let mlp = try ConditionalGenerator(checkpoint: RunDirectory(dir + "/mlp").latestCheckpoint)
        mlp.truncation = 0.5
        let walk = Interpolation(generator: mlp)
        XCTAssertTrue((1...20).allSatisfy { seed in walk.noise(seed: UInt64(seed)).allSatisfy { abs($0) <= 0.5 } })
        XCTAssertEqual(try runCGAN(["interpolate", "--checkpoint", RunDirectory(dir + "/mlp").latestCheckpoint, "--label", "3",
                                    "--truncation", "2", "--out", dir + "/walk.gif"]).status, 0)
    }

    /// `train` without --epochs or --d-dropout keeps the architecture's own defaults (dcgan: 40 epochs, dropout
    /// 0.3 in D); an earlier CLI overrode the epochs with 30 for every model. --resume compares dropout options
    /// with the run's effective values.
    func testTrainKeepsTheArchitecturesDefaults() throws {
        let dir = temporaryDirectory(self) + "/dcgan", data = try SyntheticData.arguments()
        let r = try runCGAN(["train", "--arch", "dcgan"] + data + ["--train-limit", "2", "--batch-size", "2",
                             "--width", "0.125", "--eval-every", "0", "--sample-every", "100", "--out", dir])
        XCTAssertEqual(r.status, 0, r.stderr)
        let checkpoint = try Checkpoint(path: RunDirectory(dir).latestCheckpoint)
        XCTAssertEqual(checkpoint.config.optimization.epochs, 40)
        XCTAssertEqual(checkpoint.config.model.discriminatorDropout, 0.3)
        XCTAssertEqual(checkpoint.position.epoch, 40)
        // dcgan's head has no dropout by default: giving that same value again resumes, another is refused.
        let resume = ["train", "--resume"] + data + ["--eval-every", "0", "--sample-every", "100", "--out", dir]
        try assertOneLineError(resume + ["--epochs", "41", "--d-head-dropout", "0.1"], contains: "--d-head-dropout differs")
        XCTAssertFalse(checkpoint.config.additions.discriminatorDropoutInGeneratorStep, "dcgan's G learns from the whole D by default")
        try assertOneLineError(resume + ["--epochs", "41", "--dropout-in-g-step"], contains: "--dropout-in-g-step differs")
        XCTAssertEqual(checkpoint.config.additions.discriminatorHeadDropout, 0)
        let again = try runCGAN(resume + ["--epochs", "41", "--d-head-dropout", "0"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Checkpoint(path: RunDirectory(dir).latestCheckpoint).position.epoch, 41)
    }

    func testExperimentRunnerPrintsIndependentCommandsAndRefusesBadNames() throws {
        let dir = temporaryDirectory(self)
        try assertOneLineError(["experiment", "nope"], contains: "no experiment named nope")
        try assertOneLineError(["experiment", "width", "--run", "paper-width-9/seed-1", "--out", dir], contains: "--run must be")
        try assertOneLineError(["experiment", "width", "--seeds", "0"], contains: "--seeds")
        let printed = try runCGAN(["experiment", "all", "--seeds", "2", "--print-commands", "--out", dir])
        XCTAssertEqual(printed.status, 0)
        let lines = printed.stdout.split(separator: "\n")
        // 34 run configurations (the paper and mlp models as documented serve several experiments), seed by seed.
        XCTAssertEqual(lines.count, 2 * 34)
        XCTAssertTrue(lines[0].hasSuffix("experiment all --run paper/seed-1 --seeds 2 --out \(dir)"), String(lines[0]))
        XCTAssertTrue(lines[34].hasSuffix("experiment all --run paper/seed-2 --seeds 2 --out \(dir)"), String(lines[34]))
        // Collecting before anything ran writes no report and says so in one line.
        try assertOneLineError(["experiment", "generator-loss", "--seeds", "1", "--collect", "--out", dir], contains: "no finished runs to report")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/generator-loss/report.md"))
    }

    func testInfoAndVersion() throws {
        let info = try runCGAN(["info"])
        XCTAssertEqual(info.status, 0)
        XCTAssertTrue(info.stdout.contains("kernel:"))
        XCTAssertEqual(try runCGAN(["--version"]).stdout, "0.1.0\n")
    }
}

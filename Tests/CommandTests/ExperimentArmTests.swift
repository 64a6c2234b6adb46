import Foundation
import Experiments
import CGAN
import NN
import TestSupport
import XCTest
@testable import cgan

final class ExperimentArmTests: XCTestCase {
    /// Every arm's options are ones cgan train accepts for a new run, and each builds the model it names.
    func testEveryArmIsAValidNewRun() throws {
        for e in Experiment.all {
            for v in e.variants {
                let command = try TrainCommand.parse(v.trainArguments)
                let config = command.makeConfig()
                XCTAssertNil(config.problem ?? config.unusedSetting, "\(e.name) \(v.name)")
            }
        }
        let conditioning = try XCTUnwrap(Experiment.named("conditioning"))
        let kinds = try conditioning.variants.map { try TrainCommand.parse($0.trainArguments).makeConfig().model.discriminatorConditioning }
        XCTAssertEqual(kinds, [nil, .input, .embedding, .projection])
        let halfG = try TrainCommand.parse(["--arch", "paper", "--g-width", "0.5"]).makeConfig()
        XCTAssertEqual(halfG.model.generatorWidth, 0.5)
        XCTAssertEqual(halfG.model.discriminatorWidth, 1)
        XCTAssertEqual(try TrainCommand.parse(["--arch", "paper", "--momentum", "0.3"]).makeConfig().optimization.momentumStart, 0.3)
        // Refused in one line where the model has no place for them.
        for (arguments, message) in [(["--arch", "mlp", "--momentum", "0.3"], "--momentum applies to the paper model's SGD"),
                                     (["--arch", "mlp", "--d-conditioning", "input"], "--d-conditioning applies to the paper's D only"),
                                     (["--arch", "paper", "--g-width", "9"], "--g-width must be in 0.125...8"),
                                     (["--arch", "paper", "--width", "2", "--g-width", "1", "--d-width", "1"], "--width has no effect")] {
            XCTAssertThrowsError(try TrainCommand.parse(arguments), "\(arguments)") { error in
                XCTAssertTrue(TrainCommand.message(for: error).contains(message), TrainCommand.message(for: error))
            }
        }
    }

    /// --collect writes nothing over a report when no run fits the budget, and does not mix with --run.
    func testCollectRefusesWhatItCannotReport() throws {
        let out = NSTemporaryDirectory() + "cgan-collect-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        var collect = try ExperimentCommand.parse(["generator-loss", "--collect", "--out", out, "--epochs", "2", "--seeds", "1"])
        XCTAssertThrowsError(try collect.run()) { error in
            XCTAssertTrue("\(error)".contains("no finished runs to report"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/generator-loss/report.md"))
        XCTAssertThrowsError(try ExperimentCommand.parse(["generator-loss", "--collect", "--run", "paper/seed-1", "--out", out]))
        // Printing the commands must not train anything.
        XCTAssertThrowsError(try ExperimentCommand.parse(["generator-loss", "--print-commands", "--run", "paper/seed-1", "--out", out])) { error in
            XCTAssertTrue(ExperimentCommand.message(for: error).contains("--print-commands"), ExperimentCommand.message(for: error))
        }
    }

    /// A run whose loss stops being a number has ended: `--run` records it (exit 0, diverged.json), says so when
    /// asked again instead of training it anew, and the report counts it apart from the runs it scores.
    func testARunThatDivergesIsRecordedAndNotTrainedAgain() throws {
        let out = temporaryDirectory(self)
        let e = try XCTUnwrap(Experiment.named("generator-loss"))
        let arm = e.variants[1], location = try SyntheticData.arguments()
        let directory = e.runDirectory(root: out, variant: arm, seed: 1)
        let config = try TrainCommand.parse(Experiment.trainArguments(arm, seed: 1, epochs: 2, directory: directory) + location).makeConfig()
        // The arm's own run, stopped at its start with D's first weights so large (finite: a checkpoint holds no
        // NaN) that its logits overflow: resuming it diverges at once.
        do {  // the run holds its folder's lock until it goes
            let run = try TrainingRun(config: config, data: try SyntheticData.load(), directory: directory, resume: false)
            run.trainer.models.discriminator.trunk.namedParameters.first!.parameter.value.fill(1e38)
            try Checkpoint.save(run.trainer, position: .init(), to: directory.latestCheckpoint)
        }
        let arguments = ["generator-loss", "--run", "\(arm.run)/seed-1", "--epochs", "2", "--out", out] + location
        try ExperimentCommand.parse(arguments).run()
        let divergence = try XCTUnwrap(Divergence(in: directory))
        XCTAssertEqual([divergence.step, divergence.epoch], [1, 1])
        XCTAssertEqual(divergence.lastCheckpoint, .init())
        XCTAssertEqual(Experiment.divergence(directory, within: 2), divergence)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.evaluation), "nothing to score")
        // Asked again: recorded, not trained again (training again would write the record anew, at step 1).
        let marked = Divergence(step: 9, epoch: 1, discriminatorLoss: 42, generatorLoss: .nan, lastCheckpoint: nil)
        try marked.write(to: directory)
        try ExperimentCommand.parse(arguments).run()
        XCTAssertEqual(Divergence(in: directory), marked)
        try divergence.write(to: directory)
        // The report: no scores, no "not finished", a seed the paired statistics count without a difference.
        let report = try ExperimentReport(experiment: e, root: out, seeds: 1, epochs: 2)
        XCTAssertEqual(report.diverged.map(\.seed), [1])
        XCTAssertEqual(report.unfinished, ["non-saturating/seed-1"])
        XCTAssertTrue(report.markdownTable.contains("| saturating | 0 | 1 (1) |"), report.markdownTable)
        XCTAssertTrue(report.perSeedTable.contains("| saturating | | 1 | diverged at step 1 (epoch 1) |"), report.perSeedTable)
        XCTAssertTrue(report.csv(commit: "abc").hasSuffix("generator-loss,saturating,1,,,,,,,,,,,,,,,,abc,1\n"), report.csv(commit: "abc"))
        // --collect with nothing but the diverged run, the baseline not trained: no report (a diverged run stands for
        // every longer budget, and alone must not replace a report of another budget's scored runs).
        var collect = try ExperimentCommand.parse(["generator-loss", "--collect", "--seeds", "1", "--epochs", "2", "--out", out] + location)
        XCTAssertThrowsError(try collect.run()) { XCTAssertTrue("\($0)".contains("no finished runs to report"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/generator-loss/report.md"))
        // Kept without its checkpoint (archived), the record stands for no other schedule: refused by name, not retrained.
        try FileManager.default.removeItem(atPath: directory.checkpoints)
        var adam = config
        adam.optimization.optimizer = .adam
        adam.optimization.learningRateDecayStart = 0.5
        let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(adam))
        try JSONSerialization.data(withJSONObject: ["settings": settings]).write(to: URL(fileURLWithPath: directory.config))
        XCTAssertNotNil(Experiment.divergence(directory, within: 2), "at the length it was trained for")
        XCTAssertNil(Experiment.divergence(directory, within: 3), "Adam's fall to zero depends on the run's length")
        var longer = try ExperimentCommand.parse(["generator-loss", "--run", "\(arm.run)/seed-1", "--epochs", "3", "--out", out] + location)
        XCTAssertThrowsError(try longer.run()) { error in
            XCTAssertTrue("\(error)".contains("it diverged at step 1 (epoch 1) of a 2-epoch run, kept without a checkpoint"), "\(error)")
        }
        XCTAssertEqual(Divergence(in: directory), divergence, "the archived files are kept")
        // An unreadable record in a run without a checkpoint: refused by name, not trained again over its files.
        try "{\"step\": 1".write(toFile: directory.divergence, atomically: true, encoding: .utf8)
        var damaged = try ExperimentCommand.parse(["generator-loss", "--run", "\(arm.run)/seed-1", "--epochs", "2", "--out", out] + location)
        XCTAssertThrowsError(try damaged.run()) { error in
            XCTAssertTrue("\(error)".contains("its diverged.json is not a readable record, and it keeps no checkpoint"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("; move it away to train it again"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: directory.divergence, encoding: .utf8), "{\"step\": 1")
    }
}

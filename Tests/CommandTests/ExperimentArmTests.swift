import Foundation
import Experiments
import CGAN
import NN
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
}

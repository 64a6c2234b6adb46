import Foundation
import TestSupport
import XCTest
import CGAN
import Datasets
import Evaluation
import NN

final class EvaluationIntegrationTests: XCTestCase {
    func smallEvaluator(_ data: MNISTFamilyDataset) -> GeneratorEvaluator {
        // An untrained classifier keeps this test fast; the real one is tested in EvaluationTests.
        let e = GeneratorEvaluator(data: data) { (ImageClassifier(classCount: 10), 0.1) }
        e.samplesPerClass = 30
        e.validationCount = 300
        return e
    }

    func testTrainingKeepsTheBestCheckpointByValidationLikelihood() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self)
        let run = try TrainingRun(config: smallConfig(.mlp, epochs: 3, limit: 500, batch: 50), data: data,
                                  directory: RunDirectory(dir), resume: false)
        var lines: [String] = []
        run.trackBestCheckpoint(every: 1, evaluator: smallEvaluator(data)) { lines.append($0) }
        try run.run { _ in }
        let rows = try String(contentsOfFile: dir + "/validation.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 1 + 3)
        let lls = rows.dropFirst().map { Double($0.split(separator: ",")[2])! }
        let best = try Checkpoint(path: RunDirectory(dir).bestCheckpoint)
        XCTAssertEqual(Double(best.contents.metadata["best_validation_ll"]!)!, lls.max()!, accuracy: 1e-3)
        XCTAssertEqual(best.position.epoch, lls.firstIndex(of: lls.max()!)! + 1)
        XCTAssertEqual(lines.filter { $0.contains("validation Parzen LL") }.count, 3)
        // Anything else reported is a collapse warning (likely here: 500 images, a few epochs).
        XCTAssertTrue(lines.allSatisfy { $0.contains("validation Parzen LL") || $0.contains("look collapsed") }, "\(lines)")
    }

    func testReportHasEveryNumber() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self)
        try train(smallConfig(.paper, epochs: 1, limit: 200, batch: 50), in: dir)
        let g = try ConditionalGenerator(checkpoint: RunDirectory(dir).latestCheckpoint)
        let evaluator = smallEvaluator(data)
        let off = try evaluator.evaluate(g, dropout: false), on = try evaluator.evaluate(g, dropout: true)
        for r in [off, on] {
            XCTAssertEqual(r.parzenValidation.count, 10)
            XCTAssertTrue(r.parzenTest!.mean.isFinite && r.parzenTest!.standardError > 0)
            XCTAssertTrue((0...1).contains(r.labelAccuracy))
            XCTAssertEqual(r.perClass.count, 10)
            XCTAssertGreaterThan(r.fid, r.fidRealFloor)
            XCTAssertFalse(r.summary.contains("\n"))
        }
        // Dropout at sampling changes the samples, so the numbers differ.
        XCTAssertNotEqual(off.parzenTest?.mean, on.parzenTest?.mean)
    }
}

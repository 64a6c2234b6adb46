import Foundation
import TestSupport
import XCTest
import CGAN
import Datasets
import Evaluation
import NN

/// A fast evaluator: an untrained classifier (the real one is tested in EvaluationTests), 30 samples per class.
func smallEvaluator(_ data: MNISTFamilyDataset) -> GeneratorEvaluator {
    let e = GeneratorEvaluator(data: data) { (ImageClassifier(classCount: 10), 0.1) }
    e.samplesPerClass = 30
    e.validationCount = 300
    return e
}

final class EvaluationIntegrationTests: XCTestCase {
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
            // The untrained classifier's stated accuracy, 0.1, is chance for ten classes.
            XCTAssertTrue(r.weakClassifierWarning?.contains("chance: 10.0%") == true, "\(r.weakClassifierWarning ?? "none")")
        }
        // Dropout at sampling changes the samples, so the numbers differ.
        XCTAssertNotEqual(off.parzenTest?.mean, on.parzenTest?.mean)
    }
}

final class QualityTrackingTests: XCTestCase {
    /// A report with these figures (through its JSON form: its initialiser is internal).
    func report(classes: Int, classifierAccuracy: Double, labelAccuracy: Double = 1, fid: Double = 1, floor: Double = 1) throws -> EvaluationReport {
        let perClass = (0..<classes).map { ["label": $0, "labelAccuracy": 1, "fid": 1, "diversity": 1] as [String: Any] }
        let json: [String: Any] = ["dropoutAtSampling": false, "samplesPerClass": 10, "seed": 1, "parzenValidation": [Any](),
                                   "labelAccuracy": labelAccuracy, "fid": fid, "fidRealFloor": floor,
                                   "classifierTestAccuracy": classifierAccuracy, "perClass": perClass, "collapsedClasses": [Int]()]
        return try JSONDecoder().decode(EvaluationReport.self, from: JSONSerialization.data(withJSONObject: json))
    }

    func testTheGoalAndTheWeakClassifierWarningAtTheirEdges() throws {
        let goal = QualityGoal()
        XCTAssertTrue(goal.isMet(by: try report(classes: 10, classifierAccuracy: 0.99, labelAccuracy: 0.99, fid: 1.8, floor: 1)))
        XCTAssertFalse(goal.isMet(by: try report(classes: 10, classifierAccuracy: 0.99, labelAccuracy: 0.9899, fid: 1, floor: 1)))
        XCTAssertFalse(goal.isMet(by: try report(classes: 10, classifierAccuracy: 0.99, fid: 1.81, floor: 1)))
        XCTAssertFalse(goal.isMet(by: try report(classes: 10, classifierAccuracy: 0.99, fid: 0, floor: 0)))
        XCTAssertFalse(QualityGoal(labelAccuracy: 0, fidOverFloor: .greatestFiniteMagnitude).isMet(by: try report(classes: 10, classifierAccuracy: 0.99, fid: 5, floor: 0)))
        // Ten classes: under twice chance warns; two classes: under halfway from chance to 1.
        XCTAssertNotNil(try report(classes: 10, classifierAccuracy: 0.19).weakClassifierWarning)
        XCTAssertNil(try report(classes: 10, classifierAccuracy: 0.2).weakClassifierWarning)
        XCTAssertNotNil(try report(classes: 2, classifierAccuracy: 0.74).weakClassifierWarning)
        XCTAssertNil(try report(classes: 2, classifierAccuracy: 0.95).weakClassifierWarning)
    }

    func rows(_ dir: String) throws -> [[Substring]] {
        try String(contentsOfFile: RunDirectory(dir).quality, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",") }
    }

    func testStopsAtTheFirstEpochThatMeetsTheGoalAndResumeKeepsIt() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self)
        let config = smallConfig(.mlp, epochs: 3, limit: 200, batch: 50)
        let seconds: Double
        do { // The first run's directory lock is released when it ends.
            let run = try TrainingRun(config: config, data: data, directory: RunDirectory(dir), resume: false)
            var lines: [String] = []
            // Any generator meets this goal, so the run must end after its first epoch.
            run.trackQuality(every: 1, evaluator: smallEvaluator(data), goal: QualityGoal(labelAccuracy: 0, fidOverFloor: .greatestFiniteMagnitude),
                             stopAtGoal: true) { lines.append($0) }
            var messages: [String] = []
            try run.run { if case .message(let m) = $0 { messages.append(m) } }
            XCTAssertEqual(run.completedEpochs, 1)
            XCTAssertEqual(try rows(dir).count, 1)
            XCTAssertEqual(run.qualityGoalFirstMet?.epoch, 1)
            XCTAssertTrue(messages.contains { $0.contains("met at epoch 1") && $0.contains("--stop-at-goal") }, "\(messages)")
            seconds = try XCTUnwrap(run.qualityGoalFirstMet?.seconds)
            XCTAssertGreaterThan(seconds, 0)
        }

        // Resumed without stopping: it trains on, scores every epoch, and keeps the epoch the goal was first met.
        let resumed = try TrainingRun(config: config, data: data, directory: RunDirectory(dir), resume: true)
        resumed.trackQuality(every: 1, evaluator: smallEvaluator(data), goal: QualityGoal(labelAccuracy: 0, fidOverFloor: .greatestFiniteMagnitude),
                             stopAtGoal: false) { _ in }
        try resumed.run { _ in }
        XCTAssertEqual(resumed.completedEpochs, 3)
        XCTAssertEqual(try rows(dir).map { Int($0[0])! }, [1, 2, 3])
        XCTAssertEqual(resumed.qualityGoalFirstMet?.epoch, 1)
        XCTAssertEqual(resumed.qualityGoalFirstMet?.seconds, seconds)
        XCTAssertEqual(try rows(dir).map { $0[6] }, ["1", "1", "1"])
    }

    /// A goal met before a Ctrl-C mid-epoch stays recorded, and --stop-at-goal on resume then trains nothing.
    func testTheGoalSurvivesACtrlCMidEpochAndStopAtGoalThenTrainsNothing() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self)
        let config = smallConfig(.mlp, epochs: 3, limit: 200, batch: 50)
        let always = QualityGoal(labelAccuracy: 0, fidOverFloor: .greatestFiniteMagnitude)
        do {
            let run = try TrainingRun(config: config, data: data, directory: RunDirectory(dir), resume: false)
            run.logEvery = 1
            run.trackQuality(every: 1, evaluator: smallEvaluator(data), goal: always, stopAtGoal: false) { _ in }
            run.trackBestCheckpoint(every: 1, evaluator: smallEvaluator(data)) { _ in }
            XCTAssertThrowsError(try run.run { event in
                if case .progress(let p) = event, p.epoch == 1, p.batch == 2 { Interruption.request() }
            })
        }
        let saved = try Checkpoint(path: RunDirectory(dir).latestCheckpoint)
        XCTAssertEqual(saved.contents.metadata["quality_goal_epoch"], "1")
        XCTAssertNotNil(Double(saved.contents.metadata["best_validation_ll"] ?? ""))
        let position = saved.position
        XCTAssertEqual([position.epoch, position.batch], [1, 2])
        let resumed = try TrainingRun(config: config, data: data, directory: RunDirectory(dir), resume: true)
        XCTAssertEqual(resumed.qualityGoalFirstMet?.epoch, 1)
        var messages: [String] = []
        resumed.trackQuality(every: 1, evaluator: smallEvaluator(data), goal: always, stopAtGoal: true) { _ in }
        try resumed.run { if case .message(let m) = $0 { messages.append(m) } }
        XCTAssertTrue(messages.contains { $0.contains("already met at epoch 1") }, "\(messages)")
        XCTAssertEqual(try Checkpoint(path: RunDirectory(dir).latestCheckpoint).position.step, position.step)
    }

    func testAGoalNotMetTrainsEveryEpochAndScoresEveryKth() throws {
        let data = try SyntheticData.load()
        let dir = temporaryDirectory(self)
        let run = try TrainingRun(config: smallConfig(.mlp, epochs: 3, limit: 200, batch: 50), data: data,
                                  directory: RunDirectory(dir), resume: false)
        var lines: [String] = []
        run.trackQuality(every: 2, evaluator: smallEvaluator(data), goal: QualityGoal(), stopAtGoal: true) { lines.append($0) }
        try run.run { _ in }
        XCTAssertEqual(run.completedEpochs, 3)
        let table = try rows(dir)
        // Epoch 2 (every 2nd) and 3 (the last); an untrained classifier is near chance, far from 0.99.
        XCTAssertEqual(table.map { Int($0[0])! }, [2, 3])
        for row in table {
            XCTAssertLessThan(Double(row[2])!, 0.99)
            XCTAssertEqual(row[6], "0")
            // An untrained classifier's features can be constant (floor 0, ratio inf).
            let (fid, floor, ratio) = (Double(row[3])!, Double(row[4])!, Double(row[5])!)
            if floor > 0.01 { XCTAssertEqual(ratio, fid / floor, accuracy: 0.01) } else { XCTAssertFalse(ratio.isFinite && ratio < 100) }
        }
        XCTAssertNil(run.qualityGoalFirstMet)
        XCTAssertEqual(lines.filter { $0.contains("label accuracy") }.count, 2)
    }

    func testOnePassGivesTheSameFeaturesAndPredictions() throws {
        let data = try SyntheticData.load()
        let classifier = ImageClassifier(classCount: 10)
        let images = data.test.matrix(scale: .unit).rows(0..<50)
        let (features, predictions) = classifier.featuresAndPredictions(images)
        XCTAssertEqual(predictions, classifier.predict(images))
        let separate = classifier.features(images)
        XCTAssertEqual(features.rows, separate.rows)
        for r in 0..<features.rows { for c in 0..<features.cols { XCTAssertEqual(features[r, c], separate[r, c]) } }
    }
}

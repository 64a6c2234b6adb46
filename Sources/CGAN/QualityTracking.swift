import Evaluation
import Files
import Foundation
import Media

extension TrainingRun {
    /// Metadata keys of the checkpoint: the epoch and training seconds at which `trackQuality`'s goal was
    /// first met (kept across `--resume`).
    static let goalEpochKey = "quality_goal_epoch", goalSecondsKey = "quality_goal_wall_s"

    /// The epoch and training seconds at which the quality goal was first met, as the checkpoints record it;
    /// nil before it is met.
    public var qualityGoalFirstMet: (epoch: Int, seconds: Double)? {
        guard let epoch = Int(checkpointMetadata[Self.goalEpochKey] ?? ""),
              let seconds = Double(checkpointMetadata[Self.goalSecondsKey] ?? "") else { return nil }
        return (epoch, seconds)
    }

    /// Scores label accuracy and FID every `every` epochs (and after the last) as `cgan evaluate` does, without
    /// the Parzen window, and appends them to quality.csv with the training seconds so far and whether `goal`
    /// is met. The first epoch that meets it is reported and recorded in the checkpoints (and kept by
    /// `--resume`); with `stopAtGoal` the run ends there, or at once if a resumed run had already met it.
    /// The seconds count the scoring itself (not the classifier's training: call the evaluator's
    /// `prepareClassifier` first): they are what a user waits for. Scoring that fails is reported and turned
    /// off; training goes on.
    public func trackQuality(every: Int, evaluator: GeneratorEvaluator, goal: QualityGoal, stopAtGoal: Bool,
                             report: @escaping (String) -> Void) {
        precondition(every > 0, "trackQuality needs every > 0")
        let csv = directory.quality
        try? directory.dropRows(of: csv, after: completedEpochs)
        if stopAtGoal, let met = qualityGoalFirstMet {
            finishEarly("quality goal (\(goal.description)) already met at epoch \(met.epoch); nothing to train (--stop-at-goal)")
            return
        }
        evaluator.isCancelled = { Interruption.requested }
        var scoring = true
        addEpochEndHook { [config, unowned self] epoch, generator in
            guard scoring, epoch % every == 0 || epoch == config.optimization.epochs else { return [:] }
            let r: EvaluationReport
            do {
                r = try evaluator.evaluate(generator, dropout: config.model.dropoutAtSampling, parzen: false)
            } catch is GeneratorEvaluator.Interrupted {
                report("epoch \(epoch): quality not scored (interrupted)")
                return [:]
            } catch {
                scoring = false
                report("epoch \(epoch): quality scoring failed, and is off for the rest of this session: \(error)")
                return [:]
            }
            let seconds = trainingSeconds, reached = goal.isMet(by: r)
            try directory.appendRow(String(format: "%d,%.1f,%.4f,%.3f,%.3f,%.3f,%d", epoch, seconds, r.labelAccuracy, r.fid,
                                           r.fidRealFloor, r.fid / r.fidRealFloor, reached ? 1 : 0),
                                    header: "epoch,wall_s,label_accuracy,fid,fid_floor,fid_over_floor,goal_met", to: csv)
            report(String(format: "epoch %d: label accuracy %.4f, FID %.2f = %.2fx the floor%@", epoch, r.labelAccuracy, r.fid,
                          r.fid / r.fidRealFloor, reached ? " (quality goal met)" : ""))
            guard reached && qualityGoalFirstMet == nil else { return [:] }
            if stopAtGoal && epoch < config.optimization.epochs {
                finishEarly(qualityGoalSummary(goal, met: (epoch, seconds)) + "; stopped there (--stop-at-goal)")
            }
            return [Self.goalEpochKey: String(epoch), Self.goalSecondsKey: String(seconds)]
        }
    }

    /// The closing line of a run that tracked `goal`: the epoch and minutes at which it was first met, or that it was not.
    public func qualityGoalSummary(_ goal: QualityGoal) -> String {
        qualityGoalSummary(goal, met: qualityGoalFirstMet)
    }

    private func qualityGoalSummary(_ goal: QualityGoal, met: (epoch: Int, seconds: Double)?) -> String {
        met.map { String(format: "quality goal (%@) met at epoch %d after %.1f min of training", goal.description, $0.epoch, $0.seconds / 60) }
            ?? "quality goal (\(goal.description)) not met in \(completedEpochs) epochs; quality.csv has the scores"
    }
}

import Files
import Foundation
import Media

extension TrainingRun {
    /// Metadata keys of the checkpoint: the epoch and training seconds at which `trackQuality`'s goal was
    /// first met (kept across `--resume`).
    static let goalEpochKey = "quality_goal_epoch", goalSecondsKey = "quality_goal_wall_s"

    /// The epoch and training seconds at which the quality goal was first met, as the latest checkpoint
    /// records them; nil before it is met.
    public var qualityGoalMet: (epoch: Int, seconds: Double)? {
        guard let checkpoint = try? Checkpoint(path: directory.latestCheckpoint),
              let epoch = Int(checkpoint.contents.metadata[Self.goalEpochKey] ?? ""),
              let seconds = Double(checkpoint.contents.metadata[Self.goalSecondsKey] ?? "") else { return nil }
        return (epoch, seconds)
    }

    /// Scores label accuracy and FID every `every` epochs (and after the last) as `cgan evaluate` does, without
    /// the Parzen window, and appends them to quality.csv with the training seconds so far. The first epoch
    /// that meets `goal` is reported and recorded in the checkpoints (and kept by `--resume`); with
    /// `stopAtGoal` the run ends there.
    /// The seconds count the scoring itself: they are what a user waits for.
    public func trackQuality(every: Int, evaluator: GeneratorEvaluator, goal: QualityGoal, stopAtGoal: Bool,
                             report: @escaping (String) -> Void) {
        let csv = directory.quality
        var met = qualityGoalMet
        try? directory.dropRows(of: csv, after: completedEpochs)
        addEpochEndHook { [config, unowned self] epoch, generator in
            var metadata: [String: String] = [:]
            func recordMet() {
                if let met { metadata = [Self.goalEpochKey: String(met.epoch), Self.goalSecondsKey: String(met.seconds)] }
            }
            guard epoch % every == 0 || epoch == config.optimization.epochs else { recordMet(); return metadata }
            let r = try evaluator.evaluate(generator, dropout: config.model.dropoutAtSampling, parzen: false)
            let seconds = trainingSeconds
            let earlier = CSVTable.lines(ofFileAt: csv)
            var text = earlier.isEmpty ? "epoch,wall_s,label_accuracy,fid,fid_floor,fid_over_floor\n" : earlier.joined(separator: "\n") + "\n"
            text += String(format: "%d,%.1f,%.4f,%.3f,%.3f,%.3f\n", epoch, seconds, r.labelAccuracy, r.fid, r.fidRealFloor, r.fid / r.fidRealFloor)
            try AtomicFile.write(text, to: csv)
            let reached = goal.isMet(by: r)
            report(String(format: "epoch %d: label accuracy %.4f, FID %.2f = %.2fx the floor%@", epoch, r.labelAccuracy, r.fid,
                          r.fid / r.fidRealFloor, reached ? " (quality goal met)" : ""))
            if reached && met == nil {
                met = (epoch, seconds)
                let line = "quality goal (\(goal.description)) met at epoch \(epoch) after \(Self.minutes(seconds)) of training"
                if stopAtGoal && epoch < config.optimization.epochs {
                    finishEarly(line + "; stopped there (--stop-at-goal)")
                } else {
                    report(line)
                }
            }
            recordMet()
            return metadata
        }
    }

    /// The closing line of a run that tracked `goal`: the epoch and minutes at which it was first met, or that it was not.
    public func qualityGoalSummary(_ goal: QualityGoal) -> String {
        qualityGoalMet.map { "quality goal (\(goal.description)) met at epoch \($0.epoch) after \(Self.minutes($0.seconds)) of training" }
            ?? "quality goal (\(goal.description)) not met in \(completedEpochs) epochs; quality.csv has the scores"
    }

    /// "7.4 min".
    static func minutes(_ seconds: Double) -> String { String(format: "%.1f min", seconds / 60) }
}

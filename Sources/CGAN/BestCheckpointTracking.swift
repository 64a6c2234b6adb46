import Files
import Datasets
import Evaluation
import Foundation
import Media

extension TrainingRun {
    /// Metadata key of the checkpoint: the best validation log-likelihood so far.
    static let bestValidationKey = "best_validation_ll"

    /// Scores the generator on the validation set every `every` epochs (and after the last) by the
    /// Parzen log-likelihood at the best σ, appends it to validation.csv, and keeps checkpoints/best
    /// at the best score so far (the paper's stopping rule).
    public func trackBestCheckpoint(every: Int, evaluator: GeneratorEvaluator, report: @escaping (String) -> Void) {
        let csv = directory.validation
        let bestKey = Self.bestValidationKey
        var best = (try? Checkpoint(path: directory.latestCheckpoint))
            .flatMap { Double($0.contents.metadata[bestKey] ?? "") } ?? -Double.infinity
        try? directory.dropRows(of: csv, after: completedEpochs)
        evaluator.isCancelled = { Interruption.requested }
        onEpochEnd = { [config, directory] epoch, generator in
            guard epoch % every == 0 || epoch == config.optimization.epochs else { return (false, [bestKey: String(best)]) }
            let score: ParzenWindow.Score, collapsed: [Int]
            do {
                (score, collapsed) = try evaluator.validate(generator, dropout: config.model.dropoutAtSampling)
            } catch is GeneratorEvaluator.Interrupted {
                report("epoch \(epoch): validation skipped (interrupted)")
                return (false, [bestKey: String(best)])
            }
            if !collapsed.isEmpty {
                report("warning: epoch \(epoch): class(es) \(collapsed.map(String.init).joined(separator: ", ")) look collapsed "
                       + "(samples far less varied than the validation images of the class)")
            }
            let improved = score.mean > best
            if improved { best = score.mean }
            try directory.appendRow(String(format: "%d,%.4f,%.3f,%.3f", epoch, score.sigma, score.mean, score.standardError),
                                    header: "epoch,sigma,validation_ll,standard_error", to: csv)
            report(String(format: "epoch %d: validation Parzen LL %.1f ± %.1f (σ %.3f)%@", epoch, score.mean,
                          score.standardError, score.sigma, improved ? ", best so far" : ""))
            return (improved, [bestKey: String(best)])
        }
    }
}

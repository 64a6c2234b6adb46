import ArgumentParser
import Foundation
import CGAN

/// `--truncation`, shared by sample, evaluate and interpolate: the truncation trick, applied to a loaded generator.
struct TruncationOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Draw z from the normal truncated to ±T (values beyond are drawn again): more typical images, less variety (default: no truncation).",
        discussion: "Models trained on normal noise only (mlp, mlp-bn, dcgan); T in 0.5...10. README's dcgan section measures the trade."))
    var truncation: Double?

    func validate() throws {
        let range = ConditionalGenerator.truncationRange
        if let truncation, !range.contains(truncation) {
            throw CommandError(String(format: "--truncation must be in %g...%g", range.lowerBound, range.upperBound))
        }
    }

    /// Sets `generator`'s truncation, refusing a model trained on uniform noise.
    func apply(to generator: ConditionalGenerator) throws {
        guard let truncation else { return }
        guard generator.allowsTruncation else {
            throw CommandError("--truncation applies to models trained on normal noise; this one was trained on \(generator.config.model.noise.rawValue) noise")
        }
        generator.truncation = truncation
    }
}

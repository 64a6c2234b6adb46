import ArgumentParser
import CGAN

/// `cgan train`'s options for where the run goes and what it writes along the way. Only
/// --dropout-at-sampling is a setting of the run; the rest may change when it is resumed.
struct OutputOptions: TrainingOptionGroup {
    @Option(help: "Run directory (default: runs/<arch>).")
    var out: String?

    @Flag(help: "Continue the run in --out from its latest checkpoint, exactly where it stopped; options that would change the run are refused.")
    var resume = false

    @Option(help: "Write a sample grid every N epochs.")
    var sampleEvery = 1

    @Option(help: "Also keep checkpoints/epoch-NNN.safetensors every N epochs (0: only latest and best).")
    var keepEvery = 0

    @Option(help: "Log D/G losses to metrics.csv and the screen every N steps.")
    var logEvery = 100

    @Option(help: "Score the validation set every K epochs (and after the last), keeping checkpoints/best.safetensors; 0: never.")
    var evalEvery = 5

    @Option(help: ArgumentHelp("Score label accuracy and FID as evaluate does (no Parzen) into quality.csv every K epochs and after "
                               + "the last; 0: never (default: 1 for dcgan on a registered data set, else 0)."))
    var qualityEvery: Int?

    @Flag(help: ArgumentHelp("End at the first scored epoch with " + QualityGoal().description + "."))
    var stopAtGoal = false

    @OptionGroup var sampling: SamplingDropoutOption
    /// How the validation set is scored: shared with `evaluate`, listed by --help-hidden here.
    @OptionGroup(visibility: .hidden) var evaluation: EvaluationOptions

    /// What to write along the way is not part of the run: a resumed run takes it anew.
    func validate() throws {
        if evalEvery < 0 { throw CommandError("--eval-every must be 0 (off) or more") }
        if sampleEvery < 1 || logEvery < 1 { throw CommandError("--sample-every and --log-every must be at least 1") }
        if let qualityEvery, qualityEvery < 0 { throw CommandError("--quality-every must be 0 (off) or more") }
        if keepEvery < 0 { throw CommandError("--keep-every must be 0 (off) or more") }
        try sampling.validateSingle()
    }

    var settings: [TrainingSetting] {
        [TrainingSetting("--dropout-at-sampling", \.model.dropoutAtSampling, sampling.dropoutAtSampling.map { $0 == .on })]
    }
}

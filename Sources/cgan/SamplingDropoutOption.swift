import ArgumentParser

/// Whether G keeps its dropout on while drawing samples.
enum DropoutAtSampling: String, ExpressibleByArgument, CaseIterable {
    case on, off, both
}

/// `--dropout-at-sampling`, shared by train, sample and evaluate, with one default rule: the run's own
/// setting (`ModelSettings.dropoutAtSampling`: on for the paper model, off for the others, unless the run was
/// trained with `--dropout-at-sampling`).
struct SamplingDropoutOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Keep G's dropout on while drawing samples: on, off, or both (evaluate only: a report for each).",
        discussion: "Default: the run's own setting (a new run: on for paper, off for the others; docs/experiments.md, question 6)."))
    var dropoutAtSampling: DropoutAtSampling?

    /// Refuses `both` where one way of sampling is needed.
    func validateSingle() throws {
        if dropoutAtSampling == .both { throw CommandError("--dropout-at-sampling both is for evaluate only; choose on or off") }
    }

    /// The ways to sample, as `dropout` arguments of `generate`.
    func modes(runSetting: Bool) -> [Bool] {
        switch dropoutAtSampling {
        case nil: [runSetting]
        case .on: [true]
        case .off: [false]
        case .both: [false, true]
        }
    }
}

import ArgumentParser
import CGAN

/// `cgan train`'s data options: which data set, where it is, and how much of it to train on.
struct TrainingDataOptions: TrainingOptionGroup {
    @OptionGroup var location: DataCommand.Location

    @Option(help: .setting(\.data.trainLimit, "Train on the first N training images only (quick trials)"))
    var trainLimit: Int?

    var settings: [TrainingSetting] {
        [TrainingSetting("--dataset", \.data.dataset, location.dataset?.lowercased()),
         TrainingSetting("--train-limit", optional: \.data.trainLimit, trainLimit)]
    }
}

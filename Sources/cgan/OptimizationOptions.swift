import ArgumentParser
import CGAN

extension GeneratorLoss: ExpressibleByArgument {}
extension AdversarialLoss: ExpressibleByArgument {}

/// `cgan train`'s optimisation options: budget, seed, learning rate and losses.
struct OptimizationOptions: TrainingOptionGroup {
    @Option(help: .setting(\.optimization.epochs, "Epochs to train", note: "with --resume: the new total"))
    var epochs: Int?

    @Option(help: .setting(\.optimization.batchSize, "Minibatch size"))
    var batchSize: Int?

    @Option(help: .setting(\.optimization.seed, "Random seed: the same seed gives the same run"))
    var seed: UInt64?

    @Option(help: .setting(\.optimization.learningRate, "Initial learning rate (SGD for paper, Adam otherwise)"))
    var lr: Double?

    @Option(help: .setting(\.optimization.learningRateDecayStart, "Adam models: after this fraction of the run, the learning rate falls linearly to zero"))
    var lrDecayFrom: Double?

    @Option(help: .setting(\.optimization.adversarialLoss, "How D scores real against generated images: bce (cross-entropy) or hinge"))
    var loss: AdversarialLoss?

    @Option(help: .setting(\.optimization.generatorLoss, "G's loss with bce: non-saturating (-log D(G(z))) or saturating (log(1 - D(G(z))))", hidden: true))
    var gLoss: GeneratorLoss?

    @Option(help: .setting(\.optimization.discriminatorLearningRateScale, "D's learning rate is this times --lr (two time-scale updates)", hidden: true))
    var dLrScale: Double?

    @Option(help: .setting(\.optimization.momentumStart, "paper: SGD's momentum at the start, moving linearly to 0.7 over --momentum-saturate-epochs", hidden: true))
    var momentum: Double?

    @Option(help: .setting(\.optimization.momentumSaturateEpochs, "paper: epochs over which SGD's momentum moves from --momentum to 0.7", hidden: true))
    var momentumSaturateEpochs: Double?

    var settings: [TrainingSetting] {
        [TrainingSetting("--epochs", \.optimization.epochs, epochs),
         TrainingSetting("--batch-size", \.optimization.batchSize, batchSize),
         TrainingSetting("--seed", \.optimization.seed, seed),
         TrainingSetting("--lr", \.optimization.learningRate, lr),
         TrainingSetting("--lr-decay-from", optional: \.optimization.learningRateDecayStart, lrDecayFrom),
         TrainingSetting("--loss", \.optimization.adversarialLoss, loss),
         TrainingSetting("--g-loss", \.optimization.generatorLoss, gLoss),
         TrainingSetting("--d-lr-scale", \.optimization.discriminatorLearningRateScale, dLrScale),
         TrainingSetting("--momentum", \.optimization.momentumStart, momentum),
         TrainingSetting("--momentum-saturate-epochs", \.optimization.momentumSaturateEpochs, momentumSaturateEpochs)]
    }
}

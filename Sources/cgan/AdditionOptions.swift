import ArgumentParser
import CGAN

/// `cgan train`'s options for what this tool adds to the models as the PyTorch reference trains them.
struct AdditionOptions: TrainingOptionGroup {
    @Flag(help: "Start from the model as the PyTorch reference trains it (dcgan: none of these additions, no dropout in D); other options still apply.")
    var reference = false

    @Flag(inversion: .prefixedNo, help: .setting(\.additions.projectionDiscriminator, "dcgan: D ends in a projection of its features on a learned class embedding (Miyato & Koyama, 2018)"))
    var projection: Bool?

    @Flag(inversion: .prefixedNo, help: .setting(\.additions.classBatchNorm, "dcgan: G's batch norms learn their scale and shift per class"))
    var classBatchNorm: Bool?

    @Option(help: .setting(\.additions.generatorAverageDecay, "Draw samples from a moving average of G's weights with this decay per step; 0: off"))
    var gAverage: Double?

    @Option(help: .setting(\.additions.discriminatorHeadDropout, "dcgan: dropout probability on the features D's head reads, after the second convolution; none: --d-dropout's"))
    var dHeadDropout: Double?

    @Flag(inversion: .prefixedNo, help: .setting(\.additions.discriminatorDropoutInGeneratorStep, "D's dropout is on also when D scores G's images for G's update, as in PyTorch's D.train()", hidden: true))
    var dropoutInGStep: Bool?

    @Flag(inversion: .prefixedNo, help: .setting(\.additions.spectralNorm, "dcgan: spectrally normalise every weight of D (Miyato et al., 2018), as with --loss hinge", hidden: true))
    var spectralNorm: Bool?

    @Flag(inversion: .prefixedNo, help: .setting(\.additions.headSpectralNorm, "With --spectral-norm: also the projection head's weight and class embedding", hidden: true))
    var headSpectralNorm: Bool?

    @Option(help: .setting(\.additions.classLossWeight, "dcgan with the projection D: weight of an auxiliary class loss (AC-GAN); 0: off", hidden: true))
    var classLoss: Double?

    @Option(help: .setting(\.additions.modeSeekingWeight, "Adam models: weight of G's mode-seeking term, against collapse onto one style (try 1); 0: off"))
    var modeSeeking: Double?

    @Option(help: .setting(\.additions.modeSeekingGrid, "With --mode-seeking: compare a pair's images by the means of N x N blocks per channel (N divides --image-size), so that speckle does not count as variety; 0: pixel by pixel", hidden: true))
    var modeSeekingGrid: Int?

    var settings: [TrainingSetting] {
        [TrainingSetting("--projection", \.additions.projectionDiscriminator, projection),
         TrainingSetting("--class-batch-norm", \.additions.classBatchNorm, classBatchNorm),
         TrainingSetting("--g-average", \.additions.generatorAverageDecay, gAverage),
         TrainingSetting("--d-head-dropout", optional: \.additions.discriminatorHeadDropout, dHeadDropout),
         TrainingSetting("--dropout-in-g-step", \.additions.discriminatorDropoutInGeneratorStep, dropoutInGStep),
         TrainingSetting("--spectral-norm", \.additions.spectralNorm, spectralNorm),
         TrainingSetting("--head-spectral-norm", \.additions.headSpectralNorm, headSpectralNorm),
         TrainingSetting("--class-loss", \.additions.classLossWeight, classLoss),
         TrainingSetting("--mode-seeking", \.additions.modeSeekingWeight, modeSeeking),
         TrainingSetting("--mode-seeking-grid", \.additions.modeSeekingGrid, modeSeekingGrid)]
    }
}

import ArgumentParser
import CGAN

extension Architecture: ExpressibleByArgument {}
extension NoiseDistribution: ExpressibleByArgument {}
extension DiscriminatorKind: ExpressibleByArgument {}
extension DiscriminatorConditioning: ExpressibleByArgument {}

/// `cgan train`'s model options: the architecture, its noise, widths, dropout and initial weights.
struct ModelOptions: TrainingOptionGroup {
    /// The model a new run trains when --arch is not given: the paper's on a data set of the MNIST family,
    /// the dcgan on an image folder (colour and larger images are what convolutions are for).
    static let defaultArchitecture = Architecture.paper, defaultFolderArchitecture = Architecture.dcgan

    /// The model a new run trains: --arch, else the default for its data.
    func architecture(forImageFolder: Bool) -> Architecture {
        arch ?? (forImageFolder ? Self.defaultFolderArchitecture : Self.defaultArchitecture)
    }

    @Option(help: "Model: paper (Mirza & Osindero), mlp (concatenate first), mlp-bn (separate embeddings, batch norm), dcgan (convolutional) (default: \(defaultArchitecture.rawValue); with --images: \(defaultFolderArchitecture.rawValue)).")
    var arch: Architecture?

    @Option(help: .setting(\.model.noise, "Distribution of z: uniform in [0, 1) or normal", hidden: true))
    var noise: NoiseDistribution?

    @Option(help: .setting(\.model.widthMultiplier, "Scale every hidden width of G and D (dcgan: channels) by this, in 0.125...8"))
    var width: Double?

    @Option(help: .setting(\.model.generatorWidthMultiplier, "Scale G's hidden widths alone by this, in 0.125...8; none: --width", hidden: true))
    var gWidth: Double?

    @Option(help: .setting(\.model.discriminatorWidthMultiplier, "Scale D's hidden widths alone by this, in 0.125...8; none: --width", hidden: true))
    var dWidth: Double?

    @Option(help: .setting(\.model.generatorDropout, "MLP models: dropout probability in G's hidden layers"))
    var gDropout: Double?

    @Flag(name: .customLong("g-embed-apart"), inversion: .prefixedNo, help: .setting(\.model.generatorEmbedsApart, "mlp: z and y through 256 units each before they meet, as mlp-bn's G (instead of [z, y] at the input)", hidden: true))
    var gEmbedsApart: Bool?

    @Flag(inversion: .prefixedNo, help: .setting(\.model.generatorBatchNorm, "mlp: batch norm after each of G's hidden linear maps, as mlp-bn's G", hidden: true))
    var gBatchNorm: Bool?

    @Flag(name: .customLong("g-relu"), inversion: .prefixedNo, help: .setting(\.model.generatorReLU, "mlp: ReLU hidden units in G, as mlp-bn's (instead of LeakyReLU 0.2)", hidden: true))
    var gReLU: Bool?

    @Option(help: .setting(\.model.discriminatorDropout, "Dropout probability in D's hidden layers (dcgan: after the first convolution)"))
    var dDropout: Double?

    @Option(help: .setting(\.model.discriminatorInputDropout, "The paper's D (maxout or paper-leaky): dropout probability on D's image input", hidden: true))
    var dInputDropout: Double?

    @Option(help: .setting(\.model.discriminator, "D of an MLP model: maxout (the paper's), leaky (mlp's) or paper-leaky (the paper's with LeakyReLU units instead of maxout); none: the model's own", hidden: true))
    var discriminator: DiscriminatorKind?

    @Option(help: .setting(\.model.discriminatorConditioning, "Where the paper's D reads the class: hidden (its own maxout layer, joined at the hidden layer: the paper's), input (one-hot beside the image), embedding (a learned 50-vector beside the image) or projection (a projection head after the hidden layer); none: hidden", hidden: true))
    var dConditioning: DiscriminatorConditioning?

    @Option(help: .setting(\.model.generatorOutputDropout, "Dropout probability after G's output activation, the pitfall measured by cgan experiment", hidden: true))
    var gOutputDropout: Double?

    @Option(help: .setting(\.model.generatorInitRange, "paper: G's initial weights are uniform in ±this", hidden: true))
    var gInitRange: Double?

    @Option(help: .setting(\.model.discriminatorInitRange, "paper: D's initial weights are uniform in ±this", hidden: true))
    var dInitRange: Double?

    @Option(help: .setting(\.model.discriminatorMaxNorm, "Limit each D unit's incoming weight vector to this L2 norm", hidden: true))
    var dMaxNorm: Double?

    var settings: [TrainingSetting] {
        [TrainingSetting("--arch", \.architecture, arch),
         TrainingSetting("--noise", \.model.noise, noise),
         TrainingSetting("--width", \.model.widthMultiplier, width),
         TrainingSetting("--g-width", optional: \.model.generatorWidthMultiplier, gWidth),
         TrainingSetting("--d-width", optional: \.model.discriminatorWidthMultiplier, dWidth),
         TrainingSetting("--g-dropout", \.model.generatorDropout, gDropout),
         TrainingSetting("--g-embed-apart", \.model.generatorEmbedsApart, gEmbedsApart),
         TrainingSetting("--g-batch-norm", \.model.generatorBatchNorm, gBatchNorm),
         TrainingSetting("--g-relu", \.model.generatorReLU, gReLU),
         TrainingSetting("--d-dropout", \.model.discriminatorDropout, dDropout),
         TrainingSetting("--d-input-dropout", \.model.discriminatorInputDropout, dInputDropout),
         TrainingSetting("--discriminator", optional: \.model.discriminator, discriminator),
         TrainingSetting("--d-conditioning", optional: \.model.discriminatorConditioning, dConditioning),
         TrainingSetting("--g-output-dropout", \.model.generatorOutputDropout, gOutputDropout),
         TrainingSetting("--g-init-range", \.model.generatorInitRange, gInitRange),
         TrainingSetting("--d-init-range", \.model.discriminatorInitRange, dInitRange),
         TrainingSetting("--d-max-norm", optional: \.model.discriminatorMaxNorm, dMaxNorm)]
    }
}

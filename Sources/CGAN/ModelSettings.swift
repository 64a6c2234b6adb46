/// The shape of G and D beyond their architecture: noise, widths, dropout and initial weights.
public struct ModelSettings: Codable, Sendable, Equatable {
    public var noise: NoiseDistribution
    public var noiseSize = 100
    /// Hidden widths (and dcgan's channels) of G and D are scaled by this.
    public var widthMultiplier = 1.0
    /// G's own width multiplier, instead of `widthMultiplier`, so that G and D can be scaled apart.
    public var generatorWidthMultiplier: Double?
    /// D's own width multiplier, instead of `widthMultiplier`.
    public var discriminatorWidthMultiplier: Double?
    /// D's design for an MLP architecture; nil: the architecture's own.
    public var discriminator: DiscriminatorKind?
    /// Where the paper's D (maxout or paper-leaky) reads the class; nil: the paper's (`.hidden`).
    public var discriminatorConditioning: DiscriminatorConditioning?
    public var generatorDropout: Double
    /// mlp's G, one factor of mlp-bn's G at a time: z and y through layers of their own (256 units each) before
    /// they meet, instead of [z, y] concatenated at the input.
    public var generatorEmbedsApart = false
    /// mlp's G: batch norm after each hidden layer's linear map.
    public var generatorBatchNorm = false
    /// mlp's G: ReLU hidden units instead of its LeakyReLU 0.2.
    public var generatorReLU = false
    /// D's dropout (dcgan: after the first convolution, and after the second unless
    /// `DCGANAdditions.discriminatorHeadDropout` says otherwise).
    public var discriminatorDropout: Double
    /// The paper's D (maxout or paper-leaky): dropout on D's image input.
    public var discriminatorInputDropout: Double
    /// Dropout after G's output activation: the pitfall, kept as an option so it can be measured.
    public var generatorOutputDropout = 0.0
    /// paper: uniform(-r, r) initial weights of G and D (pylearn2's irange).
    public var generatorInitRange = 0.05
    public var discriminatorInitRange = 0.005
    /// paper: start G's output bias at the logit of the data's mean pixel (as Goodfellow's GAN code does).
    public var generatorOutputBiasFromData = true
    /// If set, D's weight rows (one unit's incoming weights) are limited to this L2 norm.
    public var discriminatorMaxNorm: Double?
    /// Keep G's dropout on when drawing samples (the paper does not say which). On by default for the paper
    /// model, whose G draws its variety from the dropout masks (off, it draws one glyph per class); off for the
    /// others, which sample better without (docs/experiments.md, question 6).
    public var dropoutAtSampling = false

    /// The multiplier of G's hidden widths: its own, else the shared one.
    public var generatorWidth: Double { generatorWidthMultiplier ?? widthMultiplier }
    /// The multiplier of D's hidden widths: its own, else the shared one.
    public var discriminatorWidth: Double { discriminatorWidthMultiplier ?? widthMultiplier }

    /// `units` scaled by `multiplier`, at least 1.
    static func scaled(_ units: Int, by multiplier: Double) -> Int { max(1, Int((Double(units) * multiplier).rounded())) }

    /// The documented defaults of `architecture`.
    init(architecture: Architecture) {
        switch architecture {
        case .paper:
            noise = .uniform; generatorDropout = 0.5; discriminatorDropout = 0.5; discriminatorInputDropout = 0.2
            dropoutAtSampling = true
        case .mlp, .dcgan:
            noise = .normal; generatorDropout = 0; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        case .mlpBN:
            noise = .normal; generatorDropout = 0.2; discriminatorDropout = 0.3; discriminatorInputDropout = 0
        }
    }
}

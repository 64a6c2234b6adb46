/// What this tool adds to the models as the PyTorch reference builds them: on by default for dcgan (README's
/// choice for the two quality bars), off in `TrainingConfig(reference:)` and for runs stored before a setting existed.
public struct DCGANAdditions: Codable, Sendable, Equatable {
    /// dcgan: D ends in a projection of its features on a learned embedding of the class (`ProjectionHead`).
    public var projectionDiscriminator = false
    /// Sample from an exponential moving average of G's weights with this decay per step; 0: off.
    public var generatorAverageDecay = 0.0
    /// dcgan: G's batch norms take their scale and shift from the class (`ClassAffine` after a batch norm
    /// without its own), so G is told the class at every normalised layer, not only at its input.
    public var classBatchNorm = false
    /// dcgan: dropout on the features D's head reads (after the second convolution); nil: `ModelSettings.discriminatorDropout`.
    public var discriminatorHeadDropout: Double?
    /// D's dropout is on too when D scores G's images for G's update (as PyTorch's `D.train()` leaves it);
    /// false: G learns from the whole D, while D still trains with dropout.
    public var discriminatorDropoutInGeneratorStep = true
    /// dcgan: every weight of D is spectrally normalised (`SpectralNorm`).
    public var spectralNorm = false
    /// With `spectralNorm`: the projection head's weight and class embedding too (false: only the convolutions,
    /// so the class term is not bounded).
    public var headSpectralNorm = true
    /// dcgan with the projection D: the weight of an auxiliary class loss (AC-GAN, Odena et al. 2017). D also
    /// predicts the class of real images from its features, and G is scored by that prediction on its own
    /// images, so G is pushed to draw images D recognises as the class asked for; 0: off.
    public var classLossWeight = 0.0
    /// The weight of a mode-seeking term in G's loss (Mao et al. 2019, `addModeSeekingTerm`): the fake batch's
    /// second half repeats its first half's classes with other noise, and G is pushed apart from drawing the
    /// same image for both; against collapse onto one style (one colour of a colour data set); 0: off.
    public var modeSeekingWeight = 0.0
    /// With `modeSeekingWeight`: 0 compares a pair's images pixel by pixel (as MSGAN); N > 0 compares the means
    /// of an N x N array of blocks per channel, so that speckle does not count as variety (docs/images.md).
    public var modeSeekingGrid = 0

    /// The documented defaults of `architecture`.
    init(architecture: Architecture) {
        guard architecture == .dcgan else { return }
        projectionDiscriminator = true; generatorAverageDecay = 0.999; classBatchNorm = true
        // Dropout keeps away from what reaches G: only after the first convolution, so the head reads
        // whole features, and off when D scores G's images for G's update, so G learns from the whole D
        // (README, "Where D's dropout acts").
        discriminatorHeadDropout = 0; discriminatorDropoutInGeneratorStep = false
    }
}

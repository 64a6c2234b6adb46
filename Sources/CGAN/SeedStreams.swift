/// Offsets added to a run's seed, one per random stream, so that no two streams draw the same numbers.
/// Changing one changes what that stream draws in every run made afterwards.
public enum SeedStream {
    /// The random state G and D carry (their dropout masks).
    public static let generatorDropout: UInt64 = 101
    public static let discriminatorDropout: UInt64 = 202
    /// The initial weights of both nets.
    public static let initialization: UInt64 = 303
    /// The noise and fake labels of each training step (`TrainingStep.rng`).
    public static let training: UInt64 = 404
    /// The start vectors of spectral normalisation's power iterations.
    public static let spectralNorm: UInt64 = 505
    /// The fixed noise of the sample grid written after every epoch.
    public static let sampleGridNoise: UInt64 = 808
    /// Dropout (when kept on) while drawing that grid.
    public static let sampleGridDrawing: UInt64 = 606
    /// Batches that refresh the batch-norm statistics of G's weight average; the step is added to it.
    public static let averageStatistics: UInt64 = 707
}

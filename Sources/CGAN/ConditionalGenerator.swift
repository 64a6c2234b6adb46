import Datasets
import NN

/// A trained generator ready to draw images of chosen classes: the library's entry point for sampling.
///
///     let g = try ConditionalGenerator(checkpoint: "runs/paper/checkpoints/best.safetensors")
///     let sevens = g.generate(label: 7, count: 64, seed: 1)   // [64, 784], pixels in [0, 1]
public final class ConditionalGenerator {
    public let net: ConditionalNet
    public let config: TrainingConfig
    public let classCount: Int, imageSize: Int
    /// Rows generated per forward pass.
    public var chunkSize = 500
    /// Draw z from the normal truncated to ±`truncation` (the truncation trick, Brock et al. 2019): more
    /// typical images, less variety. Nil: the noise G was trained on. Applies to the seeded draws, not to
    /// noise passed in; normal noise only (`allowsTruncation`).
    public var truncation: Double?
    /// The truncations the tools accept: below 0.5 almost every draw is redrawn, above 10 nothing is.
    public static let truncationRange: ClosedRange<Double> = 0.5...10

    /// What the weights came from, for errors: the checkpoint's path, or "the generator being trained".
    public var source = "the generator being trained"

    /// Generator output that holds NaN or infinity: weights that are finite but unusable (huge values, a
    /// negative variance) make it; it is an error naming the weights, never pixels.
    public struct OutputError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The classes' names in label order: the run's own (an image folder's sub-folders), else its data set's,
    /// else the label numbers.
    public var classNames: [String] { config.classNames(count: classCount) ?? (0..<classCount).map(String.init) }

    /// The label `text` names; nil when none. A number in range is always the class number (pages and scripts
    /// send numbers, and an image folder's classes may be named like numbers in another order); other text is a
    /// class name, exactly, else ignoring case where that fits one class only.
    public func label(named text: String) -> Int? {
        if let number = Int(text), (0..<classCount).contains(number) { return number }
        // A class folder's name fits in 255 bytes; longer text names nothing and is not worth a look-up.
        guard text.utf8.count <= 255 else { return nil }
        let names = classNames
        if let exact = names.firstIndex(of: text) { return exact }
        let folded = caseInsensitiveMatches(text)
        return folded.count == 1 ? folded[0] : nil
    }

    /// The classes whose names equal `text` ignoring case.
    public func caseInsensitiveMatches(_ text: String) -> [Int] {
        let lowered = text.lowercased()
        return classNames.indices.filter { classNames[$0].lowercased() == lowered }
    }

    /// True when the classes have names of their own, not just their numbers.
    public var hasClassNames: Bool { !classNames.areClassNumbers }

    /// Whether `truncation` may be set: G was trained on normal noise.
    public var allowsTruncation: Bool { config.model.noise == .normal }

    /// Wraps a generator being trained (sampling leaves its training state untouched).
    public init(net: ConditionalNet, config: TrainingConfig, classCount: Int, imageSize: Int) {
        self.net = net
        self.config = config
        self.classCount = classCount
        self.imageSize = imageSize
    }

    /// Loads the generator of a checkpoint, checking every tensor's name and shape; it multiplies with `matrixProducts`.
    public convenience init(checkpoint path: String, matrixProducts: MatrixProducts = MatrixProducts()) throws {
        try self.init(checkpoint: Checkpoint(path: path), matrixProducts: matrixProducts)
    }

    /// The generator of a checkpoint already read (`cgan serve` reads run files itself, refusing links).
    public convenience init(checkpoint: Checkpoint, matrixProducts: MatrixProducts = MatrixProducts()) throws {
        let models = GANModels(config: checkpoint.config, classCount: checkpoint.classCount, matrixProducts: matrixProducts)
        var tensors = checkpoint.tensors
        // A run that keeps an average of G's weights is sampled from the average.
        let prefix = checkpoint.config.additions.generatorAverageDecay > 0 ? "avgG" : "G"
        try tensors.load(models.generator, prefix: prefix)
        try tensors.checkEverythingUsed(prefix: prefix)
        self.init(net: models.generator, config: checkpoint.config, classCount: checkpoint.classCount, imageSize: models.imageSize)
        source = checkpoint.path
    }

    // MARK: Checked sampling: every tool that writes or scores images samples through these.

    /// `count` images of class `label`; throws `OutputError` when G's output is not finite.
    public func images(label: Int, count: Int, seed: UInt64, dropout: Bool? = nil) throws -> Matrix {
        try images(labels: [Int](repeating: label, count: count), seed: seed, dropout: dropout)
    }

    /// One image per entry of `labels` (as `generate(labels:seed:dropout:)`); throws `OutputError` when G's
    /// output is not finite.
    public func images(labels: [Int], seed: UInt64, dropout: Bool? = nil) throws -> Matrix {
        let out = Matrix(rows: labels.count, cols: imageSize)
        try forEachChunk(labels: labels, seed: seed, dropout: dropout) { images, rows in out.rows(rows).copy(from: images) }
        return out
    }

    /// Images for given noise rows; throws `OutputError` when G's output is not finite.
    public func images(noise z: Matrix, labels: [Int], seed: UInt64, dropout: Bool? = nil) throws -> Matrix {
        let out = Matrix(rows: labels.count, cols: imageSize)
        try forEachChunk(noise: z, labels: labels, seed: seed, dropout: dropout) { images, rows in out.rows(rows).copy(from: images) }
        return out
    }

    /// Images for noise rows and class weights (as `generate(noise:classWeights:seed:dropout:)`); throws
    /// `OutputError` when G's output is not finite.
    public func images(noise z: Matrix, classWeights: Matrix, seed: UInt64, dropout: Bool? = nil) throws -> Matrix {
        precondition(classWeights.rows == z.rows && classWeights.cols == classCount, "class weights must be [\(z.rows), \(classCount)]")
        let out = Matrix(rows: z.rows, cols: imageSize)
        try forEachChunk(noise: z, seed: seed, dropout: dropout, labels: { rows, y in y.copy(from: classWeights.rows(rows)) }) {
            images, rows in
            try checkFinite(images)
            out.rows(rows).copy(from: images)
        }
        return out
    }

    /// The one place G's output is checked: every checked way of sampling calls it on each chunk.
    private func checkFinite(_ images: Matrix) throws {
        let p = images.pointer
        for i in 0..<images.count where !p[i].isFinite {
            throw OutputError(description: "\(source): the generator's output is not finite (NaN or infinity): its weights cannot make images")
        }
    }

    // MARK: Unchecked sampling (output as G makes it, NaN included).

    /// `count` images of class `label`.
    public func generate(label: Int, count: Int, seed: UInt64, dropout: Bool? = nil) -> Matrix {
        generate(labels: [Int](repeating: label, count: count), seed: seed, dropout: dropout)
    }

    /// One image per entry of `labels`, as rows of pixels in [0, 1]. The same seed gives the same images.
    /// `dropout`: keep G's dropout on while drawing; nil: the run's `dropoutAtSampling`.
    public func generate(labels: [Int], seed: UInt64, dropout: Bool? = nil) -> Matrix {
        generate(noise: noise(count: labels.count, seed: seed), labels: labels, seed: seed, dropout: dropout)
    }

    /// Images for given noise rows (fixed noise shows progress across epochs).
    public func generate(noise z: Matrix, labels: [Int], seed: UInt64, dropout: Bool? = nil) -> Matrix {
        let out = Matrix(rows: labels.count, cols: imageSize)
        uncheckedChunks(noise: z, labels: labels, seed: seed, dropout: dropout) { images, rows in out.rows(rows).copy(from: images) }
        return out
    }

    /// The images `images(labels:seed:dropout:)` returns, handed to `body` `chunkSize` rows at a time
    /// (a view valid during the call), so that large exports need not hold them all.
    /// Throws `OutputError` (before `body` sees it) when a chunk is not finite.
    public func forEachChunk(labels: [Int], seed: UInt64, dropout: Bool? = nil,
                             _ body: (Matrix, Range<Int>) throws -> Void) throws {
        try forEachChunk(noise: noise(count: labels.count, seed: seed), labels: labels, seed: seed, dropout: dropout, body)
    }

    /// Images for given noise rows, `chunkSize` rows at a time; throws `OutputError` (before `body` sees it)
    /// when a chunk is not finite.
    public func forEachChunk(noise z: Matrix, labels: [Int], seed: UInt64, dropout: Bool? = nil,
                             _ body: (Matrix, Range<Int>) throws -> Void) throws {
        try uncheckedChunks(noise: z, labels: labels, seed: seed, dropout: dropout) { images, rows in
            try checkFinite(images)
            try body(images, rows)
        }
    }

    /// The seeded noise of `count` draws.
    private func noise(count: Int, seed: UInt64) -> Matrix {
        let z = Matrix(rows: count, cols: config.model.noiseSize)
        config.model.noise.fill(z, rng: RandomGenerator(seed: seed), truncation: truncation)
        return z
    }

    private func uncheckedChunks(noise z: Matrix, labels: [Int], seed: UInt64, dropout: Bool?,
                                 _ body: (Matrix, Range<Int>) throws -> Void) rethrows {
        precondition(labels.allSatisfy { (0..<classCount).contains($0) }, "label outside 0..<\(classCount)")
        try forEachChunk(noise: z, seed: seed, dropout: dropout, labels: { rows, y in
            labels[rows].map(Int32.init).withUnsafeBufferPointer { oneHot($0, into: y) }
        }, body)
    }

    /// Images for noise rows [n, noise] and class weights [n, classes]: one-hot rows, or blends of classes
    /// (which the generator never saw in training: the way between two classes at a fixed style).
    public func generate(noise z: Matrix, classWeights: Matrix, seed: UInt64, dropout: Bool? = nil) -> Matrix {
        precondition(classWeights.rows == z.rows && classWeights.cols == classCount, "class weights must be [\(z.rows), \(classCount)]")
        let out = Matrix(rows: z.rows, cols: imageSize)
        forEachChunk(noise: z, seed: seed, dropout: dropout, labels: { rows, y in y.copy(from: classWeights.rows(rows)) }) {
            images, rows in out.rows(rows).copy(from: images)
        }
        return out
    }

    /// The one loop under every way of sampling: `labels` fills the [chunk, classes] input of each chunk.
    private func forEachChunk(noise z: Matrix, seed: UInt64, dropout: Bool?, labels fillLabels: (Range<Int>, Matrix) -> Void,
                              _ body: (Matrix, Range<Int>) throws -> Void) rethrows {
        let mode: Mode = dropout ?? config.model.dropoutAtSampling ? .inferenceKeepingDropout : .inference
        // Dropout masks come from the net's generator: draw them from the seed, and leave training's state as it was.
        let saved = net.rng.state
        net.rng.restore(RandomGenerator(seed: seed &+ 1).state)
        defer { net.rng.restore(saved) }
        var images = Workspace()
        var start = 0
        while start < z.rows {
            let end = min(start + chunkSize, z.rows)
            let y = Matrix(rows: end - start, cols: classCount)
            fillLabels(start..<end, y)
            let chunk = images.matrix(rows: end - start, cols: imageSize)
            chunk.copy(from: net.forward(z.rows(start..<end), labels: y, mode: mode))
            if config.pixelScale == .symmetric {
                let p = chunk.pointer
                for i in 0..<chunk.count { p[i] = (p[i] + 1) / 2 }
            }
            try body(chunk, start..<end)
            start = end
        }
    }
}

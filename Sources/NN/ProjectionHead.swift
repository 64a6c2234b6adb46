/// The output of a projection discriminator (Miyato & Koyama, 2018): a linear score of the features plus
/// their inner product with an embedding of the class, out = h·w + b + ⟨yE, h⟩.
///
/// The class enters at the last layer as a learned direction in feature space, so D must judge whether the
/// features fit the class asked for, not only whether they look real: a stronger push towards the class
/// than the label alone at D's input gives. Labels are rows of class weights (one-hot in training).
public final class ProjectionHead: Module, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    /// weight [1, F], bias [1], embedding [K, F].
    public let weight: Parameter, bias: Parameter, embedding: Parameter
    public let features: Int, classes: Int
    private var input = noGradient, labels = noGradient
    private var output = Workspace(), gradInput = Workspace(), classDirections = Workspace(), weighted = Workspace()

    /// Spectral normalisation of `weight` and `embedding`, when the head was built with it.
    public let spectralNorms: (weight: SpectralNormalization, embedding: SpectralNormalization)?

    public var matrixProducts = MatrixProducts() {
        didSet {
            spectralNorms?.weight.matrixProducts = matrixProducts
            spectralNorms?.embedding.matrixProducts = matrixProducts
        }
    }

    /// `spectralNormRNG`, when given, spectrally normalises the weight and the embedding (their u and v start from it).
    public init(features: Int, classes: Int, spectralNormRNG: RandomGenerator? = nil) {
        self.features = features
        self.classes = classes
        let weight = Parameter(shape: [1, features]), embedding = Parameter(shape: [classes, features])
        self.weight = weight
        self.embedding = embedding
        bias = Parameter(shape: [1])
        spectralNorms = spectralNormRNG.map {
            (SpectralNormalization(normalizing: weight, rng: $0), SpectralNormalization(normalizing: embedding, rng: $0))
        }
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        guard let norms = spectralNorms else { return [("weight", weight), ("bias", bias), ("embedding", embedding)] }
        return norms.weight.namedParameters("weight") + [("bias", bias)] + norms.embedding.namedParameters("embedding")
    }

    /// PyTorch's Linear defaults for weight and bias. The embedding starts at zero, so the class term grows from
    /// nothing (every dcgan run before spectral normalisation trained so); with spectral normalisation, which
    /// cannot normalise a zero matrix, it starts uniform in the same bound as the weight.
    /// The score's weights uniform in ±`range` as a uniformly initialised net's other layers (pylearn2's
    /// irange), bias zero, and the class embedding at zero, so that D starts as an unconditional one and learns
    /// where the class points.
    public func initializeUniform(range: Float, rng: RandomGenerator) {
        rng.fillUniform(spectralNorms?.weight.original.value ?? weight.value, low: -range, high: range)
        bias.value.fill(0)
        (spectralNorms?.embedding.original.value ?? embedding.value).fill(0)
    }

    public func initializeDefault(rng: RandomGenerator) {
        let bound = 1 / Float(features).squareRoot()
        rng.fillUniform(spectralNorms?.weight.original.value ?? weight.value, low: -bound, high: bound)
        rng.fillUniform(bias.value, low: -bound, high: bound)
        if let norms = spectralNorms {
            rng.fillUniform(norms.embedding.original.value, low: -bound, high: bound)
        } else {
            embedding.value.fill(0)
        }
    }

    /// h [B, F], y [B, K] -> [B, 1].
    public func forward(_ h: Matrix, labels y: Matrix, mode: Mode) -> Matrix {
        precondition(h.cols == features && y.cols == classes && y.rows == h.rows,
                     "ProjectionHead(\(features), \(classes)) got \(h.shape) and \(y.shape)")
        if let norms = spectralNorms {
            norms.weight.normalize(updating: mode == .training)
            norms.embedding.normalize(updating: mode == .training)
        }
        input = h
        labels = y
        let directions = classDirections.matrix(rows: h.rows, cols: features)
        gemm(y, embedding.value, into: directions, using: matrixProducts)  // yE [B, F]
        let out = output.matrix(rows: h.rows, cols: 1)
        let w = weight.value.pointer, b = bias.value.pointer[0]
        for r in 0..<h.rows {
            let hr = h.pointer + r * features, er = directions.pointer + r * features
            var s: Float = 0
            for j in 0..<features { s += hr[j] * (w[j] + er[j]) }
            out.pointer[r] = s + b
        }
        return out
    }

    /// dy [B, 1] -> dh [B, F]; labels take no gradient.
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let n = input.rows, f = features, h = input.pointer, g = dy.pointer
        let directions = classDirections.matrix(rows: n, cols: f)   // still yE from the forward pass
        if needs.contains(.parameters) {
            let gh = weighted.matrix(rows: n, cols: f)              // g ∘ h: dE = yᵀ (g ∘ h), dw = Σ_rows g ∘ h
            for r in 0..<n {
                let hr = h + r * f, out = gh.pointer + r * f, gr = g[r]
                for j in 0..<f { out[j] = gr * hr[j] }
            }
            sumRows(of: gh, into: weight.gradient)
            var db: Float = 0
            for r in 0..<n { db += g[r] }
            bias.gradient.pointer[0] = db
            gemm(labels, gh, into: embedding.gradient, transposeA: true, using: matrixProducts)
            spectralNorms?.weight.propagateGradient()
            spectralNorms?.embedding.propagateGradient()
        }
        guard needs.contains(.input) else { return noGradient }
        let dh = gradInput.matrix(rows: n, cols: f)                 // dh = g (w + yE)
        let w = weight.value.pointer
        for r in 0..<n {
            let er = directions.pointer + r * f, out = dh.pointer + r * f, gr = g[r]
            for j in 0..<f { out[j] = gr * (w[j] + er[j]) }
        }
        return dh
    }
}

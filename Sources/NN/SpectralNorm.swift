/// Spectral normalisation of one weight (Miyato et al., 2018): the layer computes with Ŵ = W / σ(W), σ the
/// largest singular value of W read as [out, rest], so no layer can stretch its input by more than 1 and D
/// stays smooth in its input (what the hinge loss of projection discriminators is trained with).
///
/// σ is estimated as PyTorch's `spectral_norm` does: one power iteration per training forward pass, the
/// vectors u [out] and v [rest] carried from step to step as state (`weight_u`, `weight_v`), and no gradient
/// through them. The iteration always runs in fp32, whatever precision `matrixProducts` names.
public final class SpectralNormalization {
    /// W, the trainable weight the optimiser updates (`weight_orig` in PyTorch's state dicts).
    public let original: Parameter
    /// The power iteration's left and right singular vector estimates: [out] and [rest].
    public let u: Parameter, v: Parameter
    /// Ŵ: the target layer's own weight, overwritten by `normalize`.
    public let normalized: Parameter
    /// σ(W) of the last `normalize`.
    public private(set) var sigma: Float = 1
    private let wv: Matrix   // [1, out]
    /// The library and counter of the power iteration's products; its precision is ignored (always fp32).
    public var matrixProducts = MatrixProducts()

    /// Normalises `target` (a layer's weight); W starts as a copy of it, u and v as random unit vectors from `rng`.
    public init(normalizing target: Parameter, rng: RandomGenerator) {
        let w = target.value
        normalized = target
        original = Parameter(shape: target.shape)
        original.value.copy(from: w)
        u = Parameter(shape: [w.rows], trainable: false)
        v = Parameter(shape: [w.cols], trainable: false)
        wv = Matrix(rows: 1, cols: w.rows)
        for vector in [u.value, v.value] {
            rng.fillNormal(vector)
            Self.normalizeVector(vector)
        }
    }

    /// The state-dict entries for a weight named `name`: PyTorch's `<name>_orig`, `<name>_u`, `<name>_v`.
    public func namedParameters(_ name: String) -> [(name: String, parameter: Parameter)] {
        [(name + "_orig", original), (name + "_u", u), (name + "_v", v)]
    }

    /// Writes Ŵ = W / σ into the target; `updating` (training) first advances the power iteration one step.
    public func normalize(updating: Bool) {
        let w = original.value
        let products = matrixProducts.with(precision: .fp32)
        if updating {
            gemm(u.value, w, into: v.value, using: products)        // v = normalise(Wᵀu)   [1, rest]
            Self.normalizeVector(v.value)
        }
        gemm(v.value, w, into: wv, transposeB: true, using: products)  // Wv                [1, out]
        if updating {
            sigma = max(Self.dot(wv, wv).squareRoot(), 1e-12)       // u = Wv / ‖Wv‖, so σ = uᵀWv = ‖Wv‖
            u.value.copy(from: wv)
            u.value.scale(by: 1 / sigma)
        } else {
            sigma = max(Self.dot(u.value, wv), 1e-12)              // σ = uᵀWv with the stored u
        }
        let source = w.pointer, target = normalized.value.pointer, inverse = 1 / sigma
        for i in 0..<w.count { target[i] = source[i] * inverse }
    }

    /// Turns the target's gradient G = dL/dŴ into dL/dW = (G − ⟨G, Ŵ⟩ u vᵀ) / σ (σ = uᵀWv, u and v held fixed).
    public func propagateGradient() {
        let inner = Self.dot(normalized.gradient, normalized.value)
        let g = normalized.gradient.pointer, out = original.gradient.pointer
        let rows = original.value.rows, cols = original.value.cols
        let up = u.value.pointer, vp = v.value.pointer, inverse = 1 / sigma
        for r in 0..<rows {
            let coefficient = inner * up[r], gr = g + r * cols, outRow = out + r * cols
            for c in 0..<cols { outRow[c] = (gr[c] - coefficient * vp[c]) * inverse }
        }
    }

    private static func dot(_ a: Matrix, _ b: Matrix) -> Float {
        var s: Float = 0
        for i in 0..<a.count { s += a.pointer[i] * b.pointer[i] }
        return s
    }

    private static func normalizeVector(_ m: Matrix) {
        m.scale(by: 1 / max(dot(m, m).squareRoot(), 1e-12))
    }
}

/// A layer whose weight is spectrally normalised (`SpectralNormalization`); its tree names the weight as
/// PyTorch's `spectral_norm(layer)` does: `weight_orig`, `weight_u`, `weight_v`, beside the layer's `bias`.
public final class SpectralNorm: Layer, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    public let layer: any Layer & DefaultInitializable
    public let normalization: SpectralNormalization

    public init(_ layer: any Layer & DefaultInitializable, rng: RandomGenerator) {
        self.layer = layer
        normalization = SpectralNormalization(normalizing: layer.weight, rng: rng)
    }

    /// With u and v held, as in training, the normalised layer's gradient is all there is to pass on.
    public var hasInferenceBackward: Bool { (layer as? any InferenceDifferentiable)?.hasInferenceBackward ?? false }

    /// The normalised layer's and the power iteration's products (the layer is no child in the tree).
    public var matrixProducts: MatrixProducts {
        get { normalization.matrixProducts }
        set {
            normalization.matrixProducts = newValue
            (layer as? any UsesMatrixProducts)?.matrixProducts = newValue
        }
    }

    /// W, so that initialisation fills the weight the optimiser trains.
    public var weight: Parameter { normalization.original }
    public var bias: Parameter { layer.bias }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("bias", layer.bias)] + normalization.namedParameters("weight")
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        normalization.normalize(updating: mode == .training)
        return layer.forward(x, mode: mode)
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let dx = layer.backward(dy, needs: needs)
        if needs.contains(.parameters) { normalization.propagateGradient() }
        return dx
    }
}

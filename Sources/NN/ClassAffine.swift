/// A layer that also reads the class of each row. Its owner sets `labels` before each forward, so the
/// layer can sit inside a `Sequential` whose other layers see only the data.
public protocol ClassConditioned: AnyObject {
    /// Rows of class weights [B, K] (one-hot in training) for the next forward.
    var labels: Matrix { get set }
}

/// A scale and a shift of each channel chosen by the class: y = x·(yΓ)_c + (yB)_c for labels y [B, K].
///
/// After a batch norm without its own scale and shift (`affine: false`) this is the class-conditional
/// batch norm (de Vries et al., 2017; Miyato & Koyama, 2018): G is told the class at every normalised
/// layer, not only at its input. Γ starts at 1 and B at 0, so the layer starts as the identity.
/// Rows with soft labels (an interpolation between classes) get the same mix of the classes' scales.
public final class ClassAffine: Layer, ClassConditioned, UsesMatrixProducts, InferenceDifferentiable {
    /// Channels and plane: a flat layer's features are channels of a 1x1 plane.
    public let shape: ImageShape
    public let classes: Int
    /// Γ and B, [K, C] each.
    public let scale: Parameter, shift: Parameter
    public var labels = noGradient
    public var matrixProducts = MatrixProducts()
    private var input = noGradient, forwardLabels = noGradient
    private var output = Workspace(), gradInput = Workspace(), rowScale = Workspace(), rowShift = Workspace()
    private var planeSums = Workspace(), weightedPlaneSums = Workspace()

    public init(_ shape: ImageShape, classes: Int) {
        self.shape = shape
        self.classes = classes
        scale = Parameter(shape: [classes, shape.channels])
        shift = Parameter(shape: [classes, shape.channels])
        scale.value.fill(1)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("scale", scale), ("shift", shift)] }

    /// x [B, C·H·W] -> y, the same shape; `labels` [B, K].
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == shape.count && labels.rows == x.rows && labels.cols == classes,
                     "ClassAffine\(shape) of \(classes) classes got input \(x.shape) and labels \(labels.shape)")
        let batch = x.rows, channels = shape.channels, hw = shape.planeSize, size = shape.count
        input = x
        forwardLabels = labels
        let s = rowScale.matrix(rows: batch, cols: channels), t = rowShift.matrix(rows: batch, cols: channels)
        gemm(labels, scale.value, into: s, using: matrixProducts)   // yΓ [B, C]
        gemm(labels, shift.value, into: t, using: matrixProducts)   // yB [B, C]
        let y = output.matrix(rows: batch, cols: size)
        let xp = x.pointer, yp = y.pointer, sp = s.pointer, tp = t.pointer
        ParallelLoop.forEachChunk(batch, work: x.count, alignment: 1) { rows in
            for b in rows {
                for c in 0..<channels {
                    let base = b * size + c * hw, sc = sp[b * channels + c], tc = tp[b * channels + c]
                    for i in base..<(base + hw) { yp[i] = xp[i] * sc + tc }
                }
            }
        }
        return y
    }

    /// dy [B, C·H·W] -> dx = dy·(yΓ)_c; dΓ = yᵀ Σ_plane(dy·x), dB = yᵀ Σ_plane dy. Labels take no gradient.
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let batch = dy.rows, channels = shape.channels, hw = shape.planeSize, size = shape.count
        let g = dy.pointer, xp = input.pointer
        if needs.contains(.parameters) {
            let sums = planeSums.matrix(rows: batch, cols: channels), weighted = weightedPlaneSums.matrix(rows: batch, cols: channels)
            let sp = sums.pointer, wp = weighted.pointer
            ParallelLoop.forEachChunk(batch, work: dy.count, alignment: 1) { rows in
                for b in rows {
                    for c in 0..<channels {
                        let base = b * size + c * hw
                        var sum: Float = 0, product: Float = 0
                        for i in base..<(base + hw) { sum += g[i]; product += g[i] * xp[i] }
                        sp[b * channels + c] = sum
                        wp[b * channels + c] = product
                    }
                }
            }
            gemm(forwardLabels, weighted, into: scale.gradient, transposeA: true, using: matrixProducts)
            gemm(forwardLabels, sums, into: shift.gradient, transposeA: true, using: matrixProducts)
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: batch, cols: size)
        let d = dx.pointer, sp = rowScale.matrix(rows: batch, cols: channels).pointer   // still yΓ from the forward
        ParallelLoop.forEachChunk(batch, work: dy.count, alignment: 1) { rows in
            for b in rows {
                for c in 0..<channels {
                    let base = b * size + c * hw, sc = sp[b * channels + c]
                    for i in base..<(base + hw) { d[i] = g[i] * sc }
                }
            }
        }
        return dx
    }
}

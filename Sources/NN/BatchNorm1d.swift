/// Batch normalisation over the rows of a batch (Ioffe & Szegedy, 2015), with PyTorch's conventions:
/// training normalises by the batch's biased variance and updates running statistics with the unbiased
/// one (`momentum` weight on the new batch); inference uses the running statistics.
public final class BatchNorm1d: Layer, InferenceDifferentiable {
    public let features: Int
    public let momentum: Float, epsilon: Float
    /// False: no learned scale and shift of its own (they stay 1 and 0, untrained and not stored), as
    /// PyTorch's `affine=False`; a `ClassAffine` after it gives each class its own.
    public let affine: Bool
    public let gamma: Parameter, beta: Parameter
    public let runningMean: Parameter, runningVariance: Parameter
    private var output = Workspace(), gradInput = Workspace(), normalised = Workspace()
    private var xhat = noGradient
    /// Whether the last forward normalised by the batch's statistics (training) or the running ones.
    private var usedBatchStatistics = true
    /// Rows: batch mean, 1/std, and two per-feature sums (of x or dy, and of squared deviations or dy·x̂);
    /// a matrix, so loops use plain pointers.
    private let statistics: Matrix

    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        self.features = features
        self.affine = affine
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(shape: [features])
        beta = Parameter(shape: [features])
        runningMean = Parameter(shape: [features], trainable: false)
        runningVariance = Parameter(shape: [features], trainable: false)
        gamma.value.fill(1)
        runningVariance.value.fill(1)
        statistics = Matrix(rows: 4, cols: features)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        (affine ? [("weight", gamma), ("bias", beta)] : []) + [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == features, "BatchNorm1d(\(features)) got input \(x.shape)")
        let n = x.rows, f = features, xp = x.pointer
        let mean = statistics.pointer, inverseStd = mean + f, columnSum = mean + 2 * f, productSum = mean + 3 * f
        let y = output.matrix(rows: n, cols: f)
        xhat = normalised.matrix(rows: n, cols: f)
        usedBatchStatistics = mode == .training
        if mode == .training {
            precondition(n > 1, "BatchNorm1d needs more than one row per batch in training")
            let rm = runningMean.value.pointer, rv = runningVariance.value.pointer, momentum = momentum, epsilon = epsilon
            // Columns split across threads; each column's sums still run over the rows in order.
            ParallelLoop.forEachChunk(f, work: x.count) { columns in
                columnSums(rows: n, columns: columns, into: columnSum,
                           lanes: { r, c in xp.lanes(at: r * f + c) }, scalar: { r, c in xp[r * f + c] })
                for c in columns { mean[c] = columnSum[c] / Float(n) }
                columnSums(rows: n, columns: columns, into: productSum,
                           lanes: { r, c in let d = xp.lanes(at: r * f + c) - mean.lanes(at: c); return d * d },
                           scalar: { r, c in let d = xp[r * f + c] - mean[c]; return d * d })
                for c in columns {
                    let variance = productSum[c] / Float(n)
                    inverseStd[c] = 1 / (variance + epsilon).squareRoot()
                    rm[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                    rv[c] = (1 - momentum) * rv[c] + momentum * productSum[c] / Float(n - 1)
                }
            }
        } else {
            let rm = runningMean.value.pointer, rv = runningVariance.value.pointer
            for c in 0..<f { mean[c] = rm[c]; inverseStd[c] = 1 / (rv[c] + epsilon).squareRoot() }
        }
        let g = gamma.value.pointer, b = beta.value.pointer, h = xhat.pointer, yp = y.pointer
        ParallelLoop.forEachChunk(n, work: x.count, alignment: 1) { rows in
            for r in rows {
                var c = 0
                while c + 16 <= f {
                    let v = (xp.lanes(at: r * f + c) - mean.lanes(at: c)) * inverseStd.lanes(at: c)
                    h.storeLanes(v, at: r * f + c)
                    yp.storeLanes(g.lanes(at: c) * v + b.lanes(at: c), at: r * f + c)
                    c += 16
                }
                for column in c..<f {
                    let v = (xp[r * f + column] - mean[column]) * inverseStd[column]
                    h[r * f + column] = v
                    yp[r * f + column] = g[column] * v + b[column]
                }
            }
        }
        return y
    }

    /// dy [n, F] -> dx [n, F]; dgamma = Σ dy·xhat, dbeta = Σ dy over the rows, in both modes.
    /// After a training forward: dx = invStd/n · (n·dxhat - Σdxhat - xhat·Σ(dxhat·xhat)), dxhat = dy·gamma.
    /// After an inference forward the statistics are constants: dx = dy·gamma·invStd (running variance).
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        precondition(dy.rows == xhat.rows && dy.cols == features, "BatchNorm1d(\(features)) backward got \(dy.shape) after a forward of \(xhat.shape)")
        let n = dy.rows, f = features, g = dy.pointer, h = xhat.pointer
        let inverseStd = statistics.pointer + f, columnSum = statistics.pointer + 2 * f, productSum = statistics.pointer + 3 * f
        if usedBatchStatistics || needs.contains(.parameters) && affine {
            ParallelLoop.forEachChunk(f, work: dy.count) { columns in
                columnSums(rows: n, columns: columns, into: columnSum,
                           lanes: { r, c in g.lanes(at: r * f + c) }, scalar: { r, c in g[r * f + c] })
                columnSums(rows: n, columns: columns, into: productSum,
                           lanes: { r, c in g.lanes(at: r * f + c) * h.lanes(at: r * f + c) },
                           scalar: { r, c in g[r * f + c] * h[r * f + c] })
            }
        }
        if needs.contains(.parameters) && affine {
            let dg = gamma.gradient.pointer, db = beta.gradient.pointer
            for c in 0..<f { dg[c] = productSum[c]; db[c] = columnSum[c] }
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: n, cols: f)
        let d = dx.pointer, gm = gamma.value.pointer, inv = Float(1) / Float(n)
        guard usedBatchStatistics else {
            ParallelLoop.forEachChunk(n, work: dy.count, alignment: 1) { rows in
                for r in rows {
                    for c in 0..<f { d[r * f + c] = gm[c] * inverseStd[c] * g[r * f + c] }
                }
            }
            return dx
        }
        // Σdxhat = gamma·Σdy and Σ(dxhat·xhat) = gamma·Σ(dy·xhat).
        ParallelLoop.forEachChunk(n, work: dy.count, alignment: 1) { rows in
            for r in rows {
                var c = 0
                while c + 16 <= f {
                    let i = r * f + c
                    let centred = g.lanes(at: i) - inv * columnSum.lanes(at: c) - h.lanes(at: i) * inv * productSum.lanes(at: c)
                    d.storeLanes(gm.lanes(at: c) * inverseStd.lanes(at: c) * centred, at: i)
                    c += 16
                }
                for column in c..<f {
                    let i = r * f + column
                    d[i] = gm[column] * inverseStd[column] * (g[i] - inv * columnSum[column] - h[i] * inv * productSum[column])
                }
            }
        }
        return dx
    }
}

/// Batch normalisation of images per channel (PyTorch's `BatchNorm2d`): statistics over the batch and
/// every pixel of a channel, n = B·H·W values; otherwise as `BatchNorm1d` (biased variance to normalise,
/// unbiased for the running estimate, which `momentum` weights; running statistics at inference).
public final class BatchNorm2d: Layer, InferenceDifferentiable {
    public let shape: ImageShape
    public let momentum: Float, epsilon: Float
    /// False: no learned scale and shift of its own (they stay 1 and 0, untrained and not stored), as
    /// PyTorch's `affine=False`; a `ClassAffine` after it gives each class its own.
    public let affine: Bool
    public let gamma: Parameter, beta: Parameter
    public let runningMean: Parameter, runningVariance: Parameter
    private var outputBuffer = Workspace(), gradInput = Workspace(), normalised = Workspace()
    private var xhat = noGradient
    /// Whether the last forward normalised by the batch's statistics (training) or the running ones.
    private var usedBatchStatistics = true
    /// Rows: channel mean, 1/std, and two per-channel sums (of x or dy, and of squared deviations or dy·x̂).
    private let statistics: Matrix

    public init(_ shape: ImageShape, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        self.shape = shape
        self.affine = affine
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(shape: [shape.channels])
        beta = Parameter(shape: [shape.channels])
        runningMean = Parameter(shape: [shape.channels], trainable: false)
        runningVariance = Parameter(shape: [shape.channels], trainable: false)
        gamma.value.fill(1)
        runningVariance.value.fill(1)
        statistics = Matrix(rows: 4, cols: shape.channels)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        (affine ? [("weight", gamma), ("bias", beta)] : []) + [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    /// x [B, C·H·W] -> y, the same shape.
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == shape.count, "BatchNorm2d\(shape) got input \(x.shape)")
        let batch = x.rows, channels = shape.channels, hw = shape.planeSize, size = shape.count, xp = x.pointer
        let mean = statistics.pointer, inverseStd = mean + channels
        let y = outputBuffer.matrix(rows: batch, cols: shape.count)
        xhat = normalised.matrix(rows: batch, cols: shape.count)
        let rm = runningMean.value.pointer, rv = runningVariance.value.pointer
        usedBatchStatistics = mode == .training
        if mode == .training {
            let n = Float(batch * hw)
            precondition(batch * hw > 1, "BatchNorm2d needs more than one value per channel in training")
            let momentum = momentum, epsilon = epsilon
            ParallelLoop.forEachChunk(channels, work: x.count, alignment: 1) { channelRange in
                for c in channelRange {
                    let channel = xp + c * hw
                    let m = StridedSum.sum(channel, segments: batch, length: hw, stride: size) / n
                    let squares = StridedSum.squaredDeviations(channel, from: m, segments: batch, length: hw, stride: size)
                    mean[c] = m
                    inverseStd[c] = 1 / (squares / n + epsilon).squareRoot()
                    rm[c] = (1 - momentum) * rm[c] + momentum * m
                    rv[c] = (1 - momentum) * rv[c] + momentum * squares / (n - 1)
                }
            }
        } else {
            for c in 0..<channels { mean[c] = rm[c]; inverseStd[c] = 1 / (rv[c] + epsilon).squareRoot() }
        }
        let g = gamma.value.pointer, bt = beta.value.pointer, h = xhat.pointer, yp = y.pointer
        ParallelLoop.forEachChunk(batch, work: x.count, alignment: 1) { rows in
            for b in rows {
                for c in 0..<channels {
                    let base = b * size + c * hw
                    let m = mean[c], s = inverseStd[c], gc = g[c], bc = bt[c]
                    for i in base..<(base + hw) {
                        let v = (xp[i] - m) * s
                        h[i] = v
                        yp[i] = gc * v + bc
                    }
                }
            }
        }
        return y
    }

    /// dy -> dx [B, C·H·W]; dgamma = Σ dy·xhat, dbeta = Σ dy per channel, in both modes.
    /// After a training forward: dx = invStd/n · (n·dxhat - Σdxhat - xhat·Σ(dxhat·xhat)), dxhat = dy·gamma.
    /// After an inference forward the statistics are constants: dx = dy·gamma·invStd (running variance).
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        precondition(dy.rows == xhat.rows && dy.cols == shape.count, "BatchNorm2d\(shape) backward got \(dy.shape) after a forward of \(xhat.shape)")
        let batch = dy.rows, channels = shape.channels, hw = shape.planeSize, size = shape.count, g = dy.pointer, h = xhat.pointer
        let inverseStd = statistics.pointer + channels
        let columnSum = statistics.pointer + 2 * channels, productSum = statistics.pointer + 3 * channels
        let batchStatistics = usedBatchStatistics
        if batchStatistics || needs.contains(.parameters) && affine {
            ParallelLoop.forEachChunk(channels, work: dy.count, alignment: 1) { channelRange in
                for c in channelRange {
                    columnSum[c] = StridedSum.sum(g + c * hw, segments: batch, length: hw, stride: size)
                    productSum[c] = StridedSum.products(g + c * hw, h + c * hw, segments: batch, length: hw, stride: size)
                }
            }
        }
        if needs.contains(.parameters) && affine {
            gamma.gradient.pointer.update(from: productSum, count: channels)
            beta.gradient.pointer.update(from: columnSum, count: channels)
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: batch, cols: shape.count)
        let d = dx.pointer, gm = gamma.value.pointer, inv = 1 / Float(batch * hw)
        ParallelLoop.forEachChunk(batch, work: dy.count, alignment: 1) { rows in
            for b in rows {
                for c in 0..<channels {
                    let base = b * size + c * hw
                    let scale = gm[c] * inverseStd[c]
                    guard batchStatistics else {
                        for i in base..<(base + hw) { d[i] = scale * g[i] }
                        continue
                    }
                    let mean1 = inv * columnSum[c], mean2 = inv * productSum[c]
                    for i in base..<(base + hw) { d[i] = scale * (g[i] - mean1 - h[i] * mean2) }
                }
            }
        }
        return dx
    }
}

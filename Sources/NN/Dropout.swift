/// Inverted dropout: in training each element is zeroed with probability `p` and the survivors are
/// scaled by 1/(1-p), so inference needs no rescaling and is the identity
/// (unless it runs in `.inferenceKeepingDropout` mode).
public final class Dropout: Layer, InferenceDifferentiable {
    public let p: Float
    private let rng: RandomGenerator
    private var output = Workspace(), gradInput = Workspace(), maskBuffer = Workspace()
    private var mask = noGradient
    private var active = false

    public init(_ p: Float, rng: RandomGenerator) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1)")
        self.p = p
        self.rng = rng
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        active = p > 0 && mode != .inference
        guard active else { return x }
        mask = maskBuffer.matrix(rows: x.rows, cols: x.cols)
        let y = output.matrix(rows: x.rows, cols: x.cols)
        let m = mask.pointer, xp = x.pointer, yp = y.pointer
        let keep = 1 / (1 - p)
        rng.fillMask(m, count: x.count, threshold: UInt64(Double(p) * 4_294_967_296.0), keep: keep)
        ParallelLoop.forEachChunk(x.count) { r in for j in r { yp[j] = xp[j] * m[j] } }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        guard active else { return dy }
        let dx = gradInput.matrix(rows: dy.rows, cols: dy.cols)
        let m = mask.pointer, g = dy.pointer, d = dx.pointer
        ParallelLoop.forEachChunk(dy.count) { r in for i in r { d[i] = g[i] * m[i] } }
        return dx
    }
}

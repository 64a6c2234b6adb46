/// Element-wise activations. Each keeps its output (or input) from forward for its backward pass.

/// max(0, x).
public final class ReLU: Layer, InferenceDifferentiable {
    private var output = Workspace(), gradInput = Workspace()
    private var y = noGradient
    public init() {}

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        y = output.matrix(rows: x.rows, cols: x.cols)
        let xp = x.pointer, yp = y.pointer
        ParallelLoop.forEachChunk(x.count) { r in for i in r { yp[i] = max(xp[i], 0) } }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: dy.cols)
        let yp = y.pointer, g = dy.pointer, d = dx.pointer
        // Both loads unconditional, so the loop is a select the compiler vectorises (a load under the branch is not).
        ParallelLoop.forEachChunk(dy.count) { r in for i in r { let gi = g[i]; d[i] = yp[i] > 0 ? gi : 0 } }
        return dx
    }
}

/// x for x > 0, slope * x otherwise.
public final class LeakyReLU: Layer, InferenceDifferentiable {
    public let slope: Float
    private var output = Workspace(), gradInput = Workspace()
    private var x = noGradient
    public init(slope: Float = 0.2) { self.slope = slope }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        self.x = x
        let y = output.matrix(rows: x.rows, cols: x.cols)
        let xp = x.pointer, yp = y.pointer, a = slope
        ParallelLoop.forEachChunk(x.count) { r in for i in r { yp[i] = xp[i] > 0 ? xp[i] : a * xp[i] } }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: dy.cols)
        let xp = x.pointer, g = dy.pointer, d = dx.pointer, a = slope
        ParallelLoop.forEachChunk(dy.count) { r in for i in r { d[i] = xp[i] > 0 ? g[i] : a * g[i] } }
        return dx
    }
}

/// 1 / (1 + e^-x), computed without overflow for any x.
public final class Sigmoid: Layer, InferenceDifferentiable {
    private var output = Workspace(), gradInput = Workspace()
    private var y = noGradient
    public init() {}

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        y = output.matrix(rows: x.rows, cols: x.cols)
        let xp = x.pointer, yp = y.pointer
        ParallelLoop.forEachChunk(x.count) { r in for i in r { yp[i] = sigmoid(xp[i]) } }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: dy.cols)
        let yp = y.pointer, g = dy.pointer, d = dx.pointer
        ParallelLoop.forEachChunk(dy.count) { r in for i in r { d[i] = g[i] * yp[i] * (1 - yp[i]) } }
        return dx
    }
}

/// tanh(x).
public final class Tanh: Layer, InferenceDifferentiable {
    private var output = Workspace(), gradInput = Workspace()
    private var y = noGradient
    public init() {}

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        y = output.matrix(rows: x.rows, cols: x.cols)
        let xp = x.pointer, yp = y.pointer
        // tanh(x) = 2σ(2x) - 1: one exp, no overflow.
        ParallelLoop.forEachChunk(x.count) { r in for i in r { yp[i] = 2 * sigmoid(2 * xp[i]) - 1 } }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: dy.cols)
        let yp = y.pointer, g = dy.pointer, d = dx.pointer
        ParallelLoop.forEachChunk(dy.count) { r in for i in r { d[i] = g[i] * (1 - yp[i] * yp[i]) } }
        return dx
    }
}

/// Passes its input through: the branch of a two-input net that concatenates raw inputs.
public final class Identity: Layer, InferenceDifferentiable {
    public init() {}
    public func forward(_ x: Matrix, mode: Mode) -> Matrix { x }
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix { needs.contains(.input) ? dy : noGradient }
}

/// The logistic function, stable for large |x|.
@inline(__always) public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

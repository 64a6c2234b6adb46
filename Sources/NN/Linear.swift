/// y = x Wᵀ + b, with W stored as [out, in] (PyTorch's layout, so checkpoints line up with its state dicts).
public final class Linear: Layer, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    public let weight: Parameter
    public let bias: Parameter
    public let inputSize: Int, outputSize: Int
    private var input = noGradient
    private var output = Workspace(), gradInput = Workspace()
    public var matrixProducts = MatrixProducts()

    public init(_ inputSize: Int, _ outputSize: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(shape: [outputSize, inputSize])
        bias = Parameter(shape: [outputSize])
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// Uniform weights in [-range, range] and a zero bias (pylearn2's `irange` initialisation).
    public func initializeUniform(range: Float, rng: RandomGenerator) {
        rng.fillUniform(weight.value, low: -range, high: range)
        bias.value.fill(0)
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == inputSize, "Linear(\(inputSize), \(outputSize)) got input \(x.shape)")
        input = x
        let y = output.matrix(rows: x.rows, cols: outputSize)
        let b = bias.value.pointer, yp = y.pointer, width = outputSize
        ParallelLoop.forEachChunk(y.rows, work: y.count, alignment: 1) { rows in
            for r in rows { (yp + r * width).update(from: b, count: width) }
        }
        gemm(x, weight.value, into: y, transposeB: true, beta: 1, using: matrixProducts)
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        if needs.contains(.parameters) {
            gemm(dy, input, into: weight.gradient, transposeA: true, using: matrixProducts)  // dW = dyᵀ x
            sumRows(of: dy, into: bias.gradient)                  // db = Σ_rows dy
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: inputSize)
        gemm(dy, weight.value, into: dx, using: matrixProducts)  // dx = dy W
        return dx
    }
}

/// 2-D transposed convolution (PyTorch's `ConvTranspose2d`): the adjoint of a convolution, which upsamples
/// by its stride. One `sgemm` and a col2im per image. Weight [in, out, k, k], bias [out].
public final class ConvTranspose2d: Layer, DefaultInitializable {
    public let weight: Parameter, bias: Parameter
    public let input: ImageShape, output: ImageShape
    public let window: ConvolutionWindow
    private var columns = Workspace(), outputBuffer = Workspace(), gradInput = Workspace()
    private var x = noGradient

    public init(_ input: ImageShape, outChannels: Int, _ window: ConvolutionWindow) {
        self.input = input
        self.window = window
        output = ImageShape(channels: outChannels, height: window.transposedSide(input.height), width: window.transposedSide(input.width))
        precondition(output.height > 0 && output.width > 0, "ConvTranspose2d: empty output for \(input)")
        weight = Parameter(shape: [input.channels, outChannels, window.kernel, window.kernel])
        bias = Parameter(shape: [outChannels])
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// PyTorch's default: uniform in ±1/sqrt(fan_in), where fan_in is computed from weight dim 1: out·k·k.
    public func initializeDefault(rng: RandomGenerator) {
        let bound = 1 / Float(weight.value.cols).squareRoot()
        rng.fillUniform(weight.value, low: -bound, high: bound)
        rng.fillUniform(bias.value, low: -bound, high: bound)
    }

    /// x [B, in·H·W] -> y [B, out·outH·outW]: col = Wᵀ x_b ([out·k·k, H·W]), then col2im onto the larger grid.
    /// The output grid is the convolution input and x the convolution output: fold with (outH, outW) = (H, W).
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == input.count, "ConvTranspose2d\(input) got input \(x.shape)")
        self.x = x
        let kk = weight.value.cols, positions = input.planeSize
        let col = columns.matrix(rows: kk, cols: positions)
        let y = outputBuffer.matrix(rows: x.rows, cols: output.count)
        for b in 0..<x.rows {
            let xb = x.view(offset: b * input.count, rows: input.channels, cols: positions)
            gemm(weight.value, xb, into: col, transposeA: true)                   // col = Wᵀ x_b
            let yb = y.pointer + b * output.count
            for c in 0..<output.channels { (yb + c * output.planeSize).update(repeating: bias.value.pointer[c], count: output.planeSize) }
            window.fold(col.pointer, output, outHeight: input.height, outWidth: input.width, into: yb)
        }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let kk = weight.value.cols, positions = input.planeSize
        let dcol = columns.matrix(rows: kk, cols: positions)
        let dx = needs.contains(.input) ? gradInput.matrix(rows: x.rows, cols: input.count) : noGradient
        if needs.contains(.parameters) {
            weight.gradient.fill(0)
            bias.gradient.fill(0)
        }
        for b in 0..<x.rows {
            let dyb = dy.pointer + b * output.count
            window.unfold(dyb, output, outHeight: input.height, outWidth: input.width, into: dcol.pointer)  // dcol = im2col(dy_b)
            if needs.contains(.parameters) {
                let xb = x.view(offset: b * input.count, rows: input.channels, cols: positions)
                gemm(xb, dcol, into: weight.gradient, transposeB: true, beta: 1)   // dW += x_b dcolᵀ
                let db = bias.gradient.pointer
                for c in 0..<output.channels {
                    let g = dyb + c * output.planeSize
                    var s: Float = 0
                    for i in 0..<output.planeSize { s += g[i] }
                    db[c] += s
                }
            }
            if needs.contains(.input) {
                let dxb = dx.view(offset: b * input.count, rows: input.channels, cols: positions)
                gemm(weight.value, dcol, into: dxb)                                // dx_b = W dcol
            }
        }
        return dx
    }
}

/// 2-D convolution (cross-correlation, as PyTorch's `Conv2d`) over a batch of images, through im2col and
/// one `sgemm` per image. Weight [out, in, k, k], bias [out].
public final class Conv2d: Layer, DefaultInitializable {
    public let weight: Parameter, bias: Parameter
    public let input: ImageShape, output: ImageShape
    public let window: ConvolutionWindow
    private var columns = Workspace(), outputBuffer = Workspace(), gradInput = Workspace(), gradColumns = Workspace()
    private var unfolded = noGradient
    private var rows = 0

    public init(_ input: ImageShape, outChannels: Int, _ window: ConvolutionWindow) {
        self.input = input
        self.window = window
        output = ImageShape(channels: outChannels, height: window.convolvedSide(input.height), width: window.convolvedSide(input.width))
        precondition(output.height > 0 && output.width > 0, "Conv2d: window larger than the padded input \(input)")
        weight = Parameter(shape: [outChannels, input.channels, window.kernel, window.kernel])
        bias = Parameter(shape: [outChannels])
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// PyTorch's default: weights and bias uniform in ±1/sqrt(fan_in), fan_in = in·k·k.
    public func initializeDefault(rng: RandomGenerator) {
        let bound = 1 / Float(weight.value.cols).squareRoot()
        rng.fillUniform(weight.value, low: -bound, high: bound)
        rng.fillUniform(bias.value, low: -bound, high: bound)
    }

    /// x [B, in·H·W] -> y [B, out·outH·outW]; keeps each image's columns [in·k·k, outH·outW] for backward.
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == input.count, "Conv2d\(input) got input \(x.shape)")
        rows = x.rows
        let kk = weight.value.cols, positions = output.planeSize
        unfolded = columns.matrix(rows: rows * kk, cols: positions)
        let y = outputBuffer.matrix(rows: rows, cols: output.count)
        for b in 0..<rows {
            let col = unfolded.view(offset: b * kk * positions, rows: kk, cols: positions)
            window.unfold(x.pointer + b * x.cols, input, outHeight: output.height, outWidth: output.width, into: col.pointer)
            let yb = y.view(offset: b * output.count, rows: output.channels, cols: positions)
            for c in 0..<output.channels { (yb.pointer + c * positions).update(repeating: bias.value.pointer[c], count: positions) }
            gemm(weight.value, col, into: yb, beta: 1)                          // y_b = W col + b
        }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let kk = weight.value.cols, positions = output.planeSize
        if needs.contains(.parameters) {
            weight.gradient.fill(0)
            let db = bias.gradient.pointer
            db.update(repeating: 0, count: output.channels)
            for b in 0..<rows {
                let dyb = dy.view(offset: b * output.count, rows: output.channels, cols: positions)
                let col = unfolded.view(offset: b * kk * positions, rows: kk, cols: positions)
                gemm(dyb, col, into: weight.gradient, transposeB: true, beta: 1)   // dW += dy_b colᵀ
                for c in 0..<output.channels {
                    let g = dyb.pointer + c * positions
                    var s: Float = 0
                    for i in 0..<positions { s += g[i] }
                    db[c] += s
                }
            }
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: rows, cols: input.count)
        dx.fill(0)
        let dcol = gradColumns.matrix(rows: kk, cols: positions)
        for b in 0..<rows {
            let dyb = dy.view(offset: b * output.count, rows: output.channels, cols: positions)
            gemm(weight.value, dyb, into: dcol, transposeA: true)                 // dcol = Wᵀ dy_b
            window.fold(dcol.pointer, input, outHeight: output.height, outWidth: output.width, into: dx.pointer + b * input.count)
        }
        return dx
    }
}

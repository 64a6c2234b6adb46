/// 2-D convolution (cross-correlation, as PyTorch's `Conv2d`) over a batch of images, weight [out, in, k, k],
/// bias [out]: through oneDNN's convolution primitives (`OneDNNConvolution`), or with `--matmul openblas`
/// im2col of every image side by side, then one `sgemm` for the whole batch (large products run near the
/// BLAS peak, one small product per image does not).
public final class Conv2d: Layer, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    public let weight: Parameter, bias: Parameter
    public let input: ImageShape, output: ImageShape
    public let window: ConvolutionWindow
    private var columns = Workspace(), product = Workspace(), outputBuffer = Workspace(), gradInput = Workspace()
    private var unfolded = noGradient
    private var rows = 0
    private var oneDNN: OneDNNConvolutionPlans
    public var matrixProducts = MatrixProducts()
    /// The settings of the last forward, which its backward pass keeps.
    private var forwardProducts = MatrixProducts()

    public init(_ input: ImageShape, outChannels: Int, _ window: ConvolutionWindow) {
        self.input = input
        self.window = window
        output = ImageShape(channels: outChannels, height: window.convolvedSide(input.height), width: window.convolvedSide(input.width))
        precondition(output.height > 0 && output.width > 0, "Conv2d: window larger than the padded input \(input)")
        weight = Parameter(shape: [outChannels, input.channels, window.kernel, window.kernel])
        bias = Parameter(shape: [outChannels])
        oneDNN = OneDNNConvolutionPlans(.convolution, input: input, output: output, window: window)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// x [B, in·H·W] -> y [B, out·outH·outW]. Keeps the columns [in·k·k, B·outH·outW] for backward.
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == input.count, "Conv2d\(input) got input \(x.shape)")
        rows = x.rows
        oneDNN.deactivate()
        let products = matrixProducts
        forwardProducts = products
        if products.usesOneDNN {
            let y = outputBuffer.matrix(rows: rows, cols: output.count)
            oneDNN.forward(x, weight: weight, bias: bias, into: y, products: products)
            return y
        }
        let kk = weight.value.cols, positions = output.planeSize, width = rows * positions
        unfolded = columns.matrix(rows: kk, cols: width)
        for b in 0..<rows {
            window.unfold(x.pointer + b * x.cols, input, outHeight: output.height, outWidth: output.width,
                          into: unfolded.pointer + b * positions, rowStride: width)
        }
        let z = product.matrix(rows: output.channels, cols: width)
        for c in 0..<output.channels { (z.pointer + c * width).update(repeating: bias.value.pointer[c], count: width) }
        gemm(weight.value, unfolded, into: z, beta: 1, using: products)  // z = W col + b   [out, B·P]
        let y = outputBuffer.matrix(rows: rows, cols: output.count)
        BatchLayout.imagesFirst(z.pointer, batch: rows, channels: output.channels, positions: positions, into: y.pointer)
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        if oneDNN.isActive {
            return oneDNN.backward(dy, needs: needs, weight: weight, bias: bias) { gradInput.matrix(rows: rows, cols: input.count) }
        }
        let products = forwardProducts
        let kk = weight.value.cols, positions = output.planeSize, width = rows * positions
        let dz = product.matrix(rows: output.channels, cols: width)
        BatchLayout.channelsFirst(dy.pointer, batch: rows, channels: output.channels, positions: positions, into: dz.pointer)
        if needs.contains(.parameters) {
            gemm(dz, unfolded, into: weight.gradient, transposeB: true, using: products)  // dW = dz colᵀ
            sumColumns(of: dz, into: bias.gradient)                               // db = Σ over the batch and positions
        }
        guard needs.contains(.input) else { return noGradient }
        let dcol = columns.matrix(rows: kk, cols: width)                         // the columns are no longer needed
        gemm(weight.value, dz, into: dcol, transposeA: true, using: products)  // dcol = Wᵀ dz
        let dx = gradInput.matrix(rows: rows, cols: input.count)
        dx.fill(0)
        for b in 0..<rows {
            window.fold(dcol.pointer + b * positions, input, outHeight: output.height, outWidth: output.width,
                        into: dx.pointer + b * input.count, rowStride: width)
        }
        return dx
    }
}

/// `out[r] = Σ_c m[r, c]`: row sums (a bias gradient over every image and position of a channel).
func sumColumns(of m: Matrix, into out: Matrix) {
    precondition(out.count == m.rows, "sumColumns: \(m.shape) into \(out.shape)")
    for r in 0..<m.rows {
        let row = m.pointer + r * m.cols
        var s: Float = 0
        for c in 0..<m.cols { s += row[c] }
        out.pointer[r] = s
    }
}

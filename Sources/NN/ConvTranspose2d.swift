/// 2-D transposed convolution (PyTorch's `ConvTranspose2d`): the adjoint of a convolution, which upsamples
/// by its stride. Weight [in, out, k, k], bias [out]. Through oneDNN's deconvolution primitives
/// (`OneDNNConvolution`), or with `--matmul openblas` one `sgemm` for the whole batch, then col2im per image.
public final class ConvTranspose2d: Layer, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    public let weight: Parameter, bias: Parameter
    public let input: ImageShape, output: ImageShape
    public let window: ConvolutionWindow
    private var columns = Workspace(), inputChannels = Workspace(), outputBuffer = Workspace(), gradInput = Workspace()
    private var xc = noGradient
    private var rows = 0
    private var oneDNN: OneDNNConvolutionPlans
    public var matrixProducts = MatrixProducts()
    /// The settings of the last forward, which its backward pass keeps.
    private var forwardProducts = MatrixProducts()

    public init(_ input: ImageShape, outChannels: Int, _ window: ConvolutionWindow) {
        self.input = input
        self.window = window
        output = ImageShape(channels: outChannels, height: window.transposedSide(input.height), width: window.transposedSide(input.width))
        precondition(output.height > 0 && output.width > 0, "ConvTranspose2d: empty output for \(input)")
        weight = Parameter(shape: [input.channels, outChannels, window.kernel, window.kernel])
        bias = Parameter(shape: [outChannels])
        oneDNN = OneDNNConvolutionPlans(.transposed, input: input, output: output, window: window)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// x [B, in·H·W] -> y [B, out·outH·outW]: col = Wᵀ x ([out·k·k, B·H·W]), then col2im of each image onto
    /// the larger grid (the output grid plays the convolution's input, x its output).
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == input.count, "ConvTranspose2d\(input) got input \(x.shape)")
        rows = x.rows
        oneDNN.deactivate()
        let products = matrixProducts
        forwardProducts = products
        if products.usesOneDNN {
            let y = outputBuffer.matrix(rows: rows, cols: output.count)
            oneDNN.forward(x, weight: weight, bias: bias, into: y, products: products)
            return y
        }
        let kk = weight.value.cols, positions = input.planeSize, width = rows * positions
        xc = inputChannels.matrix(rows: input.channels, cols: width)
        BatchLayout.channelsFirst(x.pointer, batch: rows, channels: input.channels, positions: positions, into: xc.pointer)
        let col = columns.matrix(rows: kk, cols: width)
        gemm(weight.value, xc, into: col, transposeA: true, using: products)  // col = Wᵀ x   [out·k·k, B·P]
        let y = outputBuffer.matrix(rows: rows, cols: output.count)
        for b in 0..<rows {
            let yb = y.pointer + b * output.count
            for c in 0..<output.channels { (yb + c * output.planeSize).update(repeating: bias.value.pointer[c], count: output.planeSize) }
            window.fold(col.pointer + b * positions, output, outHeight: input.height, outWidth: input.width, into: yb, rowStride: width)
        }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        if oneDNN.isActive {
            return oneDNN.backward(dy, needs: needs, weight: weight, bias: bias) { gradInput.matrix(rows: rows, cols: input.count) }
        }
        let products = forwardProducts
        let kk = weight.value.cols, positions = input.planeSize, width = rows * positions
        let dcol = columns.matrix(rows: kk, cols: width)
        for b in 0..<rows {                                                       // dcol = im2col(dy)
            window.unfold(dy.pointer + b * output.count, output, outHeight: input.height, outWidth: input.width,
                          into: dcol.pointer + b * positions, rowStride: width)
        }
        if needs.contains(.parameters) {
            gemm(xc, dcol, into: weight.gradient, transposeB: true, using: products)  // dW = x dcolᵀ
            let db = bias.gradient.pointer
            for c in 0..<output.channels {
                var s: Float = 0
                for b in 0..<rows {
                    let g = dy.pointer + b * output.count + c * output.planeSize
                    for i in 0..<output.planeSize { s += g[i] }
                }
                db[c] = s
            }
        }
        guard needs.contains(.input) else { return noGradient }
        let dxc = inputChannels.matrix(rows: input.channels, cols: width)        // x's channels are no longer needed
        gemm(weight.value, dcol, into: dxc, using: products)  // dx = W dcol   [in, B·P]
        let dx = gradInput.matrix(rows: rows, cols: input.count)
        BatchLayout.imagesFirst(dxc.pointer, batch: rows, channels: input.channels, positions: positions, into: dx.pointer)
        return dx
    }
}

/// A `Conv2d` over an image stacked with one constant plane per class, the plane of the row's class
/// all ones and the others zero, computed without building or convolving those planes.
///
/// Input rows are [image (C·H·W) | one-hot label (K)] (the label must be one-hot); the result equals `Conv2d` over [C + K, H, W] with
/// the label broadcast to planes, same weight [out, C + K, k, k] and bias (a test checks it). A constant plane
/// convolved gives a map that depends only on the class and on how much of the window lies inside the
/// image, so the label part costs K small maps per step instead of K·k·k rows in every image's im2col.
public final class LabelPlaneConv2d: Layer, DefaultInitializable, UsesMatrixProducts, InferenceDifferentiable {
    public let weight: Parameter, bias: Parameter
    public let image: ImageShape, classes: Int, output: ImageShape
    public let window: ConvolutionWindow
    private let imagePart: Conv2d
    /// inside[(i·k + j)·P + pos] = 1 where window tap (i, j) at output position pos falls inside the image.
    private let inside: Matrix
    /// classMaps [K, out·P]: class k's contribution to every output value.
    private let classMaps: Matrix
    private var outputBuffer = Workspace(), imageBuffer = Workspace(), gradientBuffer = Workspace()
    private var labels: [Int32] = []
    private let tapWeights: Matrix, tapGradients: Matrix   // [out, K·k·k] work buffers for the label taps

    /// The image part's products (the label maps are small loops of their own).
    public var matrixProducts: MatrixProducts {
        get { imagePart.matrixProducts }
        set { imagePart.matrixProducts = newValue }
    }

    public init(_ image: ImageShape, classes: Int, outChannels: Int, _ window: ConvolutionWindow) {
        self.image = image
        self.classes = classes
        self.window = window
        imagePart = Conv2d(image, outChannels: outChannels, window)
        output = imagePart.output
        weight = Parameter(shape: [outChannels, image.channels + classes, window.kernel, window.kernel])
        bias = Parameter(shape: [outChannels])
        let k = window.kernel, positions = output.planeSize
        inside = Matrix(rows: k * k, cols: positions)
        let ones = Matrix(rows: 1, cols: image.height * image.width)
        ones.fill(1)
        window.unfold(ones.pointer, ImageShape(channels: 1, height: image.height, width: image.width),
                      outHeight: output.height, outWidth: output.width, into: inside.pointer, rowStride: positions)
        classMaps = Matrix(rows: classes, cols: output.count)
        tapWeights = Matrix(rows: outChannels, cols: classes * k * k)
        tapGradients = Matrix(rows: outChannels, cols: classes * k * k)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    /// Copies between the full weight [out, (C + K)·k·k] and the image part's [out, C·k·k] and the label taps [out, K·k·k].
    private func splitWeights() {
        let kk = window.kernel * window.kernel, imageCols = image.channels * kk, labelCols = classes * kk
        for o in 0..<output.channels {
            let row = weight.value.pointer + o * weight.value.cols
            (imagePart.weight.value.pointer + o * imageCols).update(from: row, count: imageCols)
            (tapWeights.pointer + o * labelCols).update(from: row + imageCols, count: labelCols)
        }
        imagePart.bias.value.copy(from: bias.value)
    }

    /// x [B, C·H·W + K] -> y [B, out·outH·outW].
    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        precondition(x.cols == image.count + classes, "LabelPlaneConv2d\(image)+\(classes) got input \(x.shape)")
        splitWeights()
        let kk = window.kernel * window.kernel, positions = output.planeSize
        // classMaps[k, o·P + pos] = Σ_tap W[o, C + k, tap] · inside[tap, pos]: one small product per class.
        for c in 0..<classes {
            for o in 0..<output.channels {
                let w = tapWeights.pointer + o * classes * kk + c * kk
                let map = classMaps.pointer + c * output.count + o * positions
                map.update(repeating: 0, count: positions)
                for t in 0..<kk {
                    let wt = w[t], row = inside.pointer + t * positions
                    for p in 0..<positions { map[p] += wt * row[p] }
                }
            }
        }
        let images = imageBuffer.matrix(rows: x.rows, cols: image.count)
        let imageSize = image.count, inputWidth = x.cols, xp = x.pointer, ip = images.pointer
        ParallelLoop.forEachChunk(x.rows, work: images.count, alignment: 1) { rows in
            for b in rows { (ip + b * imageSize).update(from: xp + b * inputWidth, count: imageSize) }
        }
        let y = outputBuffer.matrix(rows: x.rows, cols: output.count)
        y.copy(from: imagePart.forward(images, mode: mode))
        if labels.count < x.rows { labels = [Int32](repeating: 0, count: x.rows) }
        for b in 0..<x.rows {
            let label = xp + b * inputWidth + imageSize
            var k = 0
            for c in 1..<classes where label[c] > label[k] { k = c }
            labels[b] = Int32(k)
        }
        let yp = y.pointer, maps = classMaps.pointer, outputSize = output.count
        labels.withUnsafeBufferPointer { labels in
            ParallelLoop.forEachChunk(x.rows, work: y.count, alignment: 1) { rows in
                for b in rows {
                    let row = yp + b * outputSize, map = maps + Int(labels[b]) * outputSize
                    for i in 0..<outputSize { row[i] += map[i] }
                }
            }
        }
        return y
    }

    /// dLoss/dInput covers the image columns (the label's are zero: labels take no gradient).
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let dImage = imagePart.backward(dy, needs: needs)
        if needs.contains(.parameters) {
            // dW[o, C + k, tap] = Σ_pos (Σ_{b of class k} dy[b, o, pos]) · inside[tap, pos]: sum per class first.
            let kk = window.kernel * window.kernel, positions = output.planeSize
            classMaps.fill(0)
            for b in 0..<dy.rows {
                let sum = classMaps.pointer + Int(labels[b]) * output.count, g = dy.pointer + b * output.count
                for i in 0..<output.count { sum[i] += g[i] }
            }
            for k in 0..<classes {
                for o in 0..<output.channels {
                    let g = classMaps.pointer + k * output.count + o * positions
                    let dw = tapGradients.pointer + o * classes * kk + k * kk
                    for t in 0..<kk {
                        dw[t] = StridedSum.dot(g, inside.pointer + t * positions, count: positions)
                    }
                }
            }
            let imageCols = image.channels * kk, labelCols = classes * kk
            for o in 0..<output.channels {
                let row = weight.gradient.pointer + o * weight.gradient.cols
                row.update(from: imagePart.weight.gradient.pointer + o * imageCols, count: imageCols)
                (row + imageCols).update(from: tapGradients.pointer + o * labelCols, count: labelCols)
            }
            bias.gradient.copy(from: imagePart.bias.gradient)
        }
        guard needs.contains(.input) else { return noGradient }
        let dx = gradientBuffer.matrix(rows: dy.rows, cols: image.count + classes)
        for b in 0..<dy.rows {
            (dx.pointer + b * dx.cols).update(from: dImage.pointer + b * image.count, count: image.count)
            (dx.pointer + b * dx.cols + image.count).update(repeating: 0, count: classes)
        }
        return dx
    }
}

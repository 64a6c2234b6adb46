/// Spreads each of a row's values over a whole plane: [B, C] -> [B, C·H·W], value c filling plane c.
/// It turns a one-hot label into constant label planes that a convolution reads beside the image.
public final class PlaneBroadcast: Layer {
    public let height: Int, width: Int
    private var output = Workspace(), gradInput = Workspace()

    public init(height: Int, width: Int) { self.height = height; self.width = width }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        let plane = height * width
        let y = output.matrix(rows: x.rows, cols: x.cols * plane)
        for r in 0..<x.rows {
            for c in 0..<x.cols { (y.pointer + (r * x.cols + c) * plane).update(repeating: x[r, c], count: plane) }
        }
        return y
    }

    /// dx[r, c] = Σ over plane c of dy.
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let plane = height * width, channels = dy.cols / plane
        let dx = gradInput.matrix(rows: dy.rows, cols: channels)
        for r in 0..<dy.rows {
            for c in 0..<channels {
                let g = dy.pointer + (r * channels + c) * plane
                var s: Float = 0
                for i in 0..<plane { s += g[i] }
                dx[r, c] = s
            }
        }
        return dx
    }
}

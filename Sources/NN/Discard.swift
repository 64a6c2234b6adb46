/// Reads nothing of its input: [n, k] -> [n, 0]. The branch of a two-input net whose second input is read
/// elsewhere (a projection head reads the label after the trunk).
public final class Discard: Layer, InferenceDifferentiable {
    private var output = Workspace(), gradInput = Workspace()
    private var inputWidth = 0
    public init() {}

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        inputWidth = x.cols
        return output.matrix(rows: x.rows, cols: 0)
    }

    /// dy [n, 0] -> zeros [n, k], k the last input's width.
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        guard needs.contains(.input) else { return noGradient }
        let dx = gradInput.matrix(rows: dy.rows, cols: inputWidth)
        dx.fill(0)
        return dx
    }
}

/// Two branches side by side, their outputs concatenated column-wise: the shape of a net with two
/// inputs (an image or noise vector, and a label) that meet in one trunk.
public final class Concat: Module {
    public let first: Layer, second: Layer
    public let firstName: String, secondName: String
    private var output = Workspace(), gradFirst = Workspace(), gradSecond = Workspace()
    private var firstWidth = 0, secondWidth = 0

    public init(_ first: Layer, named firstName: String, _ second: Layer, named secondName: String) {
        self.first = first
        self.second = second
        self.firstName = firstName
        self.secondName = secondName
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed(firstName, first) + prefixed(secondName, second)
    }

    /// [first(a) | second(b)], one row per example.
    public func forward(_ a: Matrix, _ b: Matrix, mode: Mode) -> Matrix {
        precondition(a.rows == b.rows, "Concat: \(a.rows) rows and \(b.rows) rows")
        let fa = first.forward(a, mode: mode), fb = second.forward(b, mode: mode)
        firstWidth = fa.cols
        secondWidth = fb.cols
        let y = output.matrix(rows: a.rows, cols: fa.cols + fb.cols)
        let yp = y.pointer, w = y.cols
        for r in 0..<a.rows {
            (yp + r * w).update(from: fa.pointer + r * fa.cols, count: fa.cols)
            (yp + r * w + fa.cols).update(from: fb.pointer + r * fb.cols, count: fb.cols)
        }
        return y
    }

    /// Splits dy by columns and runs each branch backward. Returns dLoss/da when `inputGradient`
    /// is set (the second input is a label and never needs one).
    public func backward(_ dy: Matrix, parameterGradients: Bool, inputGradient: Bool) -> Matrix {
        let n = dy.rows
        let ga = gradFirst.matrix(rows: n, cols: firstWidth), gb = gradSecond.matrix(rows: n, cols: secondWidth)
        let p = dy.pointer, w = dy.cols
        for r in 0..<n {
            (ga.pointer + r * firstWidth).update(from: p + r * w, count: firstWidth)
            (gb.pointer + r * secondWidth).update(from: p + r * w + firstWidth, count: secondWidth)
        }
        let params: GradientNeeds = parameterGradients ? .parameters : []
        _ = second.backward(gb, needs: params)
        return first.backward(ga, needs: inputGradient ? params.union(.input) : params)
    }
}

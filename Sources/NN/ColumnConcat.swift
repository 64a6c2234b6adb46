/// Joins two matrices of the same row count side by side, [a | b], and splits a gradient the same way:
/// where the two branches of a two-input net (an image or noise vector, and a label) meet.
public struct ColumnConcat {
    private var output = Workspace(), gradFirst = Workspace(), gradSecond = Workspace()
    private var firstWidth = 0, secondWidth = 0

    public init() {}

    /// [a | b]: [n, p] and [n, q] -> [n, p + q].
    public mutating func forward(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows, "ColumnConcat: \(a.rows) rows and \(b.rows) rows")
        (firstWidth, secondWidth) = (a.cols, b.cols)
        let y = output.matrix(rows: a.rows, cols: a.cols + b.cols)
        let yp = y.pointer, w = y.cols
        for r in 0..<a.rows {
            (yp + r * w).update(from: a.pointer + r * a.cols, count: a.cols)
            (yp + r * w + a.cols).update(from: b.pointer + r * b.cols, count: b.cols)
        }
        return y
    }

    /// dy [n, p + q] -> (da [n, p], db [n, q]).
    public mutating func backward(_ dy: Matrix) -> (Matrix, Matrix) {
        let n = dy.rows
        let ga = gradFirst.matrix(rows: n, cols: firstWidth), gb = gradSecond.matrix(rows: n, cols: secondWidth)
        let p = dy.pointer, w = dy.cols
        for r in 0..<n {
            (ga.pointer + r * firstWidth).update(from: p + r * w, count: firstWidth)
            (gb.pointer + r * secondWidth).update(from: p + r * w + firstWidth, count: secondWidth)
        }
        return (ga, gb)
    }
}

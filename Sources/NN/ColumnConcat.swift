/// Joins two matrices of the same row count side by side, [a | b], and splits a gradient the same way:
/// where the two branches of a two-input net (an image or noise vector, and a label) meet, and where one
/// output carries two things (an AC-GAN discriminator's score and class logits).
public struct ColumnConcat {
    private var output = Workspace(), gradFirst = Workspace(), gradSecond = Workspace()   // the halves `split` returns
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
        precondition(dy.cols == firstWidth + secondWidth, "ColumnConcat: gradient of \(dy.cols) columns, not \(firstWidth + secondWidth)")
        return split(dy, firstWidth: firstWidth)
    }

    /// [a | b] [n, w] -> (a [n, p], b [n, w − p]): a forward split, where one output carries two things.
    public mutating func split(_ y: Matrix, firstWidth p: Int) -> (Matrix, Matrix) {
        precondition((0...y.cols).contains(p), "ColumnConcat: cannot split \(y.cols) columns after \(p)")
        let n = y.rows, q = y.cols - p
        let a = gradFirst.matrix(rows: n, cols: p), b = gradSecond.matrix(rows: n, cols: q)
        let src = y.pointer, w = y.cols
        for r in 0..<n {
            (a.pointer + r * p).update(from: src + r * w, count: p)
            (b.pointer + r * q).update(from: src + r * w + p, count: q)
        }
        return (a, b)
    }
}

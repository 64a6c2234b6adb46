/// `out[c] = Σ_r m[r, c]`: column sums, each column adding its rows in order from 0.
public func sumRows(of m: Matrix, into out: Matrix) {
    precondition(out.count == m.cols, "sumRows: \(m.shape) into \(out.shape)")
    let o = out.pointer, p = m.pointer, n = m.cols
    // Columns split across threads; each column still sums its rows in order, so the bits do not depend on them.
    ParallelLoop.forEachChunk(n, work: m.count) { columns in
        columnSums(rows: m.rows, columns: columns, into: o, lanes: { r, c in p.lanes(at: r * n + c) }, scalar: { r, c in p[r * n + c] })
    }
}

/// out[c] = Σ_r term(r, c) for the columns given, each column adding its rows in order from 0 (the bits of
/// the plain double loop), sixteen columns at a time.
@inline(__always)
func columnSums(rows: Int, columns: Range<Int>, into out: UnsafeMutablePointer<Float>,
                lanes: (_ row: Int, _ column: Int) -> Lanes, scalar: (_ row: Int, _ column: Int) -> Float) {
    var c = columns.lowerBound
    while c + 16 <= columns.upperBound {
        var sum = Lanes(repeating: 0)
        for r in 0..<rows { sum += lanes(r, c) }
        out.storeLanes(sum, at: c)
        c += 16
    }
    for column in c..<columns.upperBound {
        var sum: Float = 0
        for r in 0..<rows { sum += scalar(r, column) }
        out[column] = sum
    }
}

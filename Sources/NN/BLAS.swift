import CBLAS

/// `c = alpha * op(a) * op(b) + beta * c` through OpenBLAS's `sgemm`; transposes are read in place, never copied.
public func gemm(_ a: Matrix, _ b: Matrix, into c: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                 alpha: Float = 1, beta: Float = 0) {
    let (m, k) = transposeA ? (a.cols, a.rows) : (a.rows, a.cols)
    let (kb, n) = transposeB ? (b.cols, b.rows) : (b.rows, b.cols)
    precondition(k == kb && c.rows == m && c.cols == n,
                 "gemm shapes \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "") -> \(c.shape)")
    if m == 0 || n == 0 { return }
    if k == 0 { c.scale(by: beta); return }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a.pointer, Int32(a.cols), b.pointer, Int32(b.cols), beta, c.pointer, Int32(c.cols))
}

extension Matrix {
    /// Multiplies every element by `factor`.
    public func scale(by factor: Float) {
        let p = pointer
        for i in 0..<count { p[i] *= factor }
    }
}

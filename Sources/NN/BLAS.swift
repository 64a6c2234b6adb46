import CBLAS
import Synchronization

/// `c = alpha * op(a) * op(b) + beta * c`, through oneDNN's matmul or OpenBLAS's `sgemm` as `products`
/// says (default: fp32 through oneDNN); transposes are read in place, never copied.
public func gemm(_ a: Matrix, _ b: Matrix, into c: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                 alpha: Float = 1, beta: Float = 0, using products: MatrixProducts = MatrixProducts()) {
    let (m, k) = transposeA ? (a.cols, a.rows) : (a.rows, a.cols)
    let (kb, n) = transposeB ? (b.cols, b.rows) : (b.rows, b.cols)
    precondition(k == kb && c.rows == m && c.cols == n,
                 "gemm shapes \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "") -> \(c.shape)")
    if m == 0 || n == 0 { return }
    if k == 0 { c.scale(by: beta); return }
    let shape = GEMMShape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
    products.counter?.record(shape)
    if products.usesOneDNN {
        OneDNNMatmul.shared.multiply(.init(shape: shape, alpha: alpha, beta: beta, precision: products.precision),
                                     a: a.pointer, b: b.pointer, c: c.pointer)
        return
    }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a.pointer, Int32(a.cols), b.pointer, Int32(b.cols), beta, c.pointer, Int32(c.cols))
}

/// Floating-point operations of the `Float` matrix products and convolutions run with the `MatrixProducts`
/// that hold this counter (2·m·n·k each): benchmarks read it around one training step to report GFLOP/s.
public final class GEMMCounter: Sendable {
    private struct State {
        var flops = 0
        /// When set, every product appends its shape.
        var shapes: [GEMMShape]?
    }
    private let state = Mutex(State())

    public init() {}

    /// FLOPs counted so far.
    public var flops: Int { state.withLock { $0.flops } }

    /// Runs `body` and returns the shapes of the products it ran, in order (a benchmark records one step's).
    public func recordingShapes(_ body: () throws -> Void) rethrows -> [GEMMShape] {
        state.withLock { $0.shapes = [] }
        defer { state.withLock { $0.shapes = nil } }
        try body()
        return state.withLock { $0.shapes ?? [] }
    }

    /// Counts one product (convolutions record the im2col product they stand for).
    func record(_ shape: GEMMShape) {
        state.withLock { state in
            state.flops &+= shape.flops
            state.shapes?.append(shape)
        }
    }
}

/// The shape of one `Float` matrix product: op(a) is m x k, op(b) is k x n.
public struct GEMMShape: Hashable, Codable, Sendable, CustomStringConvertible {
    public let m: Int, n: Int, k: Int
    public let transposeA: Bool, transposeB: Bool
    public init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) {
        self.m = m; self.n = n; self.k = k; self.transposeA = transposeA; self.transposeB = transposeB
    }
    public var flops: Int { 2 * m * n * k }
    public var description: String { "\(m)x\(k)\(transposeA ? "ᵀ" : "") · \(k)x\(n)\(transposeB ? "ᵀ" : "")" }
}

extension Matrix {
    /// Multiplies every element by `factor`.
    public func scale(by factor: Float) {
        let p = pointer
        for i in 0..<count { p[i] *= factor }
    }
}

/// Double-precision `c = alpha * a * op(b) + beta * c` on row-major buffers (a: m x k, b: k x n or n x k
/// when `transposeB`), for evaluation code where Float's rounding would show (distances, covariances).
public func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, transposeB: Bool,
                 c: UnsafeMutablePointer<Double>, alpha: Double = 1, beta: Double = 0, transposeA: Bool = false) {
    guard m > 0, n > 0, k > 0 else { return }
    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                beta, c, Int32(n))
}

/// Eigenvalues (ascending) and eigenvectors of a symmetric n x n matrix, through LAPACK's `dsyev`
/// (bundled with OpenBLAS). Row i of `vectors` (row-major, n x n) is the eigenvector of `values[i]`.
public func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
    // LAPACK is column-major; a symmetric matrix is its own transpose, so the input needs no change.
    // The output's columns are eigenvectors, i.e. in row-major terms row i of `vectors` holds eigenvector i.
    var a = matrix, w = [Double](repeating: 0, count: n)
    var jobz = Int8(UInt8(ascii: "V")), uplo = Int8(UInt8(ascii: "U"))
    var nn = Int32(n), lda = Int32(n), info: Int32 = 0, lwork: Int32 = -1
    var query = 0.0
    dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &query, &lwork, &info)
    lwork = Int32(query)
    var work = [Double](repeating: 0, count: Int(lwork))
    dsyev_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &info)
    precondition(info == 0, "dsyev failed with info \(info)")
    return (w, a)
}

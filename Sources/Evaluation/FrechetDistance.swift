import NN

/// Mean and covariance of feature vectors, in Double.
public struct GaussianStatistics: Sendable {
    public let dimension: Int
    public let mean: [Double]
    /// Row-major d x d sample covariance (divided by n - 1).
    public let covariance: [Double]

    public init(mean: [Double], covariance: [Double]) {
        precondition(covariance.count == mean.count * mean.count, "covariance must be d x d")
        dimension = mean.count
        self.mean = mean
        self.covariance = covariance
    }

    public init(features: Matrix) {
        let n = features.rows, d = features.cols
        precondition(n > 1, "need at least two feature vectors")
        dimension = d
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for c in 0..<d { mean[c] += Double(features[r, c]) } }
        mean = mean.map { $0 / Double(n) }
        var centred = [Double](repeating: 0, count: n * d)
        for r in 0..<n { for c in 0..<d { centred[r * d + c] = Double(features[r, c]) - mean[c] } }
        var cov = [Double](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { x in
            cov.withUnsafeMutableBufferPointer { out in
                gemm(m: d, n: d, k: n, a: x.baseAddress!, b: x.baseAddress!, transposeB: false, c: out.baseAddress!,
                     alpha: 1 / Double(n - 1), transposeA: true)
            }
        }
        self.mean = mean
        covariance = cov
    }
}

/// The Fréchet distance between two Gaussians (Heusel et al., 2017):
/// |μ₁ - μ₂|² + tr(Σ₁) + tr(Σ₂) - 2 tr((Σ₁^½ Σ₂ Σ₁^½)^½), with both square roots from symmetric
/// eigendecompositions (the middle matrix is symmetric positive semi-definite, unlike Σ₁Σ₂).
public func frechetDistance(_ a: GaussianStatistics, _ b: GaussianStatistics) -> Double {
    precondition(a.dimension == b.dimension, "feature dimensions differ")
    let d = a.dimension
    // Non-finite statistics would send the eigensolver into NaN; the distance is then undefined.
    guard (a.mean + b.mean + a.covariance + b.covariance).allSatisfy(\.isFinite) else { return .nan }
    let meanTerm = zip(a.mean, b.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let traceA = (0..<d).reduce(0) { $0 + a.covariance[$1 * d + $1] }
    let traceB = (0..<d).reduce(0) { $0 + b.covariance[$1 * d + $1] }
    let rootA = symmetricSquareRoot(a.covariance, n: d)
    let middle = multiply(multiply(rootA, b.covariance, n: d), rootA, n: d)
    let eigen = symmetricEigen(symmetrised(middle, n: d), n: d).values
    let traceRoot = eigen.reduce(0) { $0 + max($1, 0).squareRoot() }
    return meanTerm + traceA + traceB - 2 * traceRoot
}

/// V diag(√max(λ, 0)) Vᵀ.
func symmetricSquareRoot(_ m: [Double], n: Int) -> [Double] {
    let (values, vectors) = symmetricEigen(m, n: n)
    var scaled = vectors  // row i = eigenvector i, scaled by √λᵢ
    for i in 0..<n {
        let s = max(values[i], 0).squareRoot()
        for j in 0..<n { scaled[i * n + j] *= s }
    }
    var out = [Double](repeating: 0, count: n * n)
    // Σᵢ √λᵢ vᵢ vᵢᵀ = Vᵀ_rows · scaled, i.e. (rows of vectors)ᵀ × scaled.
    vectors.withUnsafeBufferPointer { v in
        scaled.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                gemm(m: n, n: n, k: n, a: v.baseAddress!, b: s.baseAddress!, transposeB: false, c: o.baseAddress!, transposeA: true)
            }
        }
    }
    return out
}

func multiply(_ x: [Double], _ y: [Double], n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                gemm(m: n, n: n, k: n, a: a.baseAddress!, b: b.baseAddress!, transposeB: false, c: o.baseAddress!)
            }
        }
    }
    return out
}

/// (M + Mᵀ) / 2: removes rounding asymmetry before an eigensolver that assumes symmetry.
func symmetrised(_ m: [Double], n: Int) -> [Double] {
    var out = m
    for i in 0..<n { for j in 0..<n { out[i * n + j] = (m[i * n + j] + m[j * n + i]) / 2 } }
    return out
}

import Foundation
import NN

/// A Gaussian Parzen window density (isotropic σ) on a set of samples: the log-likelihood estimate of
/// Goodfellow et al. (2014), which the CGAN paper's Table 1 reports.
///
///     log p(x) = logsumexp_i(-|x - μ_i|² / 2σ²) - log N - (d/2) log(2πσ²)
///
/// Squared distances come from one double-precision GEMM per chunk (|x|² + |μ|² - 2x·μ), shared by
/// every σ tried; the log-sum-exp is taken in Double.
public struct ParzenWindow {
    public let count: Int, dimension: Int
    private let centers: [Double]
    private let centerNorms: [Double]
    /// Checked between chunks of points: true stops the scoring early (Ctrl-C during training's
    /// evaluation), leaving the points not reached at NaN.
    public var isCancelled: () -> Bool = { false }

    /// The estimate of one σ on one set of points.
    public struct Score: Sendable, Codable, Equatable {
        public let sigma: Double
        /// Mean log-likelihood in nats, and its standard error over the points.
        public let mean: Double, standardError: Double

        /// The mean and its standard error over per-point log-likelihoods.
        public init(sigma: Double, logLikelihoods ll: [Double]) {
            let mean = ll.reduce(0, +) / Double(ll.count)
            let variance = ll.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(ll.count - 1, 1))
            self.sigma = sigma
            self.mean = mean
            standardError = (variance / Double(ll.count)).squareRoot()
        }
    }

    /// `samples` [N, d] are the kernel centres.
    public init(samples: Matrix) {
        count = samples.rows
        dimension = samples.cols
        centers = samples.array.map(Double.init)
        centerNorms = (0..<samples.rows).map { r in (0..<samples.cols).reduce(0.0) { $0 + Double(samples[r, $1]) * Double(samples[r, $1]) } }
    }

    /// The σ grid of Goodfellow et al.'s script: 10 values log-spaced over [0.1, 1] (or `count` of them).
    public static func sigmaGrid(count: Int = 10, from low: Double = 0.1, to high: Double = 1) -> [Double] {
        guard count > 1 else { return [low] }
        return (0..<count).map { low * pow(high / low, Double($0) / Double(count - 1)) }
    }

    /// log p(x) of every row of `points` for every σ: result[s][i].
    public func logLikelihoods(_ points: Matrix, sigmas: [Double], chunkSize: Int = 256) -> [[Double]] {
        precondition(points.cols == dimension, "Parzen window of dimension \(dimension) got points \(points.shape)")
        var result = [[Double]](repeating: [Double](repeating: 0, count: points.rows), count: sigmas.count)
        let logN = log(Double(count))
        let normalisers = sigmas.map { Double(dimension) / 2 * log(2 * Double.pi * $0 * $0) }
        let scales = sigmas.map { 1 / (2 * $0 * $0) }
        var chunk = [Double](repeating: 0, count: chunkSize * dimension)
        var dots = [Double](repeating: 0, count: chunkSize * count)
        var distances = [Double](repeating: 0, count: count)
        var start = 0
        while start < points.rows {
            if isCancelled() {
                for s in sigmas.indices { for i in start..<points.rows { result[s][i] = .nan } }
                break
            }
            let rows = min(chunkSize, points.rows - start)
            for i in 0..<(rows * dimension) { chunk[i] = Double(points.pointer[start * dimension + i]) }
            chunk.withUnsafeBufferPointer { x in
                centers.withUnsafeBufferPointer { c in
                    dots.withUnsafeMutableBufferPointer { out in
                        gemm(m: rows, n: count, k: dimension, a: x.baseAddress!, b: c.baseAddress!, transposeB: true,
                             c: out.baseAddress!)
                    }
                }
            }
            for r in 0..<rows {
                var norm = 0.0
                for j in 0..<dimension { norm += chunk[r * dimension + j] * chunk[r * dimension + j] }
                var nearest = Double.infinity
                for j in 0..<count {
                    let d = max(0, norm + centerNorms[j] - 2 * dots[r * count + j])
                    distances[j] = d
                    nearest = min(nearest, d)
                }
                for (s, scale) in scales.enumerated() {
                    var sum = 0.0
                    for j in 0..<count { sum += exp(-(distances[j] - nearest) * scale) }
                    result[s][start + r] = -nearest * scale + log(sum) - logN - normalisers[s]
                }
            }
            start += rows
        }
        return result
    }

    /// Mean log-likelihood and standard error of `points` for each σ.
    public func scores(_ points: Matrix, sigmas: [Double]) -> [Score] {
        zip(sigmas, logLikelihoods(points, sigmas: sigmas)).map { Score(sigma: $0, logLikelihoods: $1) }
    }

    /// The paper's protocol: pick σ by the mean log-likelihood of `validation`, then score `test` with it.
    /// Also returns each test point's log-likelihood at that σ, for per-class summaries.
    public func evaluate(validation: Matrix, test: Matrix, sigmas: [Double])
        -> (validation: [Score], test: Score, testLogLikelihoods: [Double]) {
        let v = scores(validation, sigmas: sigmas)
        let best = v.max { $0.mean < $1.mean }!
        let ll = logLikelihoods(test, sigmas: [best.sigma])[0]
        return (v, Score(sigma: best.sigma, logLikelihoods: ll), ll)
    }
}

import NN

/// How varied a set of images is next to real ones: the ratio of their total pixel variance (the trace of
/// the covariance, i.e. half the mean squared distance between two images of the set). Near 1 for samples as
/// varied as the data; near 0 when a class has collapsed to a few near-duplicate images.
public enum ClassDiversity {
    /// Σ over pixels of the variance of `rows` of `images` (the rows listed; all when nil).
    public static func totalVariance(_ images: Matrix, rows: [Int]) -> Double {
        guard rows.count > 1 else { return 0 }
        let d = images.cols
        var mean = [Double](repeating: 0, count: d), squares = 0.0
        for r in rows {
            let p = images.pointer + r * d
            for j in 0..<d {
                let v = Double(p[j])
                mean[j] += v
                squares += v * v
            }
        }
        let n = Double(rows.count)
        let meanSquares = mean.reduce(0) { $0 + ($1 / n) * ($1 / n) }
        return (squares / n - meanSquares) * n / (n - 1)
    }

    /// totalVariance(generated) / totalVariance(real).
    public static func ratio(generated: Matrix, rows: [Int], real: Matrix, realRows: [Int]) -> Double {
        let r = totalVariance(real, rows: realRows)
        return r > 0 ? totalVariance(generated, rows: rows) / r : 0
    }

    /// The classes that look collapsed: diversity below half the data's, or a class FID more than three times
    /// the median class FID (and above 2x the overall real-data floor, so that noise in good models is not flagged).
    public static func collapsedClasses(diversity: [Double], classFID: [Double]?, floor: Double) -> [Int] {
        let median = classFID.map { $0.sorted()[$0.count / 2] }
        return diversity.indices.filter { k in
            diversity[k] < 0.5 || (classFID.map { $0[k] > 3 * median! && $0[k] > 2 * floor } ?? false)
        }
    }
}

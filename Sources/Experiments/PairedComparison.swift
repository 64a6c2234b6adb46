import Foundation

/// Two arms of an experiment compared seed by seed: the differences (arm − baseline) of runs that share a
/// seed, so that what the seed decides (initial weights, data order) cancels.
public struct PairedComparison: Sendable, Equatable {
    /// arm − baseline per shared seed, finite ones only.
    public let differences: [Double]
    /// Shared seeds whose difference is not a number (a run that diverged): left out of the statistics, and
    /// said in `summary`, so that an unstable arm is not flattered by losing its worst seeds quietly.
    public let nonFinite: Int

    /// Differences given directly (all finite ones kept).
    public init(differences: [Double]) {
        self.differences = differences.filter(\.isFinite)
        nonFinite = differences.count - self.differences.count
    }

    /// The pairs of `arm` and `baseline` values with the same seed (seeds only one of them has are left out).
    public init(arm: [Int: Double], baseline: [Int: Double]) {
        self.init(differences: arm.keys.sorted().compactMap { seed in baseline[seed].map { arm[seed]! - $0 } })
    }

    /// The number of pairs with a finite difference.
    public var count: Int { differences.count }
    /// The mean difference; nan without pairs.
    public var mean: Double { differences.isEmpty ? .nan : differences.reduce(0, +) / Double(count) }

    /// The 95% confidence interval of the mean difference from Student's t with n − 1 degrees of freedom;
    /// nil below 2 pairs. It assumes the differences roughly normal: read it beside `exactP`, which does not.
    public var confidenceInterval95: ClosedRange<Double>? {
        guard count >= 2 else { return nil }
        let m = mean, n = Double(count)
        let sd = (differences.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot()
        let half = Self.studentT975(degreesOfFreedom: count - 1) * sd / n.squareRoot()
        return (m - half)...(m + half)
    }

    /// The exact two-sided p-value of the paired sign-flip (permutation) test: the share of the 2^n ways of
    /// flipping the differences' signs whose sum is at least as far from 0 as the observed one. With no
    /// difference between arms every flip is as likely; no normality assumed. The smallest it can be is
    /// 2 / 2^n (1/16 for 5 pairs), so few seeds cannot give small p-values. Nil for no pairs or above 20.
    public var exactP: Double? {
        guard (1...20).contains(count) else { return nil }
        let observed = abs(differences.reduce(0, +))
        // A tolerance so that flips summing to the observed value in exact arithmetic count despite rounding.
        let tolerance = 1e-9 * max(1, differences.map(abs).reduce(0, +))
        var atLeast = 0
        for mask in 0..<(1 << count) {
            var sum = 0.0
            for (i, d) in differences.enumerated() { sum += mask & (1 << i) != 0 ? -d : d }
            if abs(sum) >= observed - tolerance { atLeast += 1 }
        }
        return Double(atLeast) / Double(1 << count)
    }

    /// The 0.975 quantile of Student's t distribution (two-sided 95%), from the standard table.
    static func studentT975(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        precondition(df >= 1, "t needs at least one degree of freedom")
        return df <= table.count ? table[df - 1] : 1.96 + 2.4 / Double(df)
    }

    /// "+3.0 [+1.0, +5.0], p = 0.06 (5 seeds)" with `format` for the numbers.
    public func summary(_ format: String) -> String {
        let lost = nonFinite > 0 ? "; \(nonFinite) seed\(nonFinite == 1 ? "" : "s") diverged or not finite" : ""
        guard count > 0 else { return nonFinite > 0 ? "none: \(nonFinite) seed\(nonFinite == 1 ? "" : "s") diverged or not finite" : "no shared seeds" }
        func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + String(format: format, x) }
        let interval = confidenceInterval95.map { " [\(signed($0.lowerBound)), \(signed($0.upperBound))]" } ?? ""
        let p = exactP.map { String(format: ", p = %.2g", $0) } ?? ""
        return "\(signed(mean))\(interval)\(p) (\(count) seed\(count == 1 ? "" : "s")\(lost))"
    }
}

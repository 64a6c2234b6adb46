import Foundation
import TestSupport
import XCTest
import Datasets
import Evaluation
import NN

final class ParzenWindowTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// Against a direct double-precision evaluation of the formula, point by point.
    func testMatchesABruteForceComputation() {
        let rng = RandomGenerator(seed: 1)
        let centers = Matrix(rows: 40, cols: 6), points = Matrix(rows: 9, cols: 6)
        rng.fillUniform(centers)
        rng.fillUniform(points)
        let sigmas = [0.05, 0.2, 1.0]
        let window = ParzenWindow(samples: centers)
        let fast = window.logLikelihoods(points, sigmas: sigmas, chunkSize: 4)  // chunks that do not divide 9
        for (s, sigma) in sigmas.enumerated() {
            for i in 0..<points.rows {
                let exponents = (0..<centers.rows).map { j in
                    -(0..<6).reduce(0.0) { acc, k in
                        let d = Double(points[i, k]) - Double(centers[j, k]); return acc + d * d
                    } / (2 * sigma * sigma)
                }
                let m = exponents.max()!
                let lse = m + log(exponents.reduce(0) { $0 + exp($1 - m) })
                let expected = lse - log(40.0) - 3 * log(2 * Double.pi * sigma * sigma)
                XCTAssertEqual(fast[s][i], expected, accuracy: 1e-9 * max(1, abs(expected)), "σ \(sigma), point \(i)")
            }
        }
    }

    func testSigmaGridAndSelection() {
        let grid = ParzenWindow.sigmaGrid()
        XCTAssertEqual(grid.count, 10)
        XCTAssertEqual(grid.first!, 0.1, accuracy: 1e-12)
        XCTAssertEqual(grid.last!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(grid[5] / grid[4], pow(10, 1.0 / 9), accuracy: 1e-12)
        // Points drawn near the centres at scale 0.3: validation must prefer a σ near 0.3 over the extremes.
        let rng = RandomGenerator(seed: 2)
        let centers = Matrix(rows: 500, cols: 2), validation = Matrix(rows: 200, cols: 2)
        rng.fillNormal(centers, standardDeviation: 1)
        for i in 0..<200 { for k in 0..<2 { validation[i, k] = centers[i, k] + 0.3 * Float(rng.uniform() * 2 - 1) } }
        let (scores, test, perPoint) = ParzenWindow(samples: centers).evaluate(validation: validation, test: validation, sigmas: grid)
        XCTAssertEqual(test.sigma, scores.max { $0.mean < $1.mean }!.sigma)
        XCTAssertTrue((0.1...0.6).contains(test.sigma), "chose σ \(test.sigma)")
        XCTAssertGreaterThan(test.standardError, 0)
        XCTAssertEqual(perPoint.count, 200)
        XCTAssertEqual(test.mean, perPoint.reduce(0, +) / 200, accuracy: 1e-9)
    }
}

final class FrechetDistanceTests: XCTestCase {
    func testKnownValues() {
        let a = GaussianStatistics(mean: [0, 0], covariance: [1, 0, 0, 4])
        let b = GaussianStatistics(mean: [1, 1], covariance: [4, 0, 0, 9])
        // Diagonal covariances: |μ₁-μ₂|² + Σ(√a - √b)² = 2 + 1 + 1.
        XCTAssertEqual(frechetDistance(a, b), 4, accuracy: 1e-9)
        XCTAssertEqual(frechetDistance(a, a), 0, accuracy: 1e-9)
        // Non-commuting covariances: a 2x2 case worked out with the closed form
        // tr √M = √(tr M + 2√det M) for M = A^½ B A^½, det M = det A · det B.
        let c = GaussianStatistics(mean: [0, 0], covariance: [2, 1, 1, 2])
        let d = GaussianStatistics(mean: [0, 0], covariance: [1, 0, 0, 3])
        // tr(M) = tr(A B) = 2·1 + 2·3 = 8; det = 3 · 3 = 9.
        let expected = 4.0 + 4.0 - 2 * (8 + 2 * 3.0).squareRoot()
        XCTAssertEqual(frechetDistance(c, d), expected, accuracy: 1e-9)
    }

    func testStatisticsFromFeatures() {
        let f = Matrix(rows: 4, cols: 2, values: [1, 2, 3, 2, 1, 4, 3, 4])
        let s = GaussianStatistics(features: f)
        XCTAssertEqual(s.mean, [2, 3])
        XCTAssertEqual(s.covariance, [4.0 / 3, 0, 0, 4.0 / 3])
    }
}

final class ClassifierTests: XCTestCase {
    /// Trains the convolutional classifier for one epoch on real MNIST (the default 12 take minutes) and
    /// checks it already reaches 97% on the test set (97.8% measured; a broken layer or mixed-up labels
    /// give far less), then that the cache returns the same classifier.
    func testClassifierReaches97PercentInOneEpochAndCaches() throws {
        let data = try RealMNIST.require(for: "the classifier's accuracy is a property of the real digits")
        let cache = NSTemporaryDirectory() + "cgan-classifier-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let (classifier, accuracy) = try ClassifierCache.classifier(for: data, cacheDirectory: cache, epochs: 1)
        XCTAssertGreaterThanOrEqual(accuracy, 0.97)
        // A cache of another epoch count is not this classifier.
        XCTAssertNil(ImageClassifier.load(from: cache + "/classifier-mnist.safetensors", classCount: 10, expecting: ["epochs": "12"]))
        let (cached, cachedAccuracy) = try ClassifierCache.classifier(for: data, cacheDirectory: cache, epochs: 1)
        XCTAssertFalse(cached === classifier)
        XCTAssertEqual(cachedAccuracy, accuracy)
        XCTAssertEqual(classifier.features(data.test.subset(0..<5).matrix(scale: .unit)).shape, [5, 256])
    }
}

final class ClassDiversityTests: XCTestCase {
    /// Copies of one image have no variance (collapse); a set against itself has ratio 1; the variance is
    /// half the mean squared distance between two of its images.
    func testDiversityRatioAndCollapseRule() {
        let rng = RandomGenerator(seed: 3)
        let real = Matrix(rows: 50, cols: 16)
        rng.fillUniform(real)
        let copies = Matrix(rows: 50, cols: 16)
        for r in 0..<50 { copies.rows(r..<(r + 1)).copy(from: real.rows(0..<1)) }
        let all = Array(0..<50)
        XCTAssertEqual(ClassDiversity.ratio(generated: copies, rows: all, real: real, realRows: all), 0, accuracy: 1e-9)
        XCTAssertEqual(ClassDiversity.ratio(generated: real, rows: all, real: real, realRows: all), 1, accuracy: 1e-9)
        var pairs = 0.0
        for a in 0..<50 { for b in 0..<50 where a != b { for j in 0..<16 { let d = Double(real[a, j] - real[b, j]); pairs += d * d } } }
        XCTAssertEqual(ClassDiversity.totalVariance(real, rows: all), pairs / Double(50 * 49) / 2, accuracy: 1e-6)
        XCTAssertEqual(ClassDiversity.collapsedClasses(diversity: [1, 0.9, 0.2, 1], classFID: nil, floor: 1), [2])
        XCTAssertEqual(ClassDiversity.collapsedClasses(diversity: [1, 1, 1, 1], classFID: [5, 6, 40, 5], floor: 1), [2])
        XCTAssertEqual(ClassDiversity.collapsedClasses(diversity: [1, 1, 1, 1], classFID: [0.5, 0.6, 1.9, 0.5], floor: 1), [])
    }
}

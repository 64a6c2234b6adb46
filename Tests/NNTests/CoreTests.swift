import TestSupport
import XCTest
import NN

final class GEMMTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    func naive(_ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool) -> [Float] {
        let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
        let n = transposeB ? b.rows : b.cols
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    s += Double(transposeA ? a[p, i] : a[i, p]) * Double(transposeB ? b[j, p] : b[p, j])
                }
                out[i * n + j] = Float(s)
            }
        }
        return out
    }

    func testAllOrientationsMatchANaiveProduct() {
        let rng = RandomGenerator(seed: 1)
        for (ta, tb) in [(false, false), (false, true), (true, false)] {
            let (m, k, n) = (37, 53, 29)
            let a = ta ? randomMatrix(k, m, rng) : randomMatrix(m, k, rng)
            let b = tb ? randomMatrix(n, k, rng) : randomMatrix(k, n, rng)
            let c = Matrix(rows: m, cols: n)
            gemm(a, b, into: c, transposeA: ta, transposeB: tb)
            for (x, y) in zip(c.array, naive(a, b, transposeA: ta, transposeB: tb)) {
                XCTAssertEqual(x, y, accuracy: 1e-4, "orientation \(ta) \(tb)")
            }
        }
    }

    func testAlphaBetaAndRowViews() {
        let a = Matrix(rows: 3, cols: 2, values: [1, 2, 3, 4, 5, 6])
        let b = Matrix(rows: 2, cols: 1, values: [1, 1])
        let c = Matrix(rows: 2, cols: 1, values: [10, 20])
        gemm(a.rows(1..<3), b, into: c, alpha: 2, beta: 1)  // rows (3,4) and (5,6)
        XCTAssertEqual(c.array, [10 + 14, 20 + 22])
    }

    func testKernelIsNotASlowFallbackOnACapableCPU() {
        XCTAssertNil(BLASRuntime.betterCoreType(coreName: BLASRuntime.coreName, cpuFlags: BLASRuntime.cpuFlags),
                     "OpenBLAS runs \(BLASRuntime.coreName) although this CPU supports a faster kernel")
        XCTAssertEqual(BLASRuntime.betterCoreType(coreName: "Prescott", cpuFlags: ["avx512f", "avx512bw", "avx2", "fma"]), "SkylakeX")
        XCTAssertEqual(BLASRuntime.betterCoreType(coreName: "Prescott", cpuFlags: ["avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASRuntime.betterCoreType(coreName: "Prescott", cpuFlags: ["sse2"]))
        XCTAssertNil(BLASRuntime.betterCoreType(coreName: "Zen", cpuFlags: ["avx2", "fma"]))
    }
}

final class OptimizerTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    final class OneParameter: Module {
        let p = Parameter(rows: 1, cols: 2)
        var ownParameters: [(name: String, parameter: Parameter)] { [("w", p)] }
    }

    func testSGDWithMomentumMatchesHandComputedSteps() {
        let m = OneParameter()
        m.p.value.copy(from: Matrix(rows: 1, cols: 2, values: [1, -1]))
        let sgd = SGD(m)
        m.p.gradient.copy(from: Matrix(rows: 1, cols: 2, values: [2, 4]))
        sgd.update(Hyperparameters(learningRate: 0.1, momentum: 0.5), step: 1)  // v = (2, 4); w = (1 - 0.2, -1 - 0.4)
        XCTAssertEqual(m.p.value[0, 0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(m.p.value[0, 1], -1.4, accuracy: 1e-6)
        m.p.gradient.copy(from: Matrix(rows: 1, cols: 2, values: [1, 0]))
        sgd.update(Hyperparameters(learningRate: 0.05, momentum: 0.5), step: 2)  // v = (0.5·2 + 1, 0.5·4) = (2, 2); w = (0.8 - 0.1, -1.4 - 0.1)
        XCTAssertEqual(m.p.value[0, 0], 0.7, accuracy: 1e-6)
        XCTAssertEqual(m.p.value[0, 1], -1.5, accuracy: 1e-6)
        XCTAssertEqual(sgd.namedState.map(\.name), ["w.momentum"])
    }

    func testAdamMatchesHandComputedSteps() {
        let m = OneParameter()
        let adam = Adam(m, beta2: 0.999)
        let h = Hyperparameters(learningRate: 0.01, momentum: 0.5)
        m.p.gradient.copy(from: Matrix(rows: 1, cols: 2, values: [2, -0.5]))
        adam.update(h, step: 1)  // bias-corrected first step moves each weight by lr·sign(g)
        XCTAssertEqual(m.p.value[0, 0], -0.01, accuracy: 1e-6)
        XCTAssertEqual(m.p.value[0, 1], 0.01, accuracy: 1e-6)
        m.p.gradient.copy(from: Matrix(rows: 1, cols: 2, values: [1, -0.5]))
        adam.update(h, step: 2)
        // m2 = (1-β1)(β1·2 + 1), v2 = (1-β2)(β2·4 + 1), both bias-corrected by 1 - β².
        let b1: Double = 0.5, b2 = 0.999
        let mm = (1 - b1) * (b1 * 2 + 1), vv = (1 - b2) * (b2 * 4 + 1)
        let update = 0.01 * (mm / (1 - b1 * b1)) / ((vv / (1 - b2 * b2)).squareRoot() + 1e-8)
        XCTAssertEqual(Double(m.p.value[0, 0]), -0.01 - update, accuracy: 1e-6)
    }

    func testMaxRowNormRescalesOnlyLongRows() {
        let m = OneParameter()
        m.p.maxRowNorm = 1
        m.p.value.copy(from: Matrix(rows: 1, cols: 2, values: [3, 4]))
        m.p.applyMaxRowNorm()
        XCTAssertEqual(m.p.value.array[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(m.p.value.array[1], 0.8, accuracy: 1e-6)
        m.p.value.copy(from: Matrix(rows: 1, cols: 2, values: [0.3, 0.4]))
        m.p.applyMaxRowNorm()
        XCTAssertEqual(m.p.value.array, [0.3, 0.4])
    }

    func testSchedules() {
        let decay = ExponentialDecay(initial: 0.1, factor: 1.00004, floor: 1e-6)
        XCTAssertEqual(decay.value(atStep: 0), 0.1)
        XCTAssertEqual(decay.value(atStep: 1000), 0.1 / pow(1.00004, 1000), accuracy: 1e-12)
        XCTAssertEqual(decay.value(atStep: 10_000_000), 1e-6)
        let ramp = LinearRamp(start: 0.5, end: 0.7, steps: 100)
        XCTAssertEqual(ramp.value(atStep: 50), 0.6, accuracy: 1e-12)
        XCTAssertEqual(ramp.value(atStep: 500), 0.7)
    }
}

final class RandomGeneratorTests: XCTestCase {
    func testSameSeedSameStreamAndRestoredStateReplays() {
        let a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let xs = (0..<100).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<100).map { _ in c.next() })
        let saved = a.state
        let next = (0..<10).map { _ in a.next() }
        a.restore(saved)
        XCTAssertEqual(next, (0..<10).map { _ in a.next() })
    }

    func testUniformAndNormalMoments() {
        let rng = RandomGenerator(seed: 7)
        let u = Matrix(rows: 1000, cols: 100), n = Matrix(rows: 1000, cols: 100)
        rng.fillUniform(u)
        rng.fillNormal(n)
        let ua = u.array.map(Double.init), na = n.array.map(Double.init)
        XCTAssertTrue(ua.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(ua.reduce(0, +) / 1e5, 0.5, accuracy: 0.003)        // sd 0.0009
        let mean = na.reduce(0, +) / 1e5
        let variance = na.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1e5
        XCTAssertEqual(mean, 0, accuracy: 0.01)                              // sd 0.003
        XCTAssertEqual(variance, 1, accuracy: 0.015)                         // sd 0.0045
    }

    func testPermutationIsAPermutationAndIntegersCoverTheirRange() {
        let rng = RandomGenerator(seed: 3)
        let p = rng.permutation(1000)
        XCTAssertEqual(Set(p).count, 1000)
        XCTAssertNotEqual(p, Array(0..<1000))
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 { counts[rng.integer(below: 10)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 1000) < 150 }, "\(counts)")
    }
}

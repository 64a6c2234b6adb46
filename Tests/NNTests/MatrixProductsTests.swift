import NN
import TestSupport
import XCTest

/// `gemm` through oneDNN (fp32 and bf16) against OpenBLAS, on every transpose, alpha and beta.
final class MatrixProductsTests: XCTestCase {
    /// Operands of op(a) [m, k] and op(b) [k, n] as stored for the given transposes, filled from `seed`.
    func operands(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, seed: UInt64) -> (Matrix, Matrix) {
        let a = transposeA ? Matrix(rows: k, cols: m) : Matrix(rows: m, cols: k)
        let b = transposeB ? Matrix(rows: n, cols: k) : Matrix(rows: k, cols: n)
        let rng = RandomGenerator(seed: seed)
        rng.fillNormal(a); rng.fillNormal(b)
        return (a, b)
    }

    func clone(_ m: Matrix) -> Matrix {
        let c = Matrix(rows: m.rows, cols: m.cols)
        c.copy(from: m)
        return c
    }

    /// c = alpha op(a) op(b) + beta c in Double, from the operands as given.
    func reference(_ a: Matrix, _ b: Matrix, _ c0: Matrix, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float) -> [Double] {
        let m = c0.rows, n = c0.cols, k = transposeA ? a.rows : a.cols
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p, i] : a[i, p], y = transposeB ? b[j, p] : b[p, j]
                    s += Double(x) * Double(y)
                }
                out[i * n + j] = Double(alpha) * s + Double(beta) * Double(c0[i, j])
            }
        }
        return out
    }

    func testOneDNNMatchesOpenBLASAndDoubleOnEveryTransposeAlphaAndBeta() {
        let (m, n, k) = (7, 13, 33)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (0.5, -2)] {
                    let (a, b) = operands(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, seed: 3)
                    let c0 = Matrix(rows: m, cols: n)
                    RandomGenerator(seed: 4).fillNormal(c0)
                    let expected = reference(a, b, c0, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
                    for backend in MatrixProducts.Backend.allCases {
                        let c = clone(c0)
                        gemm(a, b, into: c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
                             using: MatrixProducts(backend: backend))
                        let worst = (0..<c.count).map { abs(Double(c.pointer[$0]) - expected[$0]) }.max()!
                        XCTAssertLessThan(worst, 1e-4, "\(backend) tA \(transposeA) tB \(transposeB) alpha \(alpha) beta \(beta)")
                    }
                }
            }
        }
    }

    /// In bf16 the product is that of the operands rounded to bf16, accumulated in fp32: exact on
    /// operands that bf16 holds exactly, and on others measurably different from the fp32 product.
    func testBF16MultipliesRoundedOperandsWithFloatAccumulation() throws {
        if let reason = MatrixProducts.unsupportedReason(.bf16) { throw XCTSkip("bf16 kernels not tested: \(reason)") }
        let (m, n, k) = (9, 40, 64)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let (a, b) = operands(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, seed: 5)
                let c0 = Matrix(rows: m, cols: n)
                RandomGenerator(seed: 6).fillNormal(c0)
                // The product of the rounded operands, in Double: what bf16 with fp32 accumulation approximates to 1e-5.
                let ra = clone(a), rb = clone(b)
                for x in [ra, rb] { for i in 0..<x.count { x.pointer[i] = BFloat16.float(BFloat16.round(x.pointer[i])) } }
                let roundedProduct = reference(ra, rb, c0, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 1)
                let exactProduct = reference(a, b, c0, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 1)
                let c = clone(c0), before = Array(a.buffer) + Array(b.buffer)
                gemm(a, b, into: c, transposeA: transposeA, transposeB: transposeB, beta: 1,
                     using: MatrixProducts(precision: .bf16))
                let toRounded = (0..<c.count).map { abs(Double(c.pointer[$0]) - roundedProduct[$0]) }.max()!
                let toExact = (0..<c.count).map { abs(Double(c.pointer[$0]) - exactProduct[$0]) }.max()!
                XCTAssertLessThan(toRounded, 1e-4, "tA \(transposeA) tB \(transposeB)")
                XCTAssertGreaterThan(toExact, 1e-3, "bf16 gave the fp32 product: the operands were not rounded")
                // The caller's operands are untouched.
                XCTAssertEqual(Array(a.buffer) + Array(b.buffer), before)
            }
        }
    }

    func testBF16IsRefusedWithAReasonWhereTheCPULacksIt() {
        XCTAssertNil(MatrixProducts.unsupportedReason(.fp32, cpuFlags: []))
        XCTAssertNil(MatrixProducts.unsupportedReason(.bf16, cpuFlags: ["avx512f", "avx512_bf16"]))
        XCTAssertNil(MatrixProducts.unsupportedReason(.bf16, cpuFlags: ["amx_bf16"]))
        let reason = MatrixProducts.unsupportedReason(.bf16, cpuFlags: ["avx2", "avx512f"])
        XCTAssertTrue(reason?.contains("needs a CPU with AVX512_BF16 or AMX-BF16") ?? false, reason ?? "nil")
        XCTAssertEqual(BLASRuntime.nativePrecisions(cpuFlags: ["avx2"]), [.fp32])
        XCTAssertEqual(BLASRuntime.nativePrecisions(cpuFlags: ["avx512_bf16"]), [.fp32, .bf16])
    }
}

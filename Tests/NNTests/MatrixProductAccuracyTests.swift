import Foundation
import NN
import TestSupport
import XCTest

/// Is one library's fp32 arithmetic systematically different from the other's on the paper model's products?
///
/// For every `Linear` of the paper model (`--arch paper`, maxout D) at batch 100, the three products of a training
/// step — forward y = x Wᵀ + b, weight gradient dW = dyᵀ x, input gradient dx = dy W — are called exactly as
/// `Linear` calls them (same transposes, beta 1 onto the bias for the forward), once through oneDNN and once
/// through OpenBLAS, from the same fp32 operands, and compared with the exact product of those operands computed
/// in Double (every product of two Floats is exact in Double, and K ≤ 1200 sums add ~1e-13 relative). Per
/// library it measures the relative RMS error, the signed bias and the bias toward or away from zero (what a
/// truncating or otherwise skewed accumulation would show), the largest error, and the largest error as a
/// fraction of the rigorous worst-case bound of any fp32 summation order; and between the libraries, how far
/// apart they are, how often they agree to the bit, and how their errors correlate.
///
/// Operands with the magnitudes of training: pixels in [0, 1), one-hot labels, uniform noise in [0, 1),
/// N(0, 1) activations (ReLU'd where a ReLU feeds the layer), weights uniform in ±0.005 (D) or ±0.05 (G),
/// small gradients, sparse as a maxout's (one piece of each unit) or a ReLU's (half) makes them.
/// Products run on one thread, as the Table 1 runs of both libraries did (their config.json: threads 1).
final class MatrixProductAccuracyTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// fp32's unit roundoff.
    static let u = 0x1p-24

    /// Relative RMS error allowed per library and product. Measured (AMD EPYC Zen 4, OpenBLAS 0.3.21 Cooperlake,
    /// oneDNN 2.6.3): at most 4.0e-7 (K = 784..1200), 0.8-3e-7 for K ≤ 290, ~3e-8 for K ≤ 10. That is what
    /// round-to-nearest fp32 accumulation gives: a simulation of these operands (G trunk forward, K = 1200) gives
    /// 4.4e-7 for one FMA chain over all of K, 2.5e-7 for K cut in blocks of ~400 added into C. 1e-6 leaves a
    /// margin of 2.5x over the worst measured and over the least accurate plausible order (one chain), and still
    /// fails for anything coarser than fp32 accumulation (bf16 operands give ~3e-3, a 1+1e-5 scale 1e-5).
    static let relativeRMSBound = 1e-6

    /// Bias allowed, both signed (mean error) and toward zero (mean error · sign of the exact value), as a
    /// fraction of the exact result's RMS: below 5e-8, and within 6 standard errors of zero.
    ///
    /// Unbiased rounding leaves a mean error of about relRMS/√N over N outputs (N ≥ 100 here): measured at
    /// most 1.6e-8 (G label input grad, N = 1000, where relRMS/√N = 1.3e-8), every one within ~3 standard
    /// errors (`biasZ`). A systematically skewed accumulation (round toward zero, a dropped low-order term) would show a
    /// bias of the order of the relative RMS error itself (~1e-7 and up), tens of standard errors. The fixed
    /// bound is ~3x the largest measured; the 6-standard-error one fails where a bias stands out of the noise
    /// even when small (large N).
    static let biasBound = 5e-8
    static let biasStandardErrors = 6.0

    enum Input { case pixels, oneHot, uniformNoise, normal, relu }
    enum Gradient { case maxout(pieces: Int), relu, dense(standardDeviation: Float) }

    /// One `Linear` of the paper model: what feeds it, and what gradient comes back into its output.
    struct LayerCase {
        let name: String, inputs: Int, outputs: Int, weightRange: Float, input: Input, gradient: Gradient
    }

    /// The paper model's Linear layers (maxout layers are a Linear of units·pieces outputs).
    static let layers: [LayerCase] = [
        // D: x [100, 784] -> 240 maxout units of 5; label [100, 10] -> 50 units of 5; [100, 290] -> 240 units of 4 -> 1.
        LayerCase(name: "D data maxout", inputs: 784, outputs: 1200, weightRange: 0.005, input: .pixels, gradient: .maxout(pieces: 5)),
        LayerCase(name: "D label maxout", inputs: 10, outputs: 250, weightRange: 0.005, input: .oneHot, gradient: .maxout(pieces: 5)),
        LayerCase(name: "D trunk maxout", inputs: 290, outputs: 960, weightRange: 0.005, input: .normal, gradient: .maxout(pieces: 4)),
        LayerCase(name: "D out", inputs: 240, outputs: 1, weightRange: 0.005, input: .normal, gradient: .dense(standardDeviation: 0.01)),
        // G: z [100, 100] -> 200 ReLU; label [100, 10] -> 1000 ReLU; [100, 1200] -> 1200 ReLU -> 784 sigmoid.
        LayerCase(name: "G noise", inputs: 100, outputs: 200, weightRange: 0.05, input: .uniformNoise, gradient: .relu),
        LayerCase(name: "G label", inputs: 10, outputs: 1000, weightRange: 0.05, input: .oneHot, gradient: .relu),
        LayerCase(name: "G trunk", inputs: 1200, outputs: 1200, weightRange: 0.05, input: .relu, gradient: .relu),
        LayerCase(name: "G out", inputs: 1200, outputs: 784, weightRange: 0.05, input: .relu, gradient: .dense(standardDeviation: 1e-3)),
    ]

    static let batch = 100

    /// How far one library's result is from the exact product.
    struct Accuracy {
        var relativeRMS = 0.0, bias = 0.0, biasTowardZero = 0.0, maxAbs = 0.0
        /// Both biases in standard errors of a mean of independent errors, over the distinct outputs: a one-hot
        /// input repeats each output of its class in every row of that class, the same sum rounded the same way.
        var biasZ = 0.0, towardZeroZ = 0.0
        /// Largest |error| / (γ_{K+1} · (Σ|a b| + |c0|)): over 1 is impossible for any correct fp32 summation order.
        var worstFractionOfBound = 0.0
    }

    /// One product: its operands as `Linear` passes them, the exact result, and each library's.
    struct Product {
        let label: String, k: Int
        let exact: [Double]
        /// Σ_p |a_ip b_pj| + |c0_ij| per output: the scale of the rigorous error bound.
        let magnitude: [Double]
        var results: [MatrixProducts.Backend: [Float]] = [:]
    }

    // MARK: operands

    func fill(_ m: Matrix, _ input: Input, _ rng: RandomGenerator) {
        switch input {
        case .pixels, .uniformNoise: rng.fillUniform(m)
        case .normal: rng.fillNormal(m)
        case .relu:
            rng.fillNormal(m)
            for i in 0..<m.count { m.pointer[i] = max(0, m.pointer[i]) }
        case .oneHot:
            m.fill(0)
            for r in 0..<m.rows { m[r, rng.integer(below: m.cols)] = 1 }
        }
    }

    func fill(_ dy: Matrix, _ gradient: Gradient, _ rng: RandomGenerator) {
        switch gradient {
        case .dense(let sd): rng.fillNormal(dy, standardDeviation: sd)
        case .relu:
            rng.fillNormal(dy, standardDeviation: 1e-3)
            for i in 0..<dy.count where rng.uniform() < 0.5 { dy.pointer[i] = 0 }
        case .maxout(let pieces):
            // Only each unit's winning piece gets its unit's gradient.
            rng.fillNormal(dy, standardDeviation: 1e-3)
            for r in 0..<dy.rows {
                for unit in 0..<(dy.cols / pieces) {
                    let winner = rng.integer(below: pieces)
                    for p in 0..<pieces where p != winner { dy[r, unit * pieces + p] = 0 }
                }
            }
        }
    }

    /// op(a) as a row-major [m, k] Double array and op(b)ᵀ as [n, k], so the reference's inner loop is contiguous.
    func rowsOf(_ a: Matrix, transposed: Bool) -> [Double] {
        let (r, c) = transposed ? (a.cols, a.rows) : (a.rows, a.cols)
        var out = [Double](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { out[i * c + j] = Double(transposed ? a[j, i] : a[i, j]) } }
        return out
    }

    /// The exact c0 + op(a) op(b) (Double is exact for each product of Floats) and Σ|a b| + |c0| per element.
    func reference(_ a: Matrix, _ b: Matrix, c0: Matrix, transposeA: Bool, transposeB: Bool) -> (exact: [Double], magnitude: [Double]) {
        let m = c0.rows, n = c0.cols, k = transposeA ? a.rows : a.cols
        let ra = rowsOf(a, transposed: transposeA), rb = rowsOf(b, transposed: !transposeB)
        var exact = [Double](repeating: 0, count: m * n), magnitude = exact
        ra.withUnsafeBufferPointer { ra in
            rb.withUnsafeBufferPointer { rb in
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0, t = 0.0
                        for p in 0..<k {
                            let x = ra[i * k + p] * rb[j * k + p]
                            s += x; t += abs(x)
                        }
                        let c = Double(c0[i, j])
                        exact[i * n + j] = s + c
                        magnitude[i * n + j] = t + abs(c)
                    }
                }
            }
        }
        return (exact, magnitude)
    }

    /// The three products of one layer's training step, each run through both libraries as `Linear` runs them.
    func products(of layer: LayerCase, seed: UInt64) -> [Product] {
        let rng = RandomGenerator(seed: seed)
        let n = Self.batch
        let x = Matrix(rows: n, cols: layer.inputs), w = Matrix(rows: layer.outputs, cols: layer.inputs)
        let bias = Matrix(rows: 1, cols: layer.outputs), dy = Matrix(rows: n, cols: layer.outputs)
        fill(x, layer.input, rng)
        rng.fillUniform(w, low: -layer.weightRange, high: layer.weightRange)
        rng.fillNormal(bias, standardDeviation: 0.01)
        fill(dy, layer.gradient, rng)
        // The forward's output starts as the bias in every row (Linear.forward), then gets x Wᵀ added (beta 1).
        let biasRows = Matrix(rows: n, cols: layer.outputs)
        for r in 0..<n { for c in 0..<layer.outputs { biasRows[r, c] = bias.pointer[c] } }
        let zero = { (r: Int, c: Int) in Matrix(rows: r, cols: c) }

        typealias Call = (label: String, a: Matrix, b: Matrix, c0: Matrix, transposeA: Bool, transposeB: Bool, beta: Float, k: Int)
        let calls: [Call] = [
            ("forward x·Wᵀ+b", x, w, biasRows, false, true, 1, layer.inputs),                       // y = x Wᵀ + b
            ("weight grad dyᵀ·x", dy, x, zero(layer.outputs, layer.inputs), true, false, 0, n),     // dW = dyᵀ x
            ("input grad dy·W", dy, w, zero(n, layer.inputs), false, false, 0, layer.outputs),      // dx = dy W
        ]
        return calls.map { call in
            let (exact, magnitude) = reference(call.a, call.b, c0: call.c0, transposeA: call.transposeA, transposeB: call.transposeB)
            var product = Product(label: "\(layer.name) Linear(\(layer.inputs),\(layer.outputs)) \(call.label)", k: call.k,
                                  exact: exact, magnitude: magnitude)
            for backend in MatrixProducts.Backend.allCases {
                let products = MatrixProducts(backend: backend)
                BLASRuntime.setThreadCount(1, for: products)
                let c = call.c0.clone()
                gemm(call.a, call.b, into: c, transposeA: call.transposeA, transposeB: call.transposeB, beta: call.beta, using: products)
                product.results[backend] = c.array
            }
            return product
        }
    }

    // MARK: measures

    func accuracy(_ result: [Float], _ p: Product) -> Accuracy {
        var a = Accuracy()
        var errorSquares = 0.0, exactSquares = 0.0, errorSum = 0.0, towardZeroSum = 0.0
        var distinct = Set<UInt64>(), distinctSquares = 0.0, distinctSum = 0.0, distinctTowardZeroSum = 0.0
        // γ_{K+1}: K products summed plus c0, in any order, fused or not, rounded to nearest.
        let terms = Double(p.k + 1), gamma = terms * Self.u / (1 - terms * Self.u)
        for i in 0..<result.count {
            let exact = p.exact[i], error = Double(result[i]) - exact
            errorSquares += error * error
            exactSquares += exact * exact
            errorSum += error
            // Positive when the result is farther from zero than the exact value, negative when nearer.
            let outward = exact > 0 ? error : exact < 0 ? -error : 0
            towardZeroSum += outward
            if distinct.insert(exact.bitPattern).inserted {
                distinctSquares += error * error; distinctSum += error; distinctTowardZeroSum += outward
            }
            a.maxAbs = max(a.maxAbs, abs(error))
            let bound = gamma * p.magnitude[i]
            a.worstFractionOfBound = max(a.worstFractionOfBound, bound > 0 ? abs(error) / bound : (error == 0 ? 0 : .infinity))
        }
        let count = Double(result.count), exactRMS = (exactSquares / count).squareRoot()
        a.relativeRMS = (errorSquares / exactSquares).squareRoot()
        a.bias = errorSum / count / exactRMS
        a.biasTowardZero = towardZeroSum / count / exactRMS
        // mean / (rms / √n) = sum / √(sum of squares); 0 where every distinct output is exact.
        a.biasZ = distinctSquares > 0 ? distinctSum / distinctSquares.squareRoot() : 0
        a.towardZeroZ = distinctSquares > 0 ? distinctTowardZeroSum / distinctSquares.squareRoot() : 0
        return a
    }

    func format(_ x: Double) -> String { String(format: "%.2e", x) }
    func signed(_ x: Double) -> String { String(format: "%+.1e", x) }

    // MARK: the test

    func testBothLibrariesAreAccurateUnbiasedFP32OnThePaperModelsProducts() {
        let savedThreads = BLASRuntime.threadCount
        defer { BLASRuntime.setThreadCount(savedThreads) }
        print("MatrixProductAccuracy: CPU \(BLASRuntime.cpuModel), OpenBLAS kernel \(BLASRuntime.coreName), oneDNN \(OneDNNMatmul.version), 1 thread, batch \(Self.batch)")
        print("MatrixProductAccuracy: relRMS = ‖C−C64‖/‖C64‖; bias = mean(C−C64)/rms(C64); toward0 = mean((C−C64)·sign C64)/rms(C64) (negative: nearer zero); maxAbs = max|C−C64|; ofBound = max |C−C64| / (γ_{K+1} Σ|ab|)")
        var worst: [MatrixProducts.Backend: Accuracy] = [:]
        for (index, layer) in Self.layers.enumerated() {
            for p in products(of: layer, seed: 1000 + UInt64(index)) {
                var line = "MatrixProductAccuracy: \(p.label) K=\(p.k)"
                var accuracies: [MatrixProducts.Backend: Accuracy] = [:]
                for backend in MatrixProducts.Backend.allCases {
                    let a = accuracy(p.results[backend]!, p)
                    accuracies[backend] = a
                    line += " | \(backend.rawValue) relRMS \(format(a.relativeRMS)) bias \(signed(a.bias)) (z \(String(format: "%+.1f", a.biasZ))) toward0 \(signed(a.biasTowardZero)) (z \(String(format: "%+.1f", a.towardZeroZ))) maxAbs \(format(a.maxAbs)) ofBound \(String(format: "%.3f", a.worstFractionOfBound))"
                    let what = "\(backend.rawValue), \(p.label)"
                    XCTAssertLessThan(a.relativeRMS, Self.relativeRMSBound, "relative RMS error, \(what)")
                    XCTAssertLessThan(abs(a.bias), Self.biasBound, "signed bias, \(what)")
                    XCTAssertLessThan(abs(a.biasTowardZero), Self.biasBound, "bias toward/away from zero, \(what)")
                    XCTAssertLessThan(abs(a.biasZ), Self.biasStandardErrors, "signed bias out of the rounding noise, \(what)")
                    XCTAssertLessThan(abs(a.towardZeroZ), Self.biasStandardErrors, "bias toward/away from zero out of the rounding noise, \(what)")
                    // Rigorous, per element: no correct fp32 summation order can exceed γ_{K+1} Σ|ab|.
                    XCTAssertLessThanOrEqual(a.worstFractionOfBound, 1, "error beyond the fp32 worst-case bound, \(what)")
                    var w = worst[backend] ?? Accuracy()
                    w.relativeRMS = max(w.relativeRMS, a.relativeRMS)
                    w.bias = max(w.bias, abs(a.bias)); w.biasTowardZero = max(w.biasTowardZero, abs(a.biasTowardZero))
                    w.worstFractionOfBound = max(w.worstFractionOfBound, a.worstFractionOfBound)
                    w.biasZ = max(w.biasZ, abs(a.biasZ)); w.towardZeroZ = max(w.towardZeroZ, abs(a.towardZeroZ))
                    worst[backend] = w
                }

                // The two libraries against each other. They may differ only as much as each one's allowed error
                // lets them: ‖C_dnnl − C_blas‖/‖C64‖ within twice the relative RMS bound, and element by element
                // within twice the rigorous bound. (Both follow from the per-library bounds by the triangle
                // inequality; checked here too so that a failure names the pair.)
                let dnnl = p.results[.oneDNN]!, blas = p.results[.openBLAS]!
                var differenceSquares = 0.0, exactSquares = 0.0, same = 0, ea2 = 0.0, eb2 = 0.0, eab = 0.0, worstPair = 0.0
                let terms = Double(p.k + 1), gamma = terms * Self.u / (1 - terms * Self.u)
                for i in 0..<dnnl.count {
                    let d = Double(dnnl[i]) - Double(blas[i])
                    differenceSquares += d * d
                    exactSquares += p.exact[i] * p.exact[i]
                    if dnnl[i].bitPattern == blas[i].bitPattern { same += 1 }
                    let ea = Double(dnnl[i]) - p.exact[i], eb = Double(blas[i]) - p.exact[i]
                    ea2 += ea * ea; eb2 += eb * eb; eab += ea * eb
                    let bound = 2 * gamma * p.magnitude[i]
                    worstPair = max(worstPair, bound > 0 ? abs(d) / bound : (d == 0 ? 0 : .infinity))
                }
                let relativeDifference = (differenceSquares / exactSquares).squareRoot()
                let correlation = ea2 > 0 && eb2 > 0 ? eab / (ea2 * eb2).squareRoot() : .nan
                line += " | apart relRMS \(format(relativeDifference)) bit-identical \(String(format: "%.1f", 100 * Double(same) / Double(dnnl.count)))% error corr \(String(format: "%.2f", correlation))"
                XCTAssertLessThan(relativeDifference, 2 * Self.relativeRMSBound, "oneDNN and OpenBLAS apart, \(p.label)")
                XCTAssertLessThanOrEqual(worstPair, 1, "oneDNN and OpenBLAS apart beyond twice the fp32 bound, \(p.label)")
                print(line)
            }
        }
        for backend in MatrixProducts.Backend.allCases {
            let w = worst[backend]!
            print("MatrixProductAccuracy: worst \(backend.rawValue): relRMS \(format(w.relativeRMS)) |bias| \(format(w.bias)) (|z| \(String(format: "%.1f", w.biasZ))) |toward0| \(format(w.biasTowardZero)) (|z| \(String(format: "%.1f", w.towardZeroZ))) ofBound \(String(format: "%.3f", w.worstFractionOfBound))")
        }
    }
}

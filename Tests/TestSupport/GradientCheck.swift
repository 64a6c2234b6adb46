import XCTest
import NN

/// Compares a backward pass with central finite differences of L = Σ y·R (R fixed and random).
///
/// Tolerance: with h = 1e-3 and L accumulated in Double, Float32 rounding of the outputs perturbs L by
/// about 1e-6, i.e. 5e-4 in a difference quotient; the truncation error of smooth layers is O(h²) ≈ 1e-6.
/// So |analytic - numeric| ≤ 3e-3 + 1e-2·|analytic| catches any real error (wrong sign, factor, index)
/// without flagging rounding. Inputs keep away from kinks (ReLU at 0, maxout ties) where differences lie.
public struct GradientChecker {
    public init() {}
    public let h: Float = 1e-3
    public let absoluteTolerance: Float = 3e-3
    public let relativeTolerance: Float = 1e-2

    public func loss(_ y: Matrix, _ r: Matrix) -> Double {
        var s = 0.0
        for i in 0..<y.count { s += Double(y.pointer[i]) * Double(r.pointer[i]) }
        return s
    }

    /// Numeric dL/dm for every element of `m`, where `evaluate` recomputes L.
    public func numericGradient(of m: Matrix, _ evaluate: () -> Double) -> [Float] {
        (0..<m.count).map { i in
            let saved = m.pointer[i]
            m.pointer[i] = saved + h
            let plus = evaluate()
            m.pointer[i] = saved - h
            let minus = evaluate()
            m.pointer[i] = saved
            return Float((plus - minus) / Double(2 * h))
        }
    }

    public func assertClose(_ analytic: [Float], _ numeric: [Float], _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, numeric.count, what, file: file, line: line)
        for (a, n) in zip(analytic, numeric) {
            let excess = abs(a - n) - (absoluteTolerance + relativeTolerance * abs(a))
            if excess > 0 {
                XCTFail("\(what): analytic \(a) vs numeric \(n)", file: file, line: line)
                return
            }
        }
        XCTAssertTrue(analytic.contains { $0 != 0 }, "\(what): gradient is all zero, the check proves nothing",
                      file: file, line: line)
    }

    /// Checks dL/dInput and dL/dParameter of `layer`. `beforeForward` runs before every forward
    /// (to replay a dropout mask).
    public func check(_ layer: Layer, input x: Matrix, mode: Mode, rng: RandomGenerator, name: String,
               beforeForward: () -> Void = {}, file: StaticString = #filePath, line: UInt = #line) {
        beforeForward()
        let y = layer.forward(x, mode: mode)
        let r = Matrix(rows: y.rows, cols: y.cols)
        rng.fillUniform(r, low: -1, high: 1)
        let dx = layer.backward(r, needs: .all).clone()
        let analyticParameters = layer.namedParameters.filter(\.parameter.isTrainable)
            .map { ($0.name, $0.parameter, $0.parameter.gradient.array) }
        let evaluate = { () -> Double in
            beforeForward()
            return self.loss(layer.forward(x, mode: mode), r)
        }
        assertClose(dx.array, numericGradient(of: x, evaluate), "\(name) dInput", file: file, line: line)
        for (pname, p, analytic) in analyticParameters {
            assertClose(analytic, numericGradient(of: p.value, evaluate), "\(name) d\(pname)", file: file, line: line)
        }
    }
}

public func randomMatrix(_ rows: Int, _ cols: Int, _ rng: RandomGenerator, low: Float = -1, high: Float = 1) -> Matrix {
    let m = Matrix(rows: rows, cols: cols)
    rng.fillUniform(m, low: low, high: high)
    return m
}

/// Values in ±[0.1, 1]: no element within reach of a kink at 0.
public func awayFromZero(_ rows: Int, _ cols: Int, _ rng: RandomGenerator) -> Matrix {
    let m = randomMatrix(rows, cols, rng, low: 0.1, high: 1)
    for i in 0..<m.count where rng.uniform() < 0.5 { m.pointer[i] = -m.pointer[i] }
    return m
}

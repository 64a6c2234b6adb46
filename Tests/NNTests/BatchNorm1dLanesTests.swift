import NN
import TestSupport
import XCTest

/// BatchNorm1d's passes run sixteen features at a time; each feature must still get the bits of the plain
/// per-element loops (every column summing its rows in order), including the features past the last
/// whole block of sixteen.
final class BatchNorm1dLanesTests: XCTestCase {
    func testLanesGiveThePlainLoopsBits() {
        var random = SeededRandom(defaultSeed: 35)
        let n = 5, f = 35   // two blocks of sixteen and a tail of three
        func randomMatrix(_ rows: Int, _ cols: Int) -> Matrix {
            Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in Float.random(in: -2...2, using: &random) })
        }
        let x = randomMatrix(n, f), dy = randomMatrix(n, f), gamma = randomMatrix(1, f), beta = randomMatrix(1, f)
        for mode in [Mode.training, .inference] {
            let layer = BatchNorm1d(f)
            layer.gamma.value.copy(from: gamma)
            layer.beta.value.copy(from: beta)
            layer.runningVariance.value.copy(from: Matrix(rows: 1, cols: f, values: gamma.array.map { $0 * $0 + 0.5 }))
            let expected = PlainBatchNorm1d(x: x.array, dy: dy.array, n: n, f: f, gamma: gamma.array, beta: beta.array,
                                            runningMean: layer.runningMean.value.array,
                                            runningVariance: layer.runningVariance.value.array, training: mode == .training)
            let y = layer.forward(x, mode: mode).array
            let dx = layer.backward(dy, needs: .all).array
            let context = "\(mode), \(random)"
            XCTAssertEqual(y.map(\.bitPattern), expected.y.map(\.bitPattern), "y, \(context)")
            XCTAssertEqual(dx.map(\.bitPattern), expected.dx.map(\.bitPattern), "dx, \(context)")
            XCTAssertEqual(layer.gamma.gradient.array.map(\.bitPattern), expected.dGamma.map(\.bitPattern), "dγ, \(context)")
            XCTAssertEqual(layer.beta.gradient.array.map(\.bitPattern), expected.dBeta.map(\.bitPattern), "dβ, \(context)")
            XCTAssertEqual(layer.runningMean.value.array.map(\.bitPattern), expected.runningMean.map(\.bitPattern), "running mean, \(context)")
            XCTAssertEqual(layer.runningVariance.value.array.map(\.bitPattern), expected.runningVariance.map(\.bitPattern),
                           "running variance, \(context)")
        }
    }
}

/// Batch norm over [n, f] as one scalar loop per quantity, in the order BatchNorm1d promises.
private struct PlainBatchNorm1d {
    var y: [Float], dx: [Float], dGamma: [Float], dBeta: [Float], runningMean: [Float], runningVariance: [Float]

    init(x: [Float], dy: [Float], n: Int, f: Int, gamma: [Float], beta: [Float], runningMean rm: [Float],
         runningVariance rv: [Float], training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        var mean = [Float](repeating: 0, count: f), inverseStd = mean, columnSum = mean, productSum = mean
        runningMean = rm
        runningVariance = rv
        for c in 0..<f {
            if training {
                for r in 0..<n { columnSum[c] += x[r * f + c] }
                mean[c] = columnSum[c] / Float(n)
                for r in 0..<n { let d = x[r * f + c] - mean[c]; productSum[c] += d * d }
                inverseStd[c] = 1 / (productSum[c] / Float(n) + epsilon).squareRoot()
                runningMean[c] = (1 - momentum) * rm[c] + momentum * mean[c]
                runningVariance[c] = (1 - momentum) * rv[c] + momentum * productSum[c] / Float(n - 1)
            } else {
                mean[c] = rm[c]
                inverseStd[c] = 1 / (rv[c] + epsilon).squareRoot()
            }
        }
        var xhat = x
        y = x
        for r in 0..<n {
            for c in 0..<f {
                let v = (x[r * f + c] - mean[c]) * inverseStd[c]
                xhat[r * f + c] = v
                y[r * f + c] = gamma[c] * v + beta[c]
            }
        }
        var sumDy = [Float](repeating: 0, count: f), sumDyXhat = sumDy
        for c in 0..<f {
            for r in 0..<n { sumDy[c] += dy[r * f + c]; sumDyXhat[c] += dy[r * f + c] * xhat[r * f + c] }
        }
        dGamma = sumDyXhat
        dBeta = sumDy
        dx = dy
        let inv = Float(1) / Float(n)
        for r in 0..<n {
            for c in 0..<f {
                let i = r * f + c
                dx[i] = training ? gamma[c] * inverseStd[c] * (dy[i] - inv * sumDy[c] - xhat[i] * inv * sumDyXhat[c])
                                 : gamma[c] * inverseStd[c] * dy[i]
            }
        }
    }
}

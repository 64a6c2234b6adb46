import NN
import XCTest

/// Batch norm's per-channel sums: every value of the channel once, nothing of the channels beside it.
final class StridedSumTests: XCTestCase {
    func testSumsReadEachRunWholeAndNothingBetween() {
        // Lengths around the sixteen lanes (tails of 0, 1 and 15) and dcgan's planes (7², 14²). Every value is
        // a multiple of 1/8 and every partial sum far below 2^18, so each sum is exact in Float, in any order.
        for length in [1, 2, 15, 16, 17, 31, 32, 49, 196] {
            for segments in [1, 3, 64] {
                let stride = 3 * length, channel = 1   // three channels per image; sum the middle one
                var values = [Float](repeating: 1e6, count: segments * stride)   // the other channels: far off
                var other = [Float](repeating: -1e6, count: values.count)
                var sum: Float = 0, squares: Float = 0, products: Float = 0
                let mean: Float = 0.25
                for s in 0..<segments {
                    for i in 0..<length {
                        let index = s * stride + channel * length + i
                        let x = Float((s * 7 + i * 13) % 29) / 8 - 1.5, y = Float((s + 3 * i) % 5) - 2
                        values[index] = x
                        other[index] = y
                        sum += x
                        squares += (x - mean) * (x - mean)
                        products += x * y
                    }
                }
                let context = "length \(length), segments \(segments)"
                values.withUnsafeBufferPointer { v in
                    other.withUnsafeBufferPointer { o in
                        let p = v.baseAddress! + channel * length, q = o.baseAddress! + channel * length
                        XCTAssertEqual(StridedSum.sum(p, segments: segments, length: length, stride: stride), sum, context)
                        XCTAssertEqual(StridedSum.squaredDeviations(p, from: mean, segments: segments, length: length, stride: stride),
                                       squares, context)
                        XCTAssertEqual(StridedSum.products(p, q, segments: segments, length: length, stride: stride), products, context)
                        if segments == 1 { XCTAssertEqual(StridedSum.dot(p, q, count: length), products, context) }
                    }
                }
            }
        }
    }
}

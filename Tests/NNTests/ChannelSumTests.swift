import NN
import XCTest

/// Batch norm's per-channel sums: every value of the channel once, nothing of the channels beside it.
final class ChannelSumTests: XCTestCase {
    func testSumsReadEachSegmentWholeAndNothingBetween() {
        // Lengths around the sixteen lanes (tails of 0, 1 and 15) and dcgan's planes (7², 14²).
        for length in [1, 2, 15, 16, 17, 31, 32, 49, 196] {
            for segments in [1, 3, 64] {
                let stride = 3 * length, channel = 1   // three channels per image; sum the middle one
                var values = [Float](repeating: 1e6, count: segments * stride)   // the other channels: far off
                var other = [Float](repeating: 0, count: values.count)
                var sum = 0.0, squares = 0.0, products = 0.0
                let mean: Float = 0.25
                for s in 0..<segments {
                    for i in 0..<length {
                        let index = s * stride + channel * length + i
                        let x = Float((s * 7 + i * 13) % 29) / 8 - 1.5, y = Float((s + 3 * i) % 5) - 2
                        values[index] = x
                        other[index] = y
                        sum += Double(x)
                        squares += Double(x - mean) * Double(x - mean)
                        products += Double(x) * Double(y)
                    }
                }
                let context = "length \(length), segments \(segments)"
                values.withUnsafeBufferPointer { v in
                    other.withUnsafeBufferPointer { o in
                        let p = v.baseAddress! + channel * length, q = o.baseAddress! + channel * length
                        XCTAssertEqual(Double(ChannelSum.sum(p, segments: segments, length: length, stride: stride)), sum,
                                       accuracy: 1e-3, context)
                        XCTAssertEqual(Double(ChannelSum.squaredDeviations(p, from: mean, segments: segments, length: length, stride: stride)),
                                       squares, accuracy: 1e-3, context)
                        XCTAssertEqual(Double(ChannelSum.products(p, q, segments: segments, length: length, stride: stride)),
                                       products, accuracy: 1e-3, context)
                    }
                }
            }
        }
    }
}

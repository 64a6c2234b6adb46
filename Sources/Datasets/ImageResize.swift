/// Square thumbnails: the centred square of an image, resampled to side x side.
///
/// Shrinking averages each output pixel's exact footprint (an area, or box, filter: every input pixel
/// counts in proportion to how much of it the output pixel covers), so fine detail is averaged rather than
/// aliased. Enlarging interpolates linearly between pixel centres. Both run on the stored 8-bit values,
/// rows then columns, in floating point, rounding once at the end.
public enum ImageResize {
    /// One output sample: the inputs it reads from (starting at `first`) and their weights.
    struct Taps {
        var first: [Int] = []
        var count: [Int] = []
        var weights: [[Float]] = []
    }

    /// Filter taps mapping `inputLength` samples starting at `offset` onto `outputLength` samples.
    static func taps(inputLength: Int, offset: Int, outputLength: Int) -> Taps {
        var taps = Taps()
        let scale = Double(inputLength) / Double(outputLength)
        for j in 0..<outputLength {
            if inputLength == outputLength {
                taps.first.append(offset + j); taps.count.append(1); taps.weights.append([1])
            } else if scale > 1 {
                let low = Double(j) * scale, high = Double(j + 1) * scale
                let first = Int(low.rounded(.down)), last = min(inputLength, Int(high.rounded(.up)))
                var w: [Float] = []
                for i in first..<last { w.append(Float((min(high, Double(i + 1)) - max(low, Double(i))) / scale)) }
                taps.first.append(offset + first); taps.count.append(w.count); taps.weights.append(w)
            } else {
                let centre = min(max((Double(j) + 0.5) * scale - 0.5, 0), Double(inputLength - 1))
                let i0 = Int(centre.rounded(.down)), f = Float(centre - Double(i0))
                if i0 + 1 < inputLength {
                    taps.first.append(offset + i0); taps.count.append(2); taps.weights.append([1 - f, f])
                } else {
                    taps.first.append(offset + i0); taps.count.append(1); taps.weights.append([1])
                }
            }
        }
        return taps
    }

    /// The centred square of `image` (cropping the longer side, the extra pixel of an odd difference going
    /// to the right or bottom) resampled to `side` x `side`, written with channels as planes (all of
    /// channel 0's rows, then channel 1's, ...) into `out`, which holds `image.channels * side * side` bytes.
    public static func centreSquare(_ image: DecodedImage, side: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let c = image.channels, crop = min(image.width, image.height)
        precondition(out.count == c * side * side, "output buffer does not match side and channels")
        let x0 = (image.width - crop) / 2, y0 = (image.height - crop) / 2
        let columns = taps(inputLength: crop, offset: x0, outputLength: side)
        let rows = taps(inputLength: crop, offset: y0, outputLength: side)
        // Horizontal pass over the rows the vertical pass reads: crop rows x side columns per channel.
        var horizontal = [Float](repeating: 0, count: c * crop * side)
        image.pixels.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { h in
                for y in 0..<crop {
                    let row = (y0 + y) * image.width * c
                    for j in 0..<side {
                        let first = columns.first[j], w = columns.weights[j]
                        for k in 0..<c {
                            var sum: Float = 0
                            for t in 0..<w.count { sum += w[t] * Float(src[row + (first + t) * c + k]) }
                            h[(k * crop + y) * side + j] = sum
                        }
                    }
                }
                for k in 0..<c {
                    for i in 0..<side {
                        let first = rows.first[i] - y0, w = rows.weights[i]
                        for j in 0..<side {
                            var sum: Float = 0
                            for t in 0..<w.count { sum += w[t] * h[(k * crop + first + t) * side + j] }
                            out[(k * side + i) * side + j] = UInt8(min(max(sum, 0), 255).rounded(.toNearestOrAwayFromZero))
                        }
                    }
                }
            }
        }
    }
}

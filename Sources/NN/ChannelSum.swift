/// Sums over one channel of a batch of images stored [B, C·H·W]: `segments` runs (one per image) of
/// `length` contiguous values (the channel's plane), `stride` apart.
///
/// Sixteen lanes accumulate side by side and are added up at the end: a single running sum would wait
/// on each addition in turn (a chain of B·H·W dependent adds), which made batch norm's statistics the
/// slowest element-wise pass of the dcgan step. The order of the additions is fixed by the shape alone,
/// so the result has the same bits on any thread and at any thread count.
public enum ChannelSum {
    /// Σ p[i] over the channel's values.
    public static func sum(_ p: UnsafePointer<Float>, segments: Int, length: Int, stride: Int) -> Float {
        accumulate(segments: segments, length: length, stride: stride,
                   lanes: { p.lanes(at: $0) }, scalar: { p[$0] })
    }

    /// Σ (p[i] − mean)² over the channel's values.
    public static func squaredDeviations(_ p: UnsafePointer<Float>, from mean: Float, segments: Int, length: Int, stride: Int) -> Float {
        let m = Lanes(repeating: mean)
        return accumulate(segments: segments, length: length, stride: stride,
                          lanes: { let d = p.lanes(at: $0) - m; return d * d },
                          scalar: { let d = p[$0] - mean; return d * d })
    }

    /// Σ a[i]·b[i] over the channel's values.
    public static func products(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, segments: Int, length: Int, stride: Int) -> Float {
        accumulate(segments: segments, length: length, stride: stride,
                   lanes: { a.lanes(at: $0) * b.lanes(at: $0) }, scalar: { a[$0] * b[$0] })
    }

    @inline(__always) private static func accumulate(segments: Int, length: Int, stride: Int,
                                                     lanes: (Int) -> Lanes, scalar: (Int) -> Float) -> Float {
        var accumulator = Lanes(repeating: 0), tail: Float = 0
        let whole = length - length % 16
        for segment in 0..<segments {
            let base = segment * stride
            var i = 0
            while i < whole { accumulator += lanes(base + i); i += 16 }
            while i < length { tail += scalar(base + i); i += 1 }
        }
        return accumulator.sum() + tail
    }
}

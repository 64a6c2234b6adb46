/// Sums over runs of contiguous values a fixed stride apart: one channel of a batch of images stored
/// [B, C·H·W] (`segments` = B runs of `length` = H·W values, `stride` = C·H·W), or, with one run, a dot product.
///
/// Sixteen lanes accumulate side by side and are added up at the end, in a fixed order: one running sum
/// would be a chain of dependent additions, as slow as an addition's latency. The order depends on the
/// shape alone, so the result has the same bits on any thread and at any thread count.
public enum StridedSum {
    /// Σ p[i] over the runs.
    public static func sum(_ p: UnsafePointer<Float>, segments: Int, length: Int, stride: Int) -> Float {
        accumulate(segments: segments, length: length, stride: stride,
                   lanes: { p.lanes(at: $0) }, scalar: { p[$0] })
    }

    /// Σ (p[i] − mean)² over the runs.
    public static func squaredDeviations(_ p: UnsafePointer<Float>, from mean: Float, segments: Int, length: Int, stride: Int) -> Float {
        let m = Lanes(repeating: mean)
        return accumulate(segments: segments, length: length, stride: stride,
                          lanes: { let d = p.lanes(at: $0) - m; return d * d },
                          scalar: { let d = p[$0] - mean; return d * d })
    }

    /// Σ a[i]·b[i] over the runs.
    public static func products(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, segments: Int, length: Int, stride: Int) -> Float {
        accumulate(segments: segments, length: length, stride: stride,
                   lanes: { a.lanes(at: $0) * b.lanes(at: $0) }, scalar: { a[$0] * b[$0] })
    }

    /// Σ a[i]·b[i] for i in 0..<count.
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        products(a, b, segments: 1, length: count, stride: count)
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
        // Lane by lane, not `accumulator.sum()`, whose order the standard library does not promise.
        var total: Float = 0
        for lane in 0..<16 { total += accumulator[lane] }
        return total + tail
    }
}

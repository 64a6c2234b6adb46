/// Sixteen floats side by side: for the element-wise loops the compiler does not vectorise by itself
/// (sums whose order must stay fixed, pointers it cannot prove apart). Each lane does what the scalar loop
/// did for its element, in the same order, so a loop written in lanes gives the same bits.
typealias Lanes = SIMD16<Float>

extension UnsafePointer<Float> {
    /// The sixteen values from `self + offset`.
    @inline(__always) func lanes(at offset: Int) -> Lanes {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Lanes.self)
    }
}

extension UnsafeMutablePointer<Float> {
    /// The sixteen values from `self + offset`.
    @inline(__always) func lanes(at offset: Int) -> Lanes { UnsafePointer(self).lanes(at: offset) }

    /// Writes `values` to `self + offset ..< self + offset + 16`.
    @inline(__always) func storeLanes(_ values: Lanes, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: values, as: Lanes.self)
    }
}

/// out[c] = Σ_r term(r, c) for the columns given, each column adding its rows in order from 0 (the bits of
/// the plain double loop), sixteen columns at a time.
@inline(__always)
func columnSums(rows: Int, columns: Range<Int>, into out: UnsafeMutablePointer<Float>,
                lanes: (_ row: Int, _ column: Int) -> Lanes, scalar: (_ row: Int, _ column: Int) -> Float) {
    var c = columns.lowerBound
    while c + 16 <= columns.upperBound {
        var sum = Lanes(repeating: 0)
        for r in 0..<rows { sum += lanes(r, c) }
        out.storeLanes(sum, at: c)
        c += 16
    }
    while c < columns.upperBound {
        var sum: Float = 0
        for r in 0..<rows { sum += scalar(r, c) }
        out[c] = sum
        c += 1
    }
}

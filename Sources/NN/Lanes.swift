/// Sixteen floats side by side: for the element-wise loops the compiler does not vectorise by itself
/// (sums whose order must stay fixed, pointers it cannot prove apart). Where each lane carries one
/// element's (or one column's) own operations in the scalar order, the loop gives the scalar loop's bits;
/// `StridedSum` instead splits one sum over the lanes, which changes its rounding.
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

/// bfloat16: the upper 16 bits of an IEEE float32 (8 exponent bits, 7 mantissa bits), the format that
/// AVX512_BF16 and AMX multiply natively.
public enum BFloat16 {
    /// The nearest bfloat16 to `x`, ties to even; NaN stays NaN (quiet), infinities and signed zeros stay.
    @inline(__always) public static func round(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }  // keep sign and payload's top, force quiet
        let lsb = (bits >> 16) & 1
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ lsb) >> 16)
    }

    /// The float32 holding bfloat16 `b` exactly.
    @inline(__always) public static func float(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }
}

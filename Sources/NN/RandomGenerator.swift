import Foundation

/// A seeded xoshiro256** generator: fast, and reproducible from run to run and machine to machine.
/// Its whole state is four words, which checkpoints store to resume a run exactly.
public final class RandomGenerator {
    // Four words in stored properties, not an array: next() is on the hot path of dropout and noise.
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The whole state, to save and restore.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// Seeds the state with SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Restores a generator from a saved `state`.
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state != [0, 0, 0, 0], "invalid xoshiro256 state")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// Rewinds or forwards the generator to a previously saved `state`.
    public func restore(_ saved: [UInt64]) {
        precondition(saved.count == 4 && saved != [0, 0, 0, 0], "invalid xoshiro256 state")
        (s0, s1, s2, s3) = (saved[0], saved[1], saved[2], saved[3])
    }

    @inline(__always) public func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), with 24 random bits (every Float of that grid is equally likely).
    @inline(__always) public func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift; the bias is below 2^-32 for small bounds).
    @inline(__always) public func integer(below bound: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: next() >> 32)) &* UInt64(bound)) >> 32)
    }

    /// Fills `m` with uniform values in [low, high).
    public func fillUniform(_ m: Matrix, low: Float = 0, high: Float = 1) {
        let p = m.pointer, width = high - low
        for i in 0..<m.count { p[i] = low + width * uniform() }
    }

    /// Fills `m` with normal values (Box-Muller, computed in Double for accuracy in the tails).
    public func fillNormal(_ m: Matrix, mean: Float = 0, standardDeviation: Float = 1) {
        let p = m.pointer, n = m.count
        var i = 0
        while i < n {
            let u1 = (Double(next() >> 11) + 1) * 0x1p-53  // (0, 1]: log never sees 0
            let u2 = Double(next() >> 11) * 0x1p-53
            let r = (-2 * log(u1)).squareRoot()
            p[i] = mean + standardDeviation * Float(r * cos(2 * Double.pi * u2))
            if i + 1 < n { p[i + 1] = mean + standardDeviation * Float(r * sin(2 * Double.pi * u2)) }
            i += 2
        }
    }

    /// Writes a dropout mask: each element is `keep` when a 32-bit random half-word is at least `threshold`
    /// (probability 1 - threshold/2^32), else 0. Two elements per draw, low half first; the state stays in
    /// registers for the whole loop.
    public func fillMask(_ mask: UnsafeMutablePointer<Float>, count: Int, threshold: UInt64, keep: Float) {
        var (a, b, c, d) = (s0, s1, s2, s3)
        var i = 0
        while i < count {
            let r = rotl(b &* 5, 7) &* 9
            let t = b << 17
            c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 45)
            mask[i] = (r & 0xFFFF_FFFF) >= threshold ? keep : 0
            if i + 1 < count { mask[i + 1] = (r >> 32) >= threshold ? keep : 0 }
            i += 2
        }
        (s0, s1, s2, s3) = (a, b, c, d)
    }

    /// A uniformly random permutation of 0..<count (Fisher-Yates), written into `indices`.
    public func shuffle(_ indices: inout [Int]) {
        guard indices.count > 1 else { return }
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            indices.swapAt(i, integer(below: i + 1))
        }
    }

    public func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        shuffle(&p)
        return p
    }
}

import Foundation
import NN

/// Numbers read from files or requests, made safe before they meet a conversion that traps
/// (`Int(Double)` and `UInt8(Float)` trap on NaN, infinities and values out of range).
enum UntrustedNumbers {
    /// `value` rounded down, when it is a whole number of epochs the server can count with; else nil.
    static func count(_ value: Double) -> Int? {
        guard value.isFinite, value >= 0, value < 1e15 else { return nil }
        return Int(exactly: value.rounded(.down))
    }

    /// A value that a chart can place: finite and within ±1e12, with magnitudes below 1e-12 read as 0
    /// (LinePlot's tick arithmetic needs a span that neither overflows nor underflows).
    static func plottable(_ value: Double) -> Double? {
        guard value.isFinite, abs(value) <= 1e12 else { return nil }
        return abs(value) < 1e-12 ? 0 : value
    }

    /// JSON has no NaN or infinity: those cells become null.
    static func json(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// Replaces NaN pixels with black (a diverged checkpoint draws NaN); ±infinity is clamped by the encoders.
    static func clearNaN(_ images: Matrix) {
        let pixels = images.buffer
        for i in pixels.indices where pixels[i].isNaN { pixels[i] = 0 }
    }
}

import NN
import TestSupport
import XCTest

/// fp32 -> bf16 rounding, tested on every CPU (only multiplying in bf16 needs AVX512_BF16 or AMX).
final class BFloat16Tests: XCTestCase {
    func testRoundsToNearestEven() {
        XCTAssertEqual(BFloat16.round(1), 0x3F80)
        XCTAssertEqual(BFloat16.float(BFloat16.round(1.5)), 1.5)
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
        XCTAssertEqual(BFloat16.round(1 + 0x1p-8), 0x3F80)
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
        XCTAssertEqual(BFloat16.round(1 + 3 * 0x1p-8), 0x3F82)
        // Just above a tie rounds up, just below rounds down.
        XCTAssertEqual(BFloat16.round(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(BFloat16.round(Float(bitPattern: 0x3F80_7FFF)), 0x3F80)
        XCTAssertEqual(BFloat16.round(-2.5), 0xC020)
    }

    func testSpecialValues() {
        XCTAssertEqual(BFloat16.round(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16.round(-.infinity), 0xFF80)
        XCTAssertEqual(BFloat16.round(0), 0)
        XCTAssertEqual(BFloat16.round(-0.0), 0x8000)
        XCTAssertTrue(BFloat16.float(BFloat16.round(.nan)).isNaN)
        // A NaN whose payload lies only in the low 16 bits must not round to infinity.
        XCTAssertTrue(BFloat16.float(BFloat16.round(Float(bitPattern: 0x7F80_0001))).isNaN)
        // The largest finite float rounds to infinity, as round-to-nearest requires.
        XCTAssertEqual(BFloat16.round(.greatestFiniteMagnitude), 0x7F80)
    }

    /// Every bf16 value converts to float and back unchanged, and rounding error is at most half a unit.
    func testRoundTripAndErrorBound() {
        for b in UInt16.min...UInt16.max {
            let f = BFloat16.float(b)
            if f.isNaN { continue }
            XCTAssertEqual(BFloat16.round(f), b)
        }
        var rng = SeededRandom(defaultSeed: 1)
        for _ in 0..<100_000 {
            let x = Float.random(in: -1000...1000, using: &rng)
            let r = BFloat16.float(BFloat16.round(x))
            XCTAssertLessThanOrEqual(abs(r - x), abs(x) * 0x1p-8 * 1.0001, "\(x), \(rng)")
        }
    }
}

import TestSupport
import XCTest

/// The randomised tests' generator replays: one seed, one sequence; CGAN_TEST_SEED picks another.
final class SeededRandomTests: XCTestCase {
    func testASeedReplaysItsSequenceAndTheEnvironmentOverridesIt() {
        var a = SeededRandom(defaultSeed: 5, environment: [:]), b = SeededRandom(defaultSeed: 5, environment: [:])
        let first = (0..<8).map { _ in a.next() }
        XCTAssertEqual(first, (0..<8).map { _ in b.next() })
        var other = SeededRandom(defaultSeed: 5, environment: ["CGAN_TEST_SEED": "6"])
        XCTAssertEqual(other.seed, 6)
        XCTAssertNotEqual((0..<8).map { _ in other.next() }, first)
        XCTAssertEqual(SeededRandom(defaultSeed: 5, environment: ["CGAN_TEST_SEED": "x"]).seed, 5)
        XCTAssertTrue("\(other)".contains("CGAN_TEST_SEED=6"))
    }
}

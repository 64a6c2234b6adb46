import NN
import TestSupport
import XCTest

/// The mode-seeking term (`addModeSeekingTerm`): its value by hand and its gradient against finite differences.
final class ModeSeekingTermTests: XCTestCase {
    func testValueOfTwoPairsByHand() {
        // Pairs (row 0, row 2) and (row 1, row 3); row 4 is the odd one out and must not count.
        let outputs = Matrix(rows: 5, cols: 2, values: [0, 0, 1, 1, 0.5, -0.5, 1, 1, 9, 9])
        let noise = Matrix(rows: 5, cols: 1, values: [0, 0, 2, 1, 7])
        let gradient = Matrix(rows: 5, cols: 2)
        // r0 = mean(0.5, 0.5) / 2 = 0.25; r1 = mean(0, 0) / 1 = 0; R = 0.125; term = 3 / R.
        let term = addModeSeekingTerm(outputs: outputs, noise: noise, weight: 3, gradient: gradient)
        XCTAssertEqual(term, 3 / (0.125 + 1e-5), accuracy: 1e-3)
        XCTAssertEqual(Array(gradient.array[8...]), [0, 0], "the unpaired row gets no gradient")
        // Moving pair 0 apart lowers the term: dTerm/d out[2, 0] (sign +1 side of out[2]-out[0] > 0) is negative.
        XCTAssertLessThan(gradient[2, 0], 0)
        XCTAssertGreaterThan(gradient[0, 0], 0)
    }

    func testGradientMatchesFiniteDifferences() {
        let rng = RandomGenerator(seed: 11)
        let outputs = Matrix(rows: 6, cols: 5), noise = Matrix(rows: 6, cols: 4)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(noise, low: -1, high: 1)
        let adversarial = Matrix(rows: 6, cols: 5)
        rng.fillUniform(adversarial, low: -1, high: 1)
        let gradient = adversarial.clone()
        addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: gradient)
        let analytic = zip(gradient.array, adversarial.array).map { $0 - $1 }
        let checker = GradientChecker(), scratch = Matrix(rows: 6, cols: 5)
        // |a - b| has a kink at a = b: random outputs keep every pair's differences well away from it.
        let numeric = checker.numericGradient(of: outputs) {
            addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: scratch)
        }
        checker.assertClose(analytic, numeric, "mode-seeking term")
        XCTAssertEqual(addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0, gradient: scratch), 0)
    }
}

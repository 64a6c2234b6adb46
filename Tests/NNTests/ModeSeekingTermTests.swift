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

    func testBlockMeansIgnoreSpeckleAndSeeColour() {
        // Two images of 1 channel, 2x2 pixels, one pair; noise distance 1.
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let noise = Matrix(rows: 2, cols: 1, values: [0, 1])
        let scratch = Matrix(rows: 2, cols: 4)
        // Speckle: the pair differs by +1, -1, -1, +1, so pixel by pixel d = 1, as one 1x1 block mean d = 0.
        let speckle = Matrix(rows: 2, cols: 4, values: [1, -1, -1, 1, 0, 0, 0, 0])
        XCTAssertEqual(addModeSeekingTerm(outputs: speckle, noise: noise, weight: 1, gradient: scratch), 1 / (1 + 1e-5), accuracy: 1e-4)
        XCTAssertEqual(addModeSeekingTerm(outputs: speckle, noise: noise, weight: 1, gradient: scratch, shape: shape, grid: 1),
                       1 / 1e-5, accuracy: 1, "a grid of one block sees no difference in speckle")
        // A shift of the whole image's colour by 0.5 counts the same either way.
        let colour = Matrix(rows: 2, cols: 4, values: [0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0])
        for grid in [0, 1, 2] {
            XCTAssertEqual(addModeSeekingTerm(outputs: colour, noise: noise, weight: 1, gradient: scratch, shape: shape, grid: grid),
                           1 / (0.5 + 1e-5), accuracy: 1e-3, "grid \(grid)")
        }
        // A grid as fine as the pixels is the pixel-by-pixel term, value and gradient.
        let rng = RandomGenerator(seed: 5)
        let outputs = Matrix(rows: 4, cols: 12), wide = Matrix(rows: 4, cols: 1)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(wide, low: -1, high: 1)
        let pixels = Matrix(rows: 4, cols: 12), blocks = Matrix(rows: 4, cols: 12)
        let rgb = ImageShape(channels: 3, height: 2, width: 2)
        XCTAssertEqual(addModeSeekingTerm(outputs: outputs, noise: wide, weight: 1, gradient: pixels),
                       addModeSeekingTerm(outputs: outputs, noise: wide, weight: 1, gradient: blocks, shape: rgb, grid: 2), accuracy: 1e-3)
        XCTAssertEqual(pixels.array, blocks.array)
    }

    func testBlockGradientMatchesFiniteDifferences() {
        // Three pairs of 3-channel 4x4 images in a 2x2 grid of 2x2 blocks, the colour dcgan's layout in small.
        let rng = RandomGenerator(seed: 12), shape = ImageShape(channels: 3, height: 4, width: 4)
        let outputs = Matrix(rows: 6, cols: shape.count), noise = Matrix(rows: 6, cols: 4)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(noise, low: -1, high: 1)
        let gradient = Matrix(rows: 6, cols: shape.count)
        addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: gradient, shape: shape, grid: 2)
        let checker = GradientChecker(), scratch = Matrix(rows: 6, cols: shape.count)
        let numeric = checker.numericGradient(of: outputs) {
            addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: scratch, shape: shape, grid: 2)
        }
        checker.assertClose(gradient.array, numeric, "mode-seeking term over block means")
        // Within a block every pixel gets the same gradient.
        XCTAssertEqual(gradient[0, 0], gradient[0, 1])
        XCTAssertEqual(gradient[0, 0], gradient[0, 5])
    }
}

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

    /// The pixel distance computed as MSGAN's loop writes it (the form this term had before block means): the
    /// term's value and gradient must equal it exactly, so that runs trained with it resume bit for bit.
    func testPixelDistanceIsTheDirectLoopExactly() {
        let rng = RandomGenerator(seed: 7)
        let outputs = Matrix(rows: 7, cols: 9), noise = Matrix(rows: 7, cols: 3)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(noise, low: -1, high: 1)
        let gradient = Matrix(rows: 7, cols: 9)
        let term = addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.3, gradient: gradient)
        let h = 3, p = 9, o = outputs.array, z = noise.array
        func dz(_ i: Int) -> Float {
            var d: Float = 0
            for k in 0..<3 { d += abs(z[i * 3 + k] - z[(i + h) * 3 + k]) }
            return max(d / 3, 1e-5)
        }
        var ratioSum: Float = 0
        for i in 0..<h {
            var dx: Float = 0
            for k in 0..<p { dx += abs(o[i * p + k] - o[(i + h) * p + k]) }
            ratioSum += dx / Float(p) / dz(i)
        }
        let r = ratioSum / Float(h), outer = -0.3 / ((r + 1e-5) * (r + 1e-5))
        var expected = [Float](repeating: 0, count: 63)
        for i in 0..<h {
            let scale = outer / (Float(h) * Float(p) * dz(i))
            for k in 0..<p {
                let d = o[i * p + k] - o[(i + h) * p + k]
                let s: Float = d > 0 ? scale : (d < 0 ? -scale : 0)
                expected[i * p + k] += s
                expected[(i + h) * p + k] -= s
            }
        }
        XCTAssertEqual(term, Double(0.3 / (r + 1e-5)))
        XCTAssertEqual(gradient.array, expected)
    }

    func testBlockMeansIgnoreSpeckleAndSeeColour() {
        // Two images of 1 channel, 2x2 pixels, one pair; noise distance 1.
        let shape = ImageShape(channels: 1, height: 2, width: 2)
        let noise = Matrix(rows: 2, cols: 1, values: [0, 1])
        let scratch = Matrix(rows: 2, cols: 4)
        // Speckle: the pair differs by +1, -1, -1, +1, so pixel by pixel d = 1, as one 2x2 block's mean d = 0.
        let speckle = Matrix(rows: 2, cols: 4, values: [1, -1, -1, 1, 0, 0, 0, 0])
        XCTAssertEqual(addModeSeekingTerm(outputs: speckle, noise: noise, weight: 1, gradient: scratch), 1 / (1 + 1e-5), accuracy: 1e-4)
        XCTAssertEqual(addModeSeekingTerm(outputs: speckle, noise: noise, weight: 1, gradient: scratch, distance: .blockMeans(shape, perSide: 1)),
                       1 / 1e-5, accuracy: 1, "one block sees no difference in speckle")
        // A shift of the whole image's colour by 0.5 counts the same either way.
        let colour = Matrix(rows: 2, cols: 4, values: [0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0])
        for distance in [ModeSeekingDistance.pixels, .blockMeans(shape, perSide: 1), .blockMeans(shape, perSide: 2)] {
            XCTAssertEqual(addModeSeekingTerm(outputs: colour, noise: noise, weight: 1, gradient: scratch, distance: distance),
                           1 / (0.5 + 1e-5), accuracy: 1e-3, "\(distance)")
        }
        // Blocks as fine as the pixels are the pixel distance, value and gradient.
        let rng = RandomGenerator(seed: 5)
        let outputs = Matrix(rows: 4, cols: 12), wide = Matrix(rows: 4, cols: 1)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(wide, low: -1, high: 1)
        let pixels = Matrix(rows: 4, cols: 12), blocks = Matrix(rows: 4, cols: 12)
        let rgb = ImageShape(channels: 3, height: 2, width: 2)
        XCTAssertEqual(addModeSeekingTerm(outputs: outputs, noise: wide, weight: 1, gradient: pixels),
                       addModeSeekingTerm(outputs: outputs, noise: wide, weight: 1, gradient: blocks, distance: .blockMeans(rgb, perSide: 2)))
        XCTAssertEqual(pixels.array, blocks.array)
    }

    func testBlockGradientMatchesFiniteDifferences() {
        // Three pairs of 3-channel 4x4 images in a 2x2 grid of 2x2 blocks, the colour dcgan's layout in small.
        let rng = RandomGenerator(seed: 12), shape = ImageShape(channels: 3, height: 4, width: 4)
        let distance = ModeSeekingDistance.blockMeans(shape, perSide: 2)
        let outputs = Matrix(rows: 6, cols: shape.count), noise = Matrix(rows: 6, cols: 4)
        rng.fillUniform(outputs, low: -1, high: 1)
        rng.fillUniform(noise, low: -1, high: 1)
        // |x| has a kink at 0: the numeric gradient holds only where no block's mean difference is within the
        // checker's step of it (a step of h moves a 2x2 block's mean by h / 4).
        let o = outputs.array
        for i in 0..<3 {
            for c in 0..<3 {
                for (by, bx) in [(0, 0), (0, 2), (2, 0), (2, 2)] {
                    let at = { (row: Int, y: Int, x: Int) in o[row * 48 + c * 16 + (by + y) * 4 + bx + x] }
                    let mean = [(0, 0), (0, 1), (1, 0), (1, 1)].map { at(i, $0.0, $0.1) - at(i + 3, $0.0, $0.1) }.reduce(0, +) / 4
                    XCTAssertGreaterThan(abs(mean), 1e-3, "pair \(i) channel \(c) block (\(by), \(bx)) is near the kink")
                }
            }
        }
        let gradient = Matrix(rows: 6, cols: shape.count)
        addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: gradient, distance: distance)
        let checker = GradientChecker(), scratch = Matrix(rows: 6, cols: shape.count)
        let numeric = checker.numericGradient(of: outputs) {
            addModeSeekingTerm(outputs: outputs, noise: noise, weight: 0.7, gradient: scratch, distance: distance)
        }
        checker.assertClose(gradient.array, numeric, "mode-seeking term over block means")
        // Within a block every pixel gets the same gradient.
        XCTAssertEqual(gradient[0, 0], gradient[0, 1])
        XCTAssertEqual(gradient[0, 0], gradient[0, 5])
    }
}

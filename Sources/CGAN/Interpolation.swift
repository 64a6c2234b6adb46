import Foundation
import Media
import NN

/// Walks through a generator's inputs: from one noise vector to another at a fixed class (style changes,
/// class stays), or from one class to another at a fixed noise vector (class changes, style stays).
public struct Interpolation {
    public let generator: ConditionalGenerator

    public init(generator: ConditionalGenerator) { self.generator = generator }

    /// The noise vector that `seed` draws (the first row `generate(... seed:)` would use, truncated as the
    /// generator's `truncation` says).
    public func noise(seed: UInt64) -> [Float] {
        let z = Matrix(rows: 1, cols: generator.config.model.noiseSize)
        generator.config.model.noise.fill(z, rng: RandomGenerator(seed: seed), truncation: generator.truncation)
        return z.array
    }

    /// `steps` images from class `fromLabel` with the noise of `fromSeed` to class `toLabel` with the noise of
    /// `toSeed`. Noise moves along a great circle for normal z (so every step has a typical norm), along a
    /// straight line for uniform z (which stays in the cube); the class input blends linearly.
    public func frames(fromSeed: UInt64, toSeed: UInt64, fromLabel: Int, toLabel: Int, steps: Int) -> Matrix {
        let (z, y) = path(fromSeed: fromSeed, toSeed: toSeed, fromLabel: fromLabel, toLabel: toLabel, steps: steps)
        return generator.generate(noise: z, classWeights: y, seed: fromSeed, dropout: false)
    }

    /// The noise rows and class weights of `frames`.
    func path(fromSeed: UInt64, toSeed: UInt64, fromLabel: Int, toLabel: Int, steps: Int) -> (noise: Matrix, classWeights: Matrix) {
        precondition(steps >= 2, "an interpolation needs two steps or more")
        let classes = generator.classCount
        precondition((0..<classes).contains(fromLabel) && (0..<classes).contains(toLabel), "label outside 0..<\(classes)")
        let a = noise(seed: fromSeed), b = noise(seed: toSeed)
        let z = Matrix(rows: steps, cols: a.count), y = Matrix(rows: steps, cols: classes)
        let angle = Self.angle(a, b)
        for s in 0..<steps {
            let t = Float(s) / Float(steps - 1)
            var (wa, wb) = (1 - t, t)
            if generator.config.model.noise == .normal, angle > 1e-4 {
                (wa, wb) = (sin((1 - t) * angle) / sin(angle), sin(t * angle) / sin(angle))
            }
            for j in 0..<a.count { z[s, j] = wa * a[j] + wb * b[j] }
            y[s, fromLabel] += 1 - t
            y[s, toLabel] += t
        }
        return (z, y)
    }

    /// `frames`, checked: throws `ConditionalGenerator.OutputError` when G's output is not finite.
    public func checkedFrames(fromSeed: UInt64, toSeed: UInt64, fromLabel: Int, toLabel: Int, steps: Int) throws -> Matrix {
        let (z, y) = path(fromSeed: fromSeed, toSeed: toSeed, fromLabel: fromLabel, toLabel: toLabel, steps: steps)
        return try generator.images(noise: z, classWeights: y, seed: fromSeed, dropout: false)
    }

    static func angle(_ a: [Float], _ b: [Float]) -> Float {
        let dot = zip(a, b).map(*).reduce(0, +)
        let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return acos(min(max(dot / max(na * nb, 1e-12), -1), 1))
    }

    /// The frames as one strip (a row of images): 8-bit gray, or red, green, blue per pixel for 3 channels.
    public static func strip(_ frames: Matrix, channels: Int = 1) -> (pixels: [UInt8], width: Int, height: Int) {
        ImageGrid.pixels(frames, columns: frames.rows, channels: channels)
    }

    /// The strip as PNG bytes (grey, or RGB for 3 channels).
    public static func stripPNG(_ frames: Matrix, channels: Int = 1) throws -> Data {
        let s = strip(frames, channels: channels)
        return channels == 3 ? try PNGImage.encode(rgb: s.pixels, width: s.width, height: s.height)
            : try PNGImage.encode(gray: s.pixels, width: s.width, height: s.height)
    }

    /// The frames as a looping animation that goes there and back, as GIF bytes (4x enlarged, for screens).
    public static func gif(_ frames: Matrix, channels: Int = 1, delay: Int = 8) throws -> Data {
        let side = ImageGrid.side(of: frames, channels: channels), scale = 4, size = side * scale, plane = side * side
        let order = Array(0..<frames.rows) + Array((1..<max(frames.rows - 1, 1)).reversed())
        let pictures: [[UInt8]] = order.map { r in
            var out = [UInt8](repeating: 0, count: size * size * channels)
            for y in 0..<size {
                for x in 0..<size {
                    for c in 0..<channels {
                        out[(y * size + x) * channels + c] = ImageGrid.byte(frames[r, c * plane + (y / scale) * side + x / scale])
                    }
                }
            }
            return out
        }
        return try AnimatedGIF.encode(frames: pictures, width: size, height: size, channels: channels, delay: delay)
    }
}

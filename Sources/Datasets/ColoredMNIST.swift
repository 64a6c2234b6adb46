import NN

/// A colour variant of MNIST for trying three-channel models: each digit drawn in one colour on a
/// background of another, at 32 x 32 (the 28 x 28 digit centred, 2 background pixels on each side).
/// Classes stay the digits; the colours carry no label, so a conditional model must learn them as style.
public enum ColoredMNIST {
    /// Black, white, red, green, blue, yellow, cyan, magenta (RGB).
    public static let palette: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (255, 255, 255), (230, 25, 25), (25, 200, 40), (30, 60, 230), (250, 220, 20), (20, 210, 220), (220, 40, 200),
    ]
    public static let side = 32

    /// The colour version of `digits` (28 x 28 grey): image i gets a foreground and a different background
    /// colour drawn from `palette` by a generator seeded with `seed`, so a seed always gives the same set.
    /// A pixel is background + (foreground - background) * grey / 255, rounded.
    public static func make(from digits: LabeledImages, seed: UInt64) -> LabeledImages {
        precondition(digits.channels == 1 && digits.side == 28, "ColoredMNIST needs 28 x 28 grey digits")
        let rng = RandomGenerator(seed: seed)
        let plane = side * side, imageBytes = 3 * plane
        var pixels = [UInt8](repeating: 0, count: digits.count * imageBytes)
        for i in 0..<digits.count {
            let f = rng.integer(below: palette.count)
            var b = rng.integer(below: palette.count - 1)
            if b >= f { b += 1 }
            let fg = [palette[f].0, palette[f].1, palette[f].2], bg = [palette[b].0, palette[b].1, palette[b].2]
            for c in 0..<3 {
                let base = i * imageBytes + c * plane
                for y in 0..<side {
                    for x in 0..<side {
                        let inside = (2..<30).contains(y) && (2..<30).contains(x)
                        let grey = inside ? Int(digits.pixels[i * digits.imageSize + (y - 2) * 28 + (x - 2)]) : 0
                        let value = (Int(bg[c]) * 255 + (Int(fg[c]) - Int(bg[c])) * grey + 127) / 255
                        pixels[base + y * side + x] = UInt8(value)
                    }
                }
            }
        }
        return LabeledImages(pixels: pixels, labels: digits.labels, imageSize: imageBytes, classCount: digits.classCount,
                             channels: 3, side: side, classNames: digits.classNames)
    }
}

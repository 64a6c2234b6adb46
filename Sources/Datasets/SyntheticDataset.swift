/// A small generated data set in MNIST's layout, so that training, resuming and every command that reads data
/// can run where no real data set has been downloaded (the test suite on a fresh checkout, for one).
///
/// Class k is a stroke through the middle of the image at k·18°, shifted (up to 2 pixels), lengthened and tilted a little per
/// image, with a little noise along it: easy to tell apart, yet varied enough that no two images are equal.
/// The pixels come from integer arithmetic and a fixed generator, so the files are the same on every machine
/// and verify against fixed digests like any other data set. `--dataset synthetic` is not listed among the
/// data sets; its files are those `files()` returns, written raw (or gzip-compressed) into `--data-dir`.
public enum SyntheticDataset {
    public static let name = "synthetic"
    /// 2,000 images to train on, then the 10,000 validation images every MNIST-family training set ends with.
    public static let trainCount = 2_000 + MNISTFamilyDataset.validationCount
    public static let testCount = 1_000
    public static let imageSide = 28

    /// Its registry entry: the files' sizes and the digests of `files()`'s contents.
    public static let spec = DatasetSpec(
        name: name, classNames: (0..<10).map(String.init),
        files: [
            DataFileSpec(role: .trainImages, name: "train-images-idx3-ubyte", rawBytes: 16 + trainCount * 784,
                         rawSHA256:
                         "81dc4b84f45954860dfd6366b3ea4e4006f874355244cd840108fab009a92455", gzipSHA256: nil),
            DataFileSpec(role: .trainLabels, name: "train-labels-idx1-ubyte", rawBytes: 8 + trainCount,
                         rawSHA256:
                         "b325bdea08048047ec24f89d7827464c224de6a88b7bbab63b2cd2ceca884fd7", gzipSHA256: nil),
            DataFileSpec(role: .testImages, name: "t10k-images-idx3-ubyte", rawBytes: 16 + testCount * 784,
                         rawSHA256:
                         "e81c28281e889757685d8198fce0a2cb623a3a051f2ddbeea0eb0d6316ec2822", gzipSHA256: nil),
            DataFileSpec(role: .testLabels, name: "t10k-labels-idx1-ubyte", rawBytes: 8 + testCount,
                         rawSHA256:
                         "66e4c6deb5f2a061f7d8cd5ec53025fdb9dabb08265e449acb8cf64b8cd36cac", gzipSHA256: nil),
        ],
        mirrors: [], systemDirectories: [])

    /// The four files' decompressed contents, in the order of `spec.files`.
    public static func files() -> [(file: DataFileSpec, contents: [UInt8])] {
        let (trainImages, trainLabels) = images(count: trainCount, set: 0)
        let (testImages, testLabels) = images(count: testCount, set: 1)
        let contents = [
            IDXWriter.encode(dimensions: [trainCount, imageSide, imageSide], values: trainImages),
            IDXWriter.encode(dimensions: [trainCount], values: trainLabels),
            IDXWriter.encode(dimensions: [testCount, imageSide, imageSide], values: testImages),
            IDXWriter.encode(dimensions: [testCount], values: testLabels),
        ]
        return Array(zip(spec.files, contents))
    }

    /// Unit directions (scaled by 128) at 0°, 18°, …, 162°: one per class.
    static let directions: [(x: Int, y: Int)] = [
        (128, 0), (122, 40), (104, 75), (75, 104), (40, 122), (0, 128), (-40, 122), (-75, 104), (-104, 75), (-122, 40),
    ]

    /// `count` images (pixels, row-major) and their labels, cycling through the classes; `set` picks the stream.
    static func images(count: Int, set: UInt64) -> (pixels: [UInt8], labels: [UInt8]) {
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels = [UInt8](repeating: 0, count: count)
        var random = SplitMix64(seed: 0x5EED_0000 + set)
        for i in 0..<count {
            let label = i % 10
            labels[i] = UInt8(label)
            pixels.withUnsafeMutableBufferPointer { drawStroke(class: label, into: $0, offset: i * 784, random: &random) }
        }
        return (pixels, labels)
    }

    /// One image. Positions are in sixteenths of a pixel; pixel (x, y) has its centre at (16x + 8, 16y + 8).
    static func drawStroke(class label: Int, into pixels: UnsafeMutableBufferPointer<UInt8>, offset: Int,
                           random: inout SplitMix64) {
        let d = directions[label]
        let centreX = 14 * 16 + random.next(in: -32...32), centreY = 14 * 16 + random.next(in: -32...32)
        let halfLength = random.next(in: 7...10)
        // End points: the centre ± the direction, each nudged by up to half a pixel (a slight tilt).
        let ax = centreX - d.x * halfLength / 8 + random.next(in: -8...8)
        let ay = centreY - d.y * halfLength / 8 + random.next(in: -8...8)
        let bx = centreX + d.x * halfLength / 8 + random.next(in: -8...8)
        let by = centreY + d.y * halfLength / 8 + random.next(in: -8...8)
        let ink = random.next(in: 190...240)
        let dx = bx - ax, dy = by - ay, lengthSquared = max(1, dx * dx + dy * dy)
        for y in 0..<28 {
            for x in 0..<28 {
                let px = 16 * x + 8 - ax, py = 16 * y + 8 - ay
                // The nearest point of the segment: a + t·(b − a), t = clamp(p·(b − a) / |b − a|², 0, 1).
                let along = min(max(px * dx + py * dy, 0), lengthSquared)
                let ex = px - dx * along / lengthSquared, ey = py - dy * along / lengthSquared
                let distanceSquared = ex * ex + ey * ey
                // Full ink within a pixel of the stroke's middle line, fading out to two pixels.
                let value: Int
                if distanceSquared <= 16 * 16 { value = ink }
                else if distanceSquared <= 24 * 24 { value = ink * 2 / 3 }
                else if distanceSquared <= 32 * 32 { value = ink / 3 }
                else { continue }
                pixels[offset + y * 28 + x] = UInt8(min(255, value + random.next(in: 0...15)))
            }
        }
    }
}

/// SplitMix64: a small generator with a fixed output on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range` (modulo bias is irrelevant here; only determinism matters).
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

import NN

/// How pixel bytes 0...255 map to floats: [0, 1] (sigmoid generators, Parzen windows) or [-1, 1] (tanh generators).
public enum PixelScale: String, Sendable, Codable {
    case unit, symmetric

    @inline(__always) public func value(_ byte: UInt8) -> Float {
        self == .unit ? Float(byte) / 255 : Float(byte) / 127.5 - 1
    }
}

/// Images (row-major bytes, one image after another) with integer labels.
public struct LabeledImages: Sendable {
    public let pixels: [UInt8]
    public let labels: [Int32]
    public let imageSize: Int
    public let classCount: Int

    public init(pixels: [UInt8], labels: [Int32], imageSize: Int = 784, classCount: Int = 10) {
        precondition(pixels.count == labels.count * imageSize, "pixel count does not match label count")
        self.pixels = pixels
        self.labels = labels
        self.imageSize = imageSize
        self.classCount = classCount
    }

    public var count: Int { labels.count }

    /// The examples `range` (copies; data sets are read once).
    public func subset(_ range: Range<Int>) -> LabeledImages {
        LabeledImages(pixels: Array(pixels[range.lowerBound * imageSize..<range.upperBound * imageSize]),
                      labels: Array(labels[range]), imageSize: imageSize, classCount: classCount)
    }

    /// All images as a [count, imageSize] float matrix.
    public func matrix(scale: PixelScale) -> Matrix {
        let m = Matrix(rows: count, cols: imageSize)
        let p = m.pointer
        pixels.withUnsafeBufferPointer { b in for i in 0..<b.count { p[i] = scale.value(b[i]) } }
        return m
    }

    /// Number of examples of each class.
    public var classHistogram: [Int] {
        var h = [Int](repeating: 0, count: classCount)
        for l in labels { h[Int(l)] += 1 }
        return h
    }
}

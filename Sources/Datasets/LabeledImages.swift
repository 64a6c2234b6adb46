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
    /// Bytes per image: `channels * side * side` (784 for MNIST).
    public let imageSize: Int
    public let classCount: Int
    /// 1 (grey) or 3 (red, green, blue planes, one after another within an image).
    public let channels: Int
    /// Pixels per row and per column (images are square); 0 where `imageSize` is not a square.
    public let side: Int
    /// One name per class, in label order.
    public let classNames: [String]

    /// `side` defaults to the square root of `imageSize / channels`, `classNames` to "0", "1", ...
    public init(pixels: [UInt8], labels: [Int32], imageSize: Int = 784, classCount: Int = 10,
                channels: Int = 1, side: Int? = nil, classNames: [String]? = nil) {
        precondition(pixels.count == labels.count * imageSize, "pixel count does not match label count")
        let root = Int(Double(imageSize / max(channels, 1)).squareRoot().rounded())
        precondition(side == nil || channels * side! * side! == imageSize, "imageSize is not channels x side x side")
        let side = side ?? (channels * root * root == imageSize ? root : 0)
        precondition(classNames == nil || classNames!.count == classCount, "one class name per class")
        self.pixels = pixels
        self.labels = labels
        self.imageSize = imageSize
        self.classCount = classCount
        self.channels = channels
        self.side = side
        self.classNames = classNames ?? (0..<classCount).map(String.init)
    }

    public var count: Int { labels.count }

    /// The examples `range` (copies; data sets are read once).
    public func subset(_ range: Range<Int>) -> LabeledImages {
        LabeledImages(pixels: Array(pixels[range.lowerBound * imageSize..<range.upperBound * imageSize]),
                      labels: Array(labels[range]), imageSize: imageSize, classCount: classCount,
                      channels: channels, side: side, classNames: classNames)
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

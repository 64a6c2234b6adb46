/// The shape of one image in a batch: `channels` planes of `height` x `width`. A batch is a `Matrix`
/// with one image per row, channel-major ([c][y][x], PyTorch's NCHW with N as the rows), so that a flattened
/// image is the row a `Linear` layer reads and `view(B, C, H, W)` in PyTorch is the same memory.
public struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    public let channels: Int, height: Int, width: Int
    public init(channels: Int, height: Int, width: Int) { self.channels = channels; self.height = height; self.width = width }
    public var planeSize: Int { height * width }
    public var count: Int { channels * height * width }
    public var description: String { "[\(channels), \(height), \(width)]" }
}

/// A square convolution window: kernel size, stride and zero padding (the same in both directions).
public struct ConvolutionWindow: Hashable, Sendable {
    public let kernel: Int, stride: Int, padding: Int
    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(kernel > 0 && stride > 0 && padding >= 0, "convolution window k\(kernel) s\(stride) p\(padding)")
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    /// Output side of a convolution over `side` pixels.
    public func convolvedSide(_ side: Int) -> Int { (side + 2 * padding - kernel) / stride + 1 }
    /// Output side of a transposed convolution over `side` pixels.
    public func transposedSide(_ side: Int) -> Int { (side - 1) * stride - 2 * padding + kernel }

    /// im2col for one image: col[(c·k + i)·k + j, oy·outW + ox] = image[c, oy·s - p + i, ox·s - p + j] (0 outside).
    /// `image` is [C, H, W]; `col` is [C·k·k, outH·outW] with rows `rowStride` apart (the batch's columns
    /// side by side: image b's block starts b·outH·outW into each row).
    func unfold(_ image: UnsafePointer<Float>, _ shape: ImageShape, outHeight: Int, outWidth: Int, into col: UnsafeMutablePointer<Float>,
                rowStride: Int) {
        let k = kernel, s = stride, p = padding, h = shape.height, w = shape.width, positions = rowStride
        for c in 0..<shape.channels {
            let plane = image + c * h * w
            for i in 0..<k {
                for j in 0..<k {
                    let row = col + ((c * k + i) * k + j) * positions
                    let (first, end) = validRange(tap: j, side: w, outSide: outWidth)
                    for oy in 0..<outHeight {
                        let y = oy * s - p + i
                        let out = row + oy * outWidth
                        guard y >= 0 && y < h else { out.update(repeating: 0, count: outWidth); continue }
                        let line = plane + y * w + j - p
                        for ox in 0..<first { out[ox] = 0 }
                        for ox in first..<end { out[ox] = line[ox * s] }
                        for ox in end..<outWidth { out[ox] = 0 }
                    }
                }
            }
        }
    }

    /// The output positions ox whose tap `tap` lands inside 0..<side: ox·s - p + tap in range, as first..<end.
    @inline(__always) func validRange(tap: Int, side: Int, outSide: Int) -> (Int, Int) {
        let offset = tap - padding
        let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let end = side - 1 - offset < 0 ? 0 : min(outSide, (side - 1 - offset) / stride + 1)
        return (min(first, end), end)
    }

    /// col2im for one image: the adjoint of `unfold`, adding each column entry into its pixel of `image`
    /// ([C, H, W], which the caller zeroes or fills with the bias first).
    func fold(_ col: UnsafePointer<Float>, _ shape: ImageShape, outHeight: Int, outWidth: Int, into image: UnsafeMutablePointer<Float>,
              rowStride: Int) {
        let k = kernel, s = stride, p = padding, h = shape.height, w = shape.width, positions = rowStride
        for c in 0..<shape.channels {
            let plane = image + c * h * w
            for i in 0..<k {
                for j in 0..<k {
                    let row = col + ((c * k + i) * k + j) * positions
                    let (first, end) = validRange(tap: j, side: w, outSide: outWidth)
                    for oy in 0..<outHeight {
                        let y = oy * s - p + i
                        guard y >= 0 && y < h else { continue }
                        let line = plane + y * w + j - p, source = row + oy * outWidth
                        for ox in first..<end { line[ox * s] += source[ox] }
                    }
                }
            }
        }
    }
}

/// Moves a batch between its two layouts: rows of images [B, C·P] and channels of the whole batch
/// [C, B·P] (what one `sgemm` over every image's columns reads and writes).
enum BatchLayout {
    /// [B, C·P] -> [C, B·P].
    static func channelsFirst(_ x: UnsafePointer<Float>, batch: Int, channels: Int, positions: Int, into y: UnsafeMutablePointer<Float>) {
        for b in 0..<batch {
            for c in 0..<channels { (y + (c * batch + b) * positions).update(from: x + (b * channels + c) * positions, count: positions) }
        }
    }

    /// [C, B·P] -> [B, C·P].
    static func imagesFirst(_ x: UnsafePointer<Float>, batch: Int, channels: Int, positions: Int, into y: UnsafeMutablePointer<Float>) {
        for b in 0..<batch {
            for c in 0..<channels { (y + (b * channels + c) * positions).update(from: x + (c * batch + b) * positions, count: positions) }
        }
    }
}

import Files
import Media
import NN

/// Lays square images out in a grid: row r, column c holds image r * columns + c.
public enum ImageGrid {
    /// Pixels of a grid of `images` ([n, channels·side²], channel-major, values in [0, 1]) with `padding`
    /// black pixels between cells: one byte per pixel for grey, red, green, blue per pixel for colour.
    /// `side` defaults to the square root of a row's pixels per channel.
    public static func pixels(_ images: Matrix, columns: Int, side: Int? = nil, channels: Int = 1,
                              padding: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
        let side = side ?? Self.side(of: images, channels: channels)
        let (width, height) = size(count: images.rows, columns: columns, side: side, padding: padding)
        let plane = side * side
        var out = [UInt8](repeating: 0, count: width * height * channels)
        for i in 0..<images.rows {
            let top = padding + (i / columns) * (side + padding), left = padding + (i % columns) * (side + padding)
            for y in 0..<side {
                for x in 0..<side {
                    let pixel = ((top + y) * width + left + x) * channels
                    for c in 0..<channels { out[pixel + c] = byte(images[i, c * plane + y * side + x]) }
                }
            }
        }
        return (out, width, height)
    }

    /// The side of the square images in rows of `images`.
    public static func side(of images: Matrix, channels: Int) -> Int {
        Int(Double(images.cols / max(channels, 1)).squareRoot().rounded())
    }

    /// The width and height in pixels of a grid of `count` images.
    public static func size(count: Int, columns: Int, side: Int = 28, padding: Int = 2) -> (width: Int, height: Int) {
        let rows = (count + columns - 1) / columns
        return (columns * side + (columns + 1) * padding, rows * side + (rows + 1) * padding)
    }

    /// A pixel in [0, 1] as a byte: outside values are clipped, NaN is black (never a trap, whatever the weights).
    @inline(__always)
    public static func byte(_ value: Float) -> UInt8 {
        value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
    }

    /// Writes the grid as a PNG file (grey, or RGB for 3 channels), atomically.
    public static func writePNG(_ images: Matrix, columns: Int, channels: Int = 1, to path: String) throws {
        let g = pixels(images, columns: columns, channels: channels)
        let png = channels == 3 ? try PNGImage.encode(rgb: g.pixels, width: g.width, height: g.height)
            : try PNGImage.encode(gray: g.pixels, width: g.width, height: g.height)
        try AtomicFile.write(png, to: path)
    }
}

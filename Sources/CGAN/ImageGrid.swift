import Files
import Media
import NN

/// Lays square grayscale images out in a grid: row r, column c holds image r * columns + c.
public enum ImageGrid {
    /// Pixels of a grid of `images` ([n, side²], values in [0, 1]) with `padding` black pixels between cells.
    public static func pixels(_ images: Matrix, columns: Int, side: Int = 28, padding: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
        let (width, height) = size(count: images.rows, columns: columns, side: side, padding: padding)
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<images.rows {
            let top = padding + (i / columns) * (side + padding), left = padding + (i % columns) * (side + padding)
            for y in 0..<side {
                for x in 0..<side {
                    out[(top + y) * width + left + x] = byte(images[i, y * side + x])
                }
            }
        }
        return (out, width, height)
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

    /// Writes the grid as a PNG file, atomically.
    public static func writePNG(_ images: Matrix, columns: Int, to path: String) throws {
        let g = pixels(images, columns: columns)
        try AtomicFile.write(try PNGImage.encode(gray: g.pixels, width: g.width, height: g.height), to: path)
    }
}

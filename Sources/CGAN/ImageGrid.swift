import Files
import Media
import NN

/// Lays square grayscale images out in a grid: row r, column c holds image r * columns + c.
public enum ImageGrid {
    /// Pixels of a grid of `images` ([n, side²], values in [0, 1]) with `padding` black pixels between cells.
    public static func pixels(_ images: Matrix, columns: Int, side: Int = 28, padding: Int = 2) -> (pixels: [UInt8], width: Int, height: Int) {
        let rows = (images.rows + columns - 1) / columns
        let width = columns * side + (columns + 1) * padding, height = rows * side + (rows + 1) * padding
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<images.rows {
            let top = padding + (i / columns) * (side + padding), left = padding + (i % columns) * (side + padding)
            for y in 0..<side {
                for x in 0..<side {
                    let v = min(max(images[i, y * side + x], 0), 1)
                    out[(top + y) * width + left + x] = UInt8((v * 255).rounded())
                }
            }
        }
        return (out, width, height)
    }

    /// Writes the grid as a PNG file, atomically.
    public static func writePNG(_ images: Matrix, columns: Int, to path: String) throws {
        let g = pixels(images, columns: columns)
        try AtomicFile.write(try PNGImage.encode(gray: g.pixels, width: g.width, height: g.height), to: path)
    }
}

import Foundation

/// A line chart rendered to an RGB PNG without any plotting library: axes, grid lines, numeric tick labels
/// and one coloured line per series. Series names are not drawn (there is no text font beyond digits);
/// callers print the legend beside the image, naming each series by `LinePlot.colorNames`.
public struct LinePlot {
    public struct Series {
        public var points: [(x: Double, y: Double)]
        public init(_ points: [(x: Double, y: Double)]) { self.points = points }
    }

    public var series: [Series]
    public var width = 640, height = 400

    /// Colours of series 0, 1, ... (cycled), and their names for a legend.
    public static let palette: [(UInt8, UInt8, UInt8)] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127),
    ]
    public static let colorNames = ["blue", "orange", "green", "red", "purple", "brown", "pink", "grey"]

    public init(series: [Series]) { self.series = series }

    /// The chart as PNG bytes.
    public func png() throws -> Data {
        try PNGImage.encode(rgb: render(), width: width, height: height)
    }

    /// The largest magnitude drawn: values read from a file may be anything, and beyond this the axis
    /// arithmetic would overflow to infinity (and pixel positions to NaN).
    static let plottableMagnitude = 1e15

    /// Finite and within ±`plottableMagnitude` on both axes.
    static func isPlottable(_ p: (x: Double, y: Double)) -> Bool {
        abs(p.x) <= plottableMagnitude && abs(p.y) <= plottableMagnitude
    }

    /// The chart as RGB bytes, `width` x `height`.
    public func render() -> [UInt8] {
        var canvas = Canvas(width: width, height: height)
        let finite = series.flatMap(\.points).filter(Self.isPlottable)
        let (left, right, top, bottom) = (78, width - 12, 12, height - 28)
        guard let xs = Self.range(finite.map(\.x)), let ys = Self.range(finite.map(\.y)) else {
            canvas.rectangle(left, top, right, bottom, color: (0, 0, 0))
            return canvas.pixels
        }
        let xTicks = Self.ticks(xs), yTicks = Self.ticks(ys)
        let x0 = min(xs.lowerBound, xTicks.first!), x1 = max(xs.upperBound, xTicks.last!)
        let y0 = min(ys.lowerBound, yTicks.first!), y1 = max(ys.upperBound, yTicks.last!)
        func px(_ x: Double) -> Int { left + Int((x - x0) / (x1 - x0) * Double(right - left)) }
        func py(_ y: Double) -> Int { bottom - Int((y - y0) / (y1 - y0) * Double(bottom - top)) }
        for t in yTicks {
            canvas.line(left, py(t), right, py(t), color: (225, 225, 225))
            let label = Self.format(t, step: yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1)
            canvas.text(label, rightEdge: left - 6, centreY: py(t))
        }
        for t in xTicks {
            canvas.line(px(t), top, px(t), bottom, color: (225, 225, 225))
            let label = Self.format(t, step: xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1)
            canvas.text(label, rightEdge: px(t) + label.count * Canvas.glyphAdvance / 2, centreY: bottom + 14)
        }
        canvas.rectangle(left, top, right, bottom, color: (0, 0, 0))
        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            let points = s.points.filter(Self.isPlottable)
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), color: color, thick: true)
            }
            if points.count == 1 { canvas.line(px(points[0].x) - 2, py(points[0].y), px(points[0].x) + 2, py(points[0].y), color: color, thick: true) }
        }
        return canvas.pixels
    }

    static func range(_ values: [Double]) -> ClosedRange<Double>? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return lo < hi ? lo...hi : (lo - 0.5)...(hi + 0.5)
    }

    /// About five round tick values covering `r` (steps of 1, 2 or 5 times a power of ten).
    public static func ticks(_ r: ClosedRange<Double>) -> [Double] {
        let rough = (r.upperBound - r.lowerBound) / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(r.lowerBound / step) * step, last = ceil(r.upperBound / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    public static func format(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step))))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}

/// An RGB raster with lines and a 5x7 digit font (0-9, '.', '-'), drawn at twice its size.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]
    static let scale = 2, glyphAdvance = 6 * scale

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
    }

    /// Bresenham's line; `thick` also paints the pixels below and to the right.
    mutating func line(_ xa: Int, _ ya: Int, _ xb: Int, _ yb: Int, color: (UInt8, UInt8, UInt8), thick: Bool = false) {
        var (x, y) = (xa, ya)
        let dx = abs(xb - xa), dy = -abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1
        var error = dx + dy
        while true {
            set(x, y, color)
            if thick { set(x + 1, y, color); set(x, y + 1, color); set(x + 1, y + 1, color) }
            if x == xb && y == yb { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    mutating func rectangle(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: (UInt8, UInt8, UInt8)) {
        line(x0, y0, x1, y0, color: color); line(x1, y0, x1, y1, color: color)
        line(x1, y1, x0, y1, color: color); line(x0, y1, x0, y0, color: color)
    }

    /// Rows of each glyph, 5 bits wide, most significant bit leftmost.
    static let glyphs: [Character: [UInt8]] = [
        "0": [14, 17, 19, 21, 25, 17, 14], "1": [4, 12, 4, 4, 4, 4, 14], "2": [14, 17, 1, 2, 4, 8, 31],
        "3": [31, 2, 4, 2, 1, 17, 14], "4": [2, 6, 10, 18, 31, 2, 2], "5": [31, 16, 30, 1, 1, 17, 14],
        "6": [6, 8, 16, 30, 17, 17, 14], "7": [31, 1, 2, 4, 8, 8, 8], "8": [14, 17, 17, 14, 17, 17, 14],
        "9": [14, 17, 17, 15, 1, 2, 12], ".": [0, 0, 0, 0, 0, 12, 12], "-": [0, 0, 0, 31, 0, 0, 0],
    ]

    /// Draws `text` in black, ending at `rightEdge`, vertically centred on `centreY`.
    mutating func text(_ text: String, rightEdge: Int, centreY: Int) {
        var x = rightEdge - text.count * Self.glyphAdvance
        let y = centreY - 7 * Self.scale / 2
        for ch in text {
            for (row, bits) in (Self.glyphs[ch] ?? []).enumerated() {
                for col in 0..<5 where bits & (16 >> col) != 0 {
                    for dy in 0..<Self.scale { for dx in 0..<Self.scale { set(x + col * Self.scale + dx, y + row * Self.scale + dy, (0, 0, 0)) } }
                }
            }
            x += Self.glyphAdvance
        }
    }
}

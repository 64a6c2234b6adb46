import Foundation

extension LinePlot {
    /// The chart as a standalone SVG 1.1 document, `width` x `height`: the same axes, grid, ticks and lines as
    /// `render()`, plus what the PNG cannot draw without a font: a title, axis titles and a legend.
    ///
    /// - Parameters:
    ///   - title: Drawn centred above the plot; nil leaves the space to the plot.
    ///   - xLabel: The horizontal axis's title.
    ///   - yLabel: The vertical axis's title.
    ///   - names: One per series, in order, listed in a legend box inside the plot's top-right corner with
    ///     each series' colour. Extra names are ignored; a series without a name has no legend entry.
    public func svg(title: String? = nil, xLabel: String, yLabel: String, names: [String]) -> String {
        let (left, right) = (86.0, Double(width) - 16), (top, bottom) = (title == nil ? 16.0 : 40, Double(height) - 48)
        let text = "font-family=\"sans-serif\" font-size=\"12\""
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"]
        if let title {
            out += ["<title>\(Self.escaped(title))</title>",
                    "<text x=\"\(Self.n((left + right) / 2))\" y=\"26\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"16\" font-weight=\"bold\">\(Self.escaped(title))</text>"]
        }
        out.append("<text x=\"\(Self.n((left + right) / 2))\" y=\"\(Self.n(Double(height) - 10))\" text-anchor=\"middle\" \(text)>\(Self.escaped(xLabel))</text>")
        let yMid = Self.n((top + bottom) / 2)
        out.append("<text x=\"18\" y=\"\(yMid)\" transform=\"rotate(-90 18 \(yMid))\" text-anchor=\"middle\" \(text)>\(Self.escaped(yLabel))</text>")
        let frame = "<rect x=\"\(Self.n(left))\" y=\"\(Self.n(top))\" width=\"\(Self.n(right - left))\" height=\"\(Self.n(bottom - top))\" fill=\"none\" stroke=\"black\"/>"

        let finite = series.flatMap(\.points).filter(Self.isPlottable)
        guard let xs = Self.range(finite.map(\.x)), let ys = Self.range(finite.map(\.y)) else {
            return (out + [frame, "</svg>"]).joined(separator: "\n") + "\n"
        }
        let xTicks = Self.ticks(xs), yTicks = Self.ticks(ys)
        let x0 = min(xs.lowerBound, xTicks.first!), x1 = max(xs.upperBound, xTicks.last!)
        let y0 = min(ys.lowerBound, yTicks.first!), y1 = max(ys.upperBound, yTicks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        let grid = "stroke=\"#e1e1e1\" stroke-width=\"1\""
        for t in yTicks {
            let label = Self.format(t, step: yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1)
            out.append("<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(py(t)))\" x2=\"\(Self.n(right))\" y2=\"\(Self.n(py(t)))\" \(grid)/>")
            out.append("<text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(py(t) + 4))\" text-anchor=\"end\" \(text)>\(label)</text>")
        }
        for t in xTicks {
            let label = Self.format(t, step: xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1)
            out.append("<line x1=\"\(Self.n(px(t)))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(px(t)))\" y2=\"\(Self.n(bottom))\" \(grid)/>")
            out.append("<text x=\"\(Self.n(px(t)))\" y=\"\(Self.n(bottom + 18))\" text-anchor=\"middle\" \(text)>\(label)</text>")
        }
        out.append(frame)
        for (k, s) in series.enumerated() {
            var points = s.points.filter(Self.isPlottable).map { (x: px($0.x), y: py($0.y)) }
            // One point has no segment to stroke: widen it into a short mark, as `render()` does.
            if points.count == 1 { points = [(points[0].x - 2, points[0].y), (points[0].x + 2, points[0].y)] }
            guard !points.isEmpty else { continue }
            let list = points.map { "\(Self.n($0.x)),\(Self.n($0.y))" }.joined(separator: " ")
            out.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(Self.hex(k))\" stroke-width=\"2\" stroke-linejoin=\"round\"\(Self.dash(k))/>")
        }
        out += legend(names: Array(names.prefix(series.count)), right: right, top: top)
        return (out + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// A box of colour swatches and names, sized by a rough average glyph width since SVG has no text
    /// measurement of its own; drawn after the lines so it stays readable where they pass beneath.
    private func legend(names: [String], right: Double, top: Double) -> [String] {
        guard !names.isEmpty else { return [] }
        let rowHeight = 18.0, boxWidth = 34 + 7 * Double(names.map(\.count).max()!)
        let (x, y) = (right - 8 - boxWidth, top + 8)
        var out = ["<g font-family=\"sans-serif\" font-size=\"12\">",
                   "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(boxWidth))\" height=\"\(Self.n(8 + rowHeight * Double(names.count)))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999999\"/>"]
        for (k, name) in names.enumerated() {
            let rowY = y + 4 + rowHeight * Double(k)
            out.append("<line x1=\"\(Self.n(x + 8))\" y1=\"\(Self.n(rowY + 9))\" x2=\"\(Self.n(x + 24))\" y2=\"\(Self.n(rowY + 9))\" stroke=\"\(Self.hex(k))\" stroke-width=\"4\"\(Self.dash(k))/>")
            out.append("<text x=\"\(Self.n(x + 30))\" y=\"\(Self.n(rowY + 13))\">\(Self.escaped(name))</text>")
        }
        return out + ["</g>"]
    }

    /// Series past the palette's length reuse its colours, dashed (then dotted), so that no two lines look alike.
    static func dash(_ k: Int) -> String {
        switch k / palette.count % 3 {
        case 0: ""
        case 1: " stroke-dasharray=\"6 3\""
        default: " stroke-dasharray=\"2 2\""
        }
    }

    /// Series `k`'s palette colour as `#rrggbb`.
    static func hex(_ k: Int) -> String {
        let c = palette[k % palette.count]
        return String(format: "#%02x%02x%02x", c.0, c.1, c.2)
    }

    /// A coordinate with at most two decimals: more only bloats the file, no screen resolves them.
    private static func n(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// `s` safe inside element text and attribute values; control characters other than tab and newline
    /// (and U+FFFE, U+FFFF) are dropped, since XML 1.0 cannot carry them even escaped.
    static func escaped(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { ($0.value >= 0x20 && !(0xFFFE...0xFFFF).contains($0.value)) || $0 == "\t" || $0 == "\n" }))
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }
}

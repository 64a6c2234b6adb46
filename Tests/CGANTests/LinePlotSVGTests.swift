import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser's home outside Apple platforms
#endif
import Media
import XCTest

/// The SVG chart, read back through Foundation's XML parser so that escaping mistakes fail the parse.
final class LinePlotSVGTests: XCTestCase {
    /// Every element of a parsed document, in order, with its attributes and the text directly inside it.
    final class Elements: NSObject, XMLParserDelegate {
        var all: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            open.append(all.count)
            all.append((name, attributes, ""))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { all[i].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
        func named(_ name: String) -> [(name: String, attributes: [String: String], text: String)] { all.filter { $0.name == name } }
        var texts: [String] { named("text").map(\.text) }
    }

    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> Elements {
        let parser = XMLParser(data: Data(svg.utf8))
        let elements = Elements()
        parser.delegate = elements
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))\n\(svg)", file: file, line: line)
        XCTAssertEqual(elements.all.first?.name, "svg", file: file, line: line)
        return elements
    }

    func hex(_ k: Int) -> String {
        let c = LinePlot.palette[k % LinePlot.palette.count]
        return String(format: "#%02x%02x%02x", c.0, c.1, c.2)
    }

    func points(_ polyline: (name: String, attributes: [String: String], text: String)) -> [(Double, Double)] {
        (polyline.attributes["points"] ?? "").split(separator: " ").map {
            let xy = $0.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }

    func testTitlesLegendAndOnePolylinePerSeriesInPaletteColours() throws {
        let plot = LinePlot(series: (0..<3).map { k in .init((0..<5).map { (Double($0), Double($0 * k)) }) })
        let names = [#"a<b & "c""#, "it's > 1", "plain"]
        let svg = plot.svg(title: "Loss & accuracy", xLabel: "epoch <n>", yLabel: "'loss'", names: names)
        // All five are escaped, quotes too, so the text is also safe should it move into an attribute.
        XCTAssertTrue(svg.contains("a&lt;b &amp; &quot;c&quot;") && svg.contains("it&apos;s &gt; 1"), svg)
        let doc = try parse(svg)
        let root = doc.all[0].attributes
        XCTAssertEqual(root["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(root["width"], "640")
        XCTAssertEqual(root["height"], "400")
        XCTAssertEqual(root["viewBox"], "0 0 640 400")
        let lines = doc.named("polyline")
        XCTAssertEqual(lines.map { $0.attributes["stroke"] }, [hex(0), hex(1), hex(2)])
        XCTAssertEqual(Set(lines.map { $0.attributes["stroke-width"] }), ["2"])
        XCTAssertEqual(lines.map { points($0).count }, [5, 5, 5])
        for text in names + ["Loss & accuracy", "epoch <n>", "'loss'"] {
            XCTAssertTrue(doc.texts.contains(text), "missing text \(text) in \(doc.texts)")
        }
        // Each legend name sits beside a swatch of its series' colour.
        let swatches = doc.named("line").compactMap { $0.attributes["stroke"] }.filter { $0 != "#e1e1e1" }
        XCTAssertEqual(swatches, [hex(0), hex(1), hex(2)])
        XCTAssertTrue(svg.contains("font-family=\"sans-serif\""))
    }

    /// Past the palette's eight colours, lines and their swatches are dashed, so no two series look alike.
    func testSeriesBeyondThePaletteAreDashed() throws {
        let series = (0..<17).map { k in LinePlot.Series([(0, Double(k)), (1, Double(k) + 1)]) }
        let doc = try parse(LinePlot(series: series).svg(xLabel: "x", yLabel: "y", names: (0..<17).map { "s\($0)" }))
        let looks = doc.named("polyline").map { "\($0.attributes["stroke"] ?? "") \($0.attributes["stroke-dasharray"] ?? "solid")" }
        XCTAssertEqual(looks.count, 17)
        XCTAssertEqual(Set(looks).count, 17, "\(looks)")
        let swatches = doc.named("line").filter { $0.attributes["stroke-width"] == "4" }
            .map { "\($0.attributes["stroke"] ?? "") \($0.attributes["stroke-dasharray"] ?? "solid")" }
        XCTAssertEqual(swatches, looks)
    }

    func testTickLabelsMatchTicks() throws {
        // A fractional x step and a whole y step, so a label printed with the wrong decimals shows.
        let plot = LinePlot(series: [.init([(0, -3), (0.7, 0.25), (1.3, 41)])])
        let doc = try parse(plot.svg(xLabel: "x", yLabel: "y", names: ["s"]))
        for ticks in [LinePlot.ticks(0...1.3), LinePlot.ticks(-3...41)] {
            XCTAssertGreaterThan(ticks.count, 2)
            for t in ticks {
                let label = LinePlot.format(t, step: ticks[1] - ticks[0])
                XCTAssertTrue(doc.texts.contains(label), "no tick label \(label) in \(doc.texts)")
            }
        }
    }

    func testUnplottablePointsAreSkipped() throws {
        let plot = LinePlot(series: [
            .init([(0, 1), (1, .nan), (2, 3), (.infinity, 4), (3, 1e300), (4, 2)]),
            .init([(.nan, .nan), (-.infinity, 1)]),
            .init([(2, 2)]),
        ])
        let svg = plot.svg(xLabel: "x", yLabel: "y", names: ["a", "b", "c"])
        XCTAssertFalse(svg.lowercased().contains("nan") || svg.lowercased().contains("inf"), svg)
        let lines = try parse(svg).named("polyline")
        XCTAssertEqual(lines.map { $0.attributes["stroke"] }, [hex(0), hex(2)], "the all-unplottable series draws nothing")
        guard lines.count == 2 else { return }
        XCTAssertEqual(points(lines[0]).count, 3)
        let mark = points(lines[1])
        XCTAssertEqual(mark.count, 2, "a single point is a short mark")
        guard mark.count == 2 else { return }
        XCTAssertEqual(mark[0].1, mark[1].1)
        XCTAssertEqual(mark[1].0 - mark[0].0, 4, accuracy: 0.01)
        // The scale comes from plottable points only, so every line lies inside the image.
        for (x, y) in lines.flatMap(points) {
            XCTAssertTrue((0...640).contains(x) && (0...400).contains(y), "(\(x), \(y)) outside the image")
        }
    }

    func testCoordinatesHaveAtMostTwoDecimals() throws {
        let plot = LinePlot(series: [.init((0..<50).map { (Double($0) / 3, sin(Double($0) / 7)) })])
        let svg = plot.svg(title: "t", xLabel: "x", yLabel: "y", names: ["s"])
        let long = try NSRegularExpression(pattern: #"\d\.\d{3}"#)
        let attributes = try parse(svg).all.flatMap { $0.attributes.values }
        for value in attributes {
            XCTAssertEqual(long.numberOfMatches(in: value, range: NSRange(value.startIndex..., in: value)), 0, value)
        }
    }

    func testEmptyChartIsAFramedDocument() throws {
        for plot in [LinePlot(series: []), LinePlot(series: [.init([]), .init([(.nan, 1)])])] {
            var small = plot
            small.width = 320
            small.height = 200
            let doc = try parse(small.svg(title: "nothing", xLabel: "x", yLabel: "y", names: []))
            XCTAssertEqual(doc.all[0].attributes["viewBox"], "0 0 320 200")
            XCTAssertTrue(doc.named("polyline").isEmpty)
            XCTAssertTrue(doc.named("rect").contains { $0.attributes["stroke"] == "black" }, "no frame")
            XCTAssertTrue(doc.texts.contains("nothing"))
        }
    }

    func testControlCharactersInNamesStayWellFormed() throws {
        let plot = LinePlot(series: [.init([(0, 0), (1, 1)])])
        let doc = try parse(plot.svg(xLabel: "x", yLabel: "y", names: ["bell\u{7}ü😀"]))
        XCTAssertTrue(doc.texts.contains("bellü😀"), "\(doc.texts)")
    }
}

import Foundation
import XCTest

/// The page's logic that needs no browser (Page/view.js), run by node: the message line clears a problem once
/// the same part of the page succeeds, and the chart's last x label ends at its tick instead of past the edge.
final class PageTests: XCTestCase {
    static let node = ["/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let view = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Server/Page/view.js").path

    func runNode(_ script: String) throws -> String {
        guard let node = Self.node else { throw XCTSkip("no node: the page's logic was not run") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: node)
        p.arguments = ["-e", "const view = require(process.argv[1]);\n" + script, Self.view]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testAProblemLineClearsWhenItsPartSucceeds() throws {
        let shown = try runNode("""
            const p = new view.Problems();
            const lines = [p.set("grid", "count must be an integer in 1...100"), p.set("style", "busy"), p.set("grid", ""),
                           p.set("style", ""), p.set("grid", "again"), p.set("training", ""), p.set("grid", "")];
            console.log(JSON.stringify(lines));
            """)
        XCTAssertEqual(shown, #"["count must be an integer in 1...100","busy","busy","","again","again",""]"#)
    }

    func testTheLastXLabelEndsAtTheChartsRightEdge() throws {
        let ticks = try runNode("console.log(JSON.stringify(view.xTicks(1, 30, 48, 552)))")
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ticks.utf8)) as? [[String: Any]], ticks)
        XCTAssertEqual(parsed.count, 5)
        XCTAssertEqual(parsed.first?["align"] as? String, "left")
        XCTAssertEqual(parsed.last?["align"] as? String, "right")
        XCTAssertEqual(parsed.last?["x"] as? Double, 552)
        XCTAssertEqual(parsed.last?["value"] as? Double, 30)
    }
}

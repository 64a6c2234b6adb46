import CGAN
import Foundation
import Media
import TestSupport
import XCTest

/// The page in a real browser: headless Chromium loads it from `cgan serve`, picks a class through the
/// page's own controls (the URL hash sets the class select and fires its change event), and the test reads
/// the rendered DOM and a screenshot.
///
/// CGAN_BROWSER_RUNS serves another runs directory (README's screenshot uses a trained run);
/// CGAN_SCREENSHOT_OUT keeps the screenshot there.
final class BrowserTests: XCTestCase {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    func testThePageDrawsTheChosenClassInChromium() throws {
        let runs = try ProcessInfo.processInfo.environment["CGAN_BROWSER_RUNS"] ?? makeRuns(self)
        let (dom, shot) = try render(runs: runs, hash: "#label=7&seed=3&truncation=2",
                                     screenshot: ProcessInfo.processInfo.environment["CGAN_SCREENSHOT_OUT"])
        let grid = try loadedGrid(dom)
        XCTAssertTrue(grid.contains("data-label=\"7\""), grid)
        XCTAssertTrue(grid.contains("label=7"), grid)
        XCTAssertTrue(grid.contains("seed=3"), grid)
        if ProcessInfo.processInfo.environment["CGAN_BROWSER_RUNS"] == nil { // our mlp run: normal noise, so truncation applies
            XCTAssertTrue(grid.contains("truncation=2"), "the page's truncation menu reaches the request: \(grid)")
        }
        XCTAssertTrue(dom.contains("<option value=\"7\" selected") || dom.contains("data-label=\"7\""), "class 7 is chosen")
        let image = try PNGImage.readGray(shot)
        // Below the header the page is light (246-255); the pictures are grey to white figures on black. A page
        // whose pictures did not load shows only text and lines there (a few percent of the pixels).
        let body = image.pixels[(80 * image.width)...]
        let pictured = body.filter { $0 < 200 }.count
        XCTAssertGreaterThan(Double(pictured) / Double(body.count), 0.10, "the screenshot shows no pictures")
    }

    /// A run on a folder of colour images: the class menu names its classes, the chosen one is drawn, and
    /// the screenshot holds the run's red (the page's own colours are greys and blues; red is the tinted G's).
    func testAColourRunShowsItsClassNamesAndColoursInChromium() throws {
        let (dom, shot) = try render(runs: try makeColourRuns(self), hash: "#label=1&seed=3", screenshot: nil)
        let grid = try loadedGrid(dom)
        XCTAssertTrue(grid.contains("data-label=\"1\""), grid)
        for (value, name) in [("0", "cat"), ("1", "dog"), ("2", "fox")] {
            XCTAssertNotNil(dom.range(of: "<option value=\"\(value)\"[^>]*>\(value) \(name)</option>", options: .regularExpression),
                            "the class menu names \(name)")
        }
        XCTAssertFalse(dom.contains("<option value=\"3\""), "three classes, not the digits")
        let image = try PNGImage.readRGB(shot)
        var coloured = 0
        for i in stride(from: 80 * image.width * 3, to: image.pixels.count, by: 3) {
            let (r, g, b) = (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            if r > g + 40 && r > b + 40 { coloured += 1 }
        }
        XCTAssertGreaterThan(Double(coloured) / Double(image.width * (image.height - 80)), 0.02, "the screenshot shows no red pictures")
    }

    /// The grid image of a page that finished starting and loaded its grid.
    func loadedGrid(_ dom: String) throws -> String {
        XCTAssertTrue(dom.contains("data-ready=\"true\""), "the page did not finish starting:\n\(dom.prefix(2000))")
        let gridRange = dom.range(of: "<img id=\"grid\"[^>]*>", options: String.CompareOptions.regularExpression)
        let grid = try XCTUnwrap(gridRange.map { String(dom[$0]) }, dom)
        XCTAssertTrue(grid.contains("data-loaded=\"true\""), grid)
        return grid
    }

    /// Serves `runs` with `cgan serve`, loads the page at `hash` in headless Chromium, and returns the rendered
    /// DOM and the path of a screenshot (at `screenshot`, or in the test's temporary directory).
    func render(runs: String, hash: String, screenshot: String?) throws -> (dom: String, screenshot: String) {
        guard let chromium = Self.chromium else {
            throw XCTSkip("no Chromium (apt-get install chromium): the page was not tested in a browser")
        }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try cganProgram())
        server.arguments = ["serve", "--runs", runs, "--port", "0"]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        // A line names the port: "serving http://127.0.0.1:PORT/ (Ctrl-C stops)".
        var text = ""
        while !text.contains("serving http://") || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let url = try XCTUnwrap(text.split(separator: " ").first { $0.hasPrefix("http://") }, "server said: \(text)")
        let page = String(url) + hash

        let profile = temporaryDirectory(self)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                      "--virtual-time-budget=20000", "--window-size=1280,1500"]
        let dom = try run(chromium, common + ["--dump-dom", page])
        let shot = screenshot ?? (profile + "/page.png")
        _ = try run(chromium, common + ["--screenshot=" + shot, page])
        return (dom, shot)
    }

    func run(_ program: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

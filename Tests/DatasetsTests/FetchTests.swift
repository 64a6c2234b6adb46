import Foundation
import TestSupport
import XCTest
import Datasets

/// `cgan data fetch` against a local HTTP server (python3 -m http.server on 127.0.0.1).
final class FetchTests: XCTestCase {
    /// Serves `directory` and returns the base URL; the server stops when the test ends.
    func serve(_ directory: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        addTeardownBlock { p.terminate(); p.waitUntilExit() }
        // First line: "Serving HTTP on 127.0.0.1 port 12345 (http://127.0.0.1:12345/) ..."
        var line = ""
        while !line.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = line.range(of: "port "), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw XCTSkip("python3 http.server did not start: \(line)")
        }
        return "http://127.0.0.1:\(port)/"
    }

    func testFetchVerifiesAndRefusesAFlippedByte() throws {
        let served = temporaryDirectory(self), good = temporaryDirectory(self), bad = temporaryDirectory(self)
        let spec = SyntheticDataset.spec
        try SyntheticData.write(into: served, compressed: true)
        let url = try serve(served)
        try Downloader.fetch(spec, into: good, mirror: url)
        let data = try MNISTFamilyDataset.load(spec, from: good)
        XCTAssertEqual(data.test.count, SyntheticDataset.testCount)

        // Flip one byte of the served test labels: the download must be refused, nothing left behind.
        let corrupt = served + "/corrupt"
        try FileManager.default.createDirectory(atPath: corrupt, withIntermediateDirectories: true)
        for f in spec.files {
            var bytes = [UInt8](FileManager.default.contents(atPath: served + "/" + f.name + ".gz")!)
            if f.role == .testLabels { bytes[bytes.count / 2] ^= 0x01 }
            write(bytes, corrupt + "/" + f.name + ".gz")
        }
        assertDataError("t10k-labels-idx1-ubyte.gz") {
            try Downloader.fetch(spec, into: bad, mirror: url + "corrupt/")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: bad)
        XCTAssertFalse(left.contains { $0.contains("t10k-labels") }, "left behind: \(left)")
        XCTAssertTrue(left.allSatisfy { !$0.hasPrefix(".") }, "temporary files left behind: \(left)")
    }

    func testFetchReportsAnHTTPError() throws {
        let served = temporaryDirectory(self), into = temporaryDirectory(self)
        let url = try serve(served)
        assertDataError("HTTP status 404") { try Downloader.fetch(DatasetRegistry.mnist, into: into, mirror: url) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: into), [])
        // A folder the failed download made is not left behind empty.
        assertDataError("HTTP status 404") { try Downloader.fetch(DatasetRegistry.mnist, into: into + "/new", mirror: url) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: into + "/new"))
    }
}

import Foundation
import XCTest

/// README's library example is the program `Scripts/test.sh` builds and runs, so the two must not drift.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeQuotesTheExampleProgramByteForByte() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let program = try String(contentsOf: root.appendingPathComponent(
            "Examples/TrainAndSample/Sources/TrainAndSample/main.swift"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "```swift\n"), "README has no Swift block")
        let end = try XCTUnwrap(readme.range(of: "\n```\n", range: start.upperBound..<readme.endIndex))
        XCTAssertEqual(String(readme[start.upperBound..<end.lowerBound]) + "\n", program,
                       "README's library example differs from Examples/TrainAndSample's main.swift")
    }
}

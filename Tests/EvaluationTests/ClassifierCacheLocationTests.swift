import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// Where the classifier cache lives, and that an unwritable one is found before a classifier is trained.
final class ClassifierCacheLocationTests: XCTestCase {
    func testTheCacheFollowsTheEnvironment() {
        XCTAssertEqual(ClassifierCache.directory(environment: ["CGAN_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/c")
        XCTAssertEqual(ClassifierCache.directory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/x/swift-cgan")
        XCTAssertEqual(ClassifierCache.directory(environment: ["HOME": "/h"]), "/h/.cache/swift-cgan")
        XCTAssertEqual(ClassifierCache.directory(environment: ["CGAN_CACHE_DIR": "", "HOME": "/h"]), "/h/.cache/swift-cgan")
    }

    func testAnUnwritableCacheIsOneLine() throws {
        let file = temporaryDirectory(self) + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        for directory in [file, file + "/below"] {
            XCTAssertThrowsError(try ClassifierCache.checkWritable(directory)) { error in
                XCTAssertTrue("\(error)".contains("the classifier cache cannot be written"), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        let fine = temporaryDirectory(self) + "/new/cache"
        XCTAssertNoThrow(try ClassifierCache.checkWritable(fine))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fine), [], "the probe file stays behind")
    }

    func testTheClassifierCommandRefusesAnUnwritableCacheAtOnce() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: sharedMNIST), "no MNIST at \(sharedMNIST)")
        let file = temporaryDirectory(self) + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try cganProgram())
        p.arguments = ["classifier", "train", "--data-dir", sharedMNIST]
        p.environment = ProcessInfo.processInfo.environment.merging(["CGAN_CACHE_DIR": file]) { $1 }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertEqual(text.split(separator: "\n").count, 1, text)
        XCTAssertTrue(text.contains("is a file, not a directory"), text)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "the classifier was trained first")
    }
}

import Foundation
import XCTest
import Datasets

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) -> String {
    let d = NSTemporaryDirectory() + "cgan-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
    return d
}

func write(_ bytes: [UInt8], _ path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// gzip-compresses `bytes` with the system's gzip (tests only; the product only decompresses).
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    let dir = NSTemporaryDirectory() + "gz-" + UUID().uuidString
    write(bytes, dir)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-n", "-f", dir]
    try! p.run()
    p.waitUntilExit()
    let out = [UInt8](FileManager.default.contents(atPath: dir + ".gz")!)
    try? FileManager.default.removeItem(atPath: dir + ".gz")
    return out
}

/// `count` 28x28 images whose pixels encode their index, and labels cycling through the classes.
func smallImages(_ count: Int) -> [UInt8] {
    (0..<count * 784).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i / 784 * 7 + i % 784) }
}
func smallLabels(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 10) } }

/// A four-file data set in `dir` with a registry entry whose digests match it.
func smallDataset(in dir: String, train: Int = 30, test: Int = 20, trainLabelCount: Int? = nil, compress: Bool = true) -> DatasetSpec {
    let contents: [(DataFileRole, String, [UInt8])] = [
        (.trainImages, "train-images-idx3-ubyte", IDXWriter.encode(dimensions: [train, 28, 28], values: smallImages(train))),
        (.trainLabels, "train-labels-idx1-ubyte", IDXWriter.encode(dimensions: [trainLabelCount ?? train], values: smallLabels(trainLabelCount ?? train))),
        (.testImages, "t10k-images-idx3-ubyte", IDXWriter.encode(dimensions: [test, 28, 28], values: smallImages(test))),
        (.testLabels, "t10k-labels-idx1-ubyte", IDXWriter.encode(dimensions: [test], values: smallLabels(test))),
    ]
    var files: [DataFileSpec] = []
    for (role, name, raw) in contents {
        write(compress ? gzipped(raw) : raw, dir + "/" + name + (compress ? ".gz" : ""))
        files.append(DataFileSpec(role: role, name: name, rawBytes: raw.count, rawSHA256: sha256Hex(raw), gzipSHA256: nil))
    }
    return DatasetSpec(name: "tiny", classNames: (0..<10).map(String.init), files: files, mirrors: [], systemDirectories: [])
}

/// Asserts that `body` throws a `DataError` whose message contains `fragment`.
func assertDataError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error containing '\(fragment)'", file: file, line: line)
    } catch let error as DataError {
        XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(error.description.contains("\n"), "error is not one line", file: file, line: line)
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
}

let sharedMNIST = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

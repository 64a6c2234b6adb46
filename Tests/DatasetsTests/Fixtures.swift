import Files
import Foundation
import XCTest
import Datasets
import TestSupport

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

/// Asserts that `body` throws a `FileError` whose one-line message contains `fragment`.
func assertDataError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    assertOneLineError(FileError.self, fragment, file: file, line: line, body)
}

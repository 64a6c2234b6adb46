import TestSupport
import XCTest
import Datasets

/// The real MNIST copy beside the project (its train-images .gz is re-compressed: it must still verify).
final class RealMNISTTests: XCTestCase {
    func testRealFilesVerifyAndHaveTheKnownStatistics() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: sharedMNIST),
                          "needs real MNIST at \(sharedMNIST) (checks the published files' digests and statistics); not found")
        let data = try MNISTFamilyDataset.load(DatasetRegistry.mnist, from: sharedMNIST)
        XCTAssertEqual(data.train.count, 60_000)
        XCTAssertEqual(data.test.count, 10_000)
        XCTAssertEqual(data.train.classHistogram, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(data.provenance.first { $0.role == .trainImages }?.method, .contentDigest)
        XCTAssertEqual(data.provenance.first { $0.role == .testImages }?.method, .gzipDigest)
        let mean = Double(data.train.pixels.reduce(0) { $0 + Int($1) }) / Double(data.train.pixels.count) / 255
        XCTAssertEqual(mean, 0.1307, accuracy: 0.0005)
        XCTAssertEqual(data.validation.count, 10_000)
        XCTAssertEqual(data.validation.labels.first, data.train.labels[50_000])
    }
}

/// Fashion-MNIST as Debian's dataset-fashion-mnist package installs it (where the locator looks by default).
final class RealFashionMNISTTests: XCTestCase {
    func testDebianPackageLoadsAndVerifies() throws {
        let directory = "/usr/share/datasets/fashion-mnist"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: directory + "/train-images-idx3-ubyte.gz"),
                          "no Fashion-MNIST at \(directory) (apt-get install dataset-fashion-mnist)")
        let data = try MNISTFamilyDataset.load(DatasetRegistry.fashionMNIST, from: directory)
        XCTAssertEqual(data.train.count, 60_000)
        XCTAssertEqual(data.test.count, 10_000)
        XCTAssertEqual(data.train.classHistogram, [Int](repeating: 6000, count: 10))
        XCTAssertEqual(data.spec.classCount, 10)
    }
}

import Datasets
import Foundation
import TestSupport
import XCTest

/// The generated data set that the training, resume and command tests run on.
final class SyntheticDatasetTests: XCTestCase {
    /// The generator's output is what the registry's digests say (the same on every machine), and it loads.
    func testFilesMatchTheRegistryDigestsAndLoad() throws {
        for (file, contents) in SyntheticDataset.files() {
            XCTAssertEqual(contents.count, file.rawBytes, file.name)
            XCTAssertEqual(sha256Hex(contents), file.rawSHA256, "\(file.name): the generator changed; update its digest")
        }
        let data = try SyntheticData.load()
        XCTAssertEqual(data.train.count, SyntheticDataset.trainCount)
        XCTAssertEqual(data.test.count, SyntheticDataset.testCount)
        XCTAssertEqual(data.trainWithoutValidation.count, 2_000)
        XCTAssertEqual(data.train.classHistogram, [Int](repeating: SyntheticDataset.trainCount / 10, count: 10))
        XCTAssertEqual(data.provenance.map { $0.method }, [FileVerification.Method](repeating: .contentDigest, count: 4))
    }

    /// `--dataset synthetic` is found by name but not offered among the real data sets.
    func testFoundByNameButNotListed() throws {
        XCTAssertEqual(try DatasetRegistry.named("synthetic").name, SyntheticDataset.name)
        XCTAssertFalse(DatasetRegistry.names.contains(SyntheticDataset.name))
    }

    /// Learnable: the nearest class mean tells the test images' classes apart; varied: no two training images
    /// are equal; sparse like MNIST: a dark background with a bright stroke.
    func testClassesAreDistinctAndImagesVary() throws {
        let data = try SyntheticData.load()
        let train = data.trainWithoutValidation, test = data.test.subset(0..<300)
        // Class means of the training images, then the class of each test image's nearest mean.
        var means = [Float](repeating: 0, count: 10 * 784)
        for i in 0..<train.count {
            let k = Int(train.labels[i])
            for j in 0..<784 { means[k * 784 + j] += Float(train.pixels[i * 784 + j]) / Float(train.count / 10) }
        }
        var correct = 0
        for i in 0..<test.count {
            var best = (distance: Float.infinity, label: -1)
            for k in 0..<10 {
                var distance: Float = 0
                for j in 0..<784 { let e = Float(test.pixels[i * 784 + j]) - means[k * 784 + j]; distance += e * e }
                if distance < best.distance { best = (distance, k) }
            }
            if best.label == Int(test.labels[i]) { correct += 1 }
        }
        // Chance is 0.1; the strokes' shifts blur the means, so this simple rule falls short of perfect (0.92).
        XCTAssertGreaterThan(Double(correct) / Double(test.count), 0.8, "nearest class mean: \(correct) of \(test.count)")
        XCTAssertEqual(Set((0..<train.count).map { train.pixels[($0 * 784)..<(($0 + 1) * 784)] }).count, train.count)
        let mean = Double(train.pixels.reduce(0) { $0 + Int($1) }) / Double(train.pixels.count) / 255
        XCTAssertTrue((0.03...0.2).contains(mean), "mean pixel \(mean)")
    }
}

import Datasets
import Foundation
import TestSupport
import XCTest

/// `cgan data import`, `export` and `make` as a user runs them.
final class DataImageCommandTests: XCTestCase {
    override func setUp() { useFastBLASKernel() }

    private func png(_ value: UInt8, side: Int = 6) throws -> Data {
        Data(try ImageEncoder.png([UInt8](repeating: value, count: side * side), width: side, height: side, channels: 1))
    }

    private func folder() throws -> String {
        let dir = temporaryDirectory(self) + "/pets"
        for (name, value) in [("cat", 10), ("dog", 200)] {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            for k in 0..<3 { _ = FileManager.default.createFile(atPath: "\(dir)/\(name)/\(k).png", contents: try png(UInt8(value + k))) }
        }
        return dir
    }

    func testImportWritesOnceAndReusesTheFile() throws {
        let dir = try folder(), out = temporaryDirectory(self) + "/pets.safetensors"
        let first = try runCGAN(["data", "import", dir, "--image-size", "4", "--out", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("6 images, 2 classes, 4x4, 1 channel (decoded 6 files"), first.stdout)
        XCTAssertTrue(first.stdout.contains("classes: cat 3, dog 3"), first.stdout)
        let set = try ImageSetFile.read(out)
        XCTAssertEqual(set.classNames, ["cat", "dog"])
        XCTAssertEqual(Array(set.pixels.prefix(16)), [UInt8](repeating: 10, count: 16))
        let second = try runCGAN(["data", "import", dir, "--image-size", "4", "--out", out])
        XCTAssertTrue(second.stdout.contains("unchanged since the last import; nothing decoded"), second.stdout)
        let colour = try runCGAN(["data", "import", dir, "--image-size", "4", "--channels", "3", "--out", out])
        XCTAssertTrue(colour.stderr.contains("importing again"), colour.stderr)
        XCTAssertEqual(try ImageSetFile.readHeader(out).channels, 3)
    }

    func testBadImagesStopOrAreSkipped() throws {
        let dir = try folder(), out = temporaryDirectory(self) + "/pets.safetensors"
        // A file name is outside input: its terminal escape is shown, not acted on, in errors and in listings.
        _ = FileManager.default.createFile(atPath: dir + "/dog/broken\u{1B}[2J.png", contents: Data("<html>".utf8))
        try assertOneLineError(["data", "import", dir, "--out", out], contains: "dog/broken?[2J.png: not a PNG or JPEG image")
        XCTAssertFalse(try runCGAN(["data", "import", dir, "--out", out]).stderr.contains("\u{1B}"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let r = try runCGAN(["data", "import", dir, "--out", out, "--skip-bad-images"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("skipped 1 bad file:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("dog/broken?[2J.png: not a PNG or JPEG image"), r.stdout)
        XCTAssertFalse(r.stdout.contains("\u{1B}"), r.stdout)
        try assertOneLineError(["data", "import", dir, "--out", out, "--channels", "2"], contains: "--channels must be 1 or 3")
        try assertOneLineError(["data", "import", dir + "/cat", "--out", out], contains: "no class folders")
        try assertOneLineError(["data", "export", "--dataset", "mnist", "--format", "zip", "--out", dir], contains: "--format must be folder")
        try assertOneLineError(["data", "make", "cifar", "--out", dir + "/x"], contains: "unknown data set 'cifar'")
    }

    func testColoredMNISTFolderImportsAsColour() throws {
        _ = try RealMNIST.require(for: "data make colored-mnist reads MNIST itself")
        let base = temporaryDirectory(self)
        let r = try runCGAN(["data", "make", "colored-mnist", "--out", base + "/colour", "--seed", "3", "--limit", "30", "--data-dir", sharedMNIST])
        XCTAssertEqual(r.status, 0, r.stderr)
        let again = try runCGAN(["data", "make", "colored-mnist", "--out", base + "/colour2", "--seed", "3", "--limit", "30", "--data-dir", sharedMNIST])
        XCTAssertEqual(again.status, 0, again.stderr)
        let a = try ImageFolder.load(base + "/colour", cache: nil).images, b = try ImageFolder.load(base + "/colour2", cache: nil).images
        XCTAssertEqual([a.channels, a.side, a.count], [3, 32, 30])
        XCTAssertEqual(a.pixels, b.pixels, "the seed fixes the colours")
        try assertOneLineError(["data", "make", "colored-mnist", "--out", base + "/colour", "--limit", "30", "--data-dir", sharedMNIST],
                               contains: "not empty; refusing to write into it")
        // MNIST's first 5 training digits are 5, 0, 4, 1, 9: a folder of them would miss six classes.
        try assertOneLineError(["data", "make", "colored-mnist", "--out", base + "/five", "--limit", "5", "--data-dir", sharedMNIST],
                               contains: "--limit 5 leaves no image of digits 2, 3, 6, 7, 8")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/five"))
    }
}

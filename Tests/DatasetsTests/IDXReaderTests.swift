import Files
import TestSupport
import XCTest
import Datasets

final class IDXReaderTests: XCTestCase {
    func testRoundTripRawAndGzip() throws {
        let dir = temporaryDirectory(self)
        let images = smallImages(5), labels = smallLabels(5)
        write(IDXWriter.encode(dimensions: [5, 28, 28], values: images), dir + "/img")
        write(gzipped(IDXWriter.encode(dimensions: [5, 28, 28], values: images)), dir + "/img.gz")
        write(gzipped(IDXWriter.encode(dimensions: [5], values: labels)), dir + "/lab.gz")
        for path in [dir + "/img", dir + "/img.gz"] {
            let (count, pixels) = try IDXReader.readImages(path)
            XCTAssertEqual(count, 5)
            XCTAssertEqual(pixels, images)
        }
        XCTAssertEqual(try IDXReader.readLabels(dir + "/lab.gz"), labels.map(Int32.init))
    }

    func testMissingFile() {
        assertDataError("file not found") { _ = try IDXReader.readImages("/nonexistent/train-images-idx3-ubyte.gz") }
    }

    func testWrongMagicNumber() {
        let dir = temporaryDirectory(self)
        var bytes = IDXWriter.encode(dimensions: [2, 28, 28], values: smallImages(2))
        bytes[0] = 0x50  // e.g. a PNG or text file
        write(bytes, dir + "/x")
        assertDataError("wrong magic number") { _ = try IDXReader.readImages(dir + "/x") }
        bytes[0] = 0; bytes[2] = 0x0D  // float data
        write(bytes, dir + "/y")
        assertDataError("is not unsigned byte") { _ = try IDXReader.readImages(dir + "/y") }
    }

    func testWrongImageSizeAndRank() {
        let dir = temporaryDirectory(self)
        write(IDXWriter.encode(dimensions: [2, 32, 32], values: [UInt8](repeating: 0, count: 2 * 1024)), dir + "/x")
        assertDataError("images are 32x32, expected 28x28") { _ = try IDXReader.readImages(dir + "/x") }
        write(IDXWriter.encode(dimensions: [3], values: [1, 2, 3]), dir + "/l")
        assertDataError("expected an image file") { _ = try IDXReader.readImages(dir + "/l") }
    }

    func testTruncatedAndOverlongFiles() {
        let dir = temporaryDirectory(self)
        let full = IDXWriter.encode(dimensions: [3, 28, 28], values: smallImages(3))
        write(Array(full.dropLast(100)), dir + "/t")
        assertDataError("truncated: header promises 2352 values, file holds 2252") { _ = try IDXReader.readImages(dir + "/t") }
        write(Array(full.prefix(10)), dir + "/h")
        assertDataError("truncated IDX header") { _ = try IDXReader.readImages(dir + "/h") }
        write(full + [1, 2], dir + "/o")
        assertDataError("2 unexpected bytes") { _ = try IDXReader.readImages(dir + "/o") }
    }

    func testCorruptAndTruncatedGzip() {
        let dir = temporaryDirectory(self)
        var gz = gzipped(IDXWriter.encode(dimensions: [50, 28, 28], values: smallImages(50)))
        write(Array(gz.prefix(gz.count / 2)), dir + "/half.gz")
        assertDataError("truncated gzip data") { _ = try IDXReader.readImages(dir + "/half.gz") }
        gz[gz.count / 2] ^= 0xFF
        write(gz, dir + "/bad.gz")
        assertDataError("corrupt gzip data") { _ = try IDXReader.readImages(dir + "/bad.gz") }
    }

    func testLabelOutOfRange() {
        let dir = temporaryDirectory(self)
        write(IDXWriter.encode(dimensions: [4], values: [1, 2, 10, 3]), dir + "/l")
        assertDataError("label 10 at index 2 is out of range 0..<10") { _ = try IDXReader.readLabels(dir + "/l") }
    }
}

final class DatasetTests: XCTestCase {
    func testLoadsAVerifiedSmallDataset() throws {
        let dir = temporaryDirectory(self)
        let spec = smallDataset(in: dir)
        let data = try MNISTFamilyDataset.load(spec, from: dir)
        XCTAssertEqual(data.train.count, 30)
        XCTAssertEqual(data.test.count, 20)
        XCTAssertEqual(data.train.classHistogram, [Int](repeating: 3, count: 10))
        XCTAssertEqual(data.provenance.map(\.method), [.contentDigest, .contentDigest, .contentDigest, .contentDigest])
        let unit = data.test.matrix(scale: .unit), symmetric = data.test.matrix(scale: .symmetric)
        XCTAssertEqual(unit[1, 0], 7 / 255)
        XCTAssertEqual(symmetric[1, 0], 7 / 127.5 - 1, accuracy: 1e-6)
    }

    func testImageLabelCountMismatch() {
        let dir = temporaryDirectory(self)
        let spec = smallDataset(in: dir, trainLabelCount: 29)
        assertDataError("30 training images but 29 training labels") { _ = try MNISTFamilyDataset.load(spec, from: dir) }
    }

    func testChecksumMismatchIsRefused() throws {
        let dir = temporaryDirectory(self)
        let spec = smallDataset(in: dir, compress: false)
        var bytes = [UInt8](FileManager.default.contents(atPath: dir + "/t10k-images-idx3-ubyte")!)
        bytes[500] ^= 1  // still a valid IDX file: only the digest can tell
        write(bytes, dir + "/t10k-images-idx3-ubyte")
        assertDataError("t10k-images-idx3-ubyte: checksum mismatch") { _ = try MNISTFamilyDataset.load(spec, from: dir) }
    }

    func testLocatorResolutionOrder() {
        let spec = DatasetRegistry.fashionMNIST
        XCTAssertEqual(DataLocator(spec: spec, directory: "/a", environment: ["CGAN_DATA_DIR": "/b"]).candidates, ["/a"])
        XCTAssertEqual(DataLocator(spec: spec, directory: nil, environment: ["CGAN_DATA_DIR": "/b"]).candidates, ["/b"])
        XCTAssertEqual(DataLocator(spec: spec, directory: nil, environment: [:]).candidates,
                       ["data/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
        XCTAssertThrowsError(try DatasetRegistry.named("cifar10"))
    }

    func testMinibatchesVisitEveryExampleOncePerEpochReproducibly() {
        let n = 50
        let images = Matrix(rows: n, cols: 2)
        for i in 0..<n { images[i, 0] = Float(i) }
        let labels = (0..<n).map { Int32($0 % 10) }
        let a = MinibatchSampler(images: images, labels: labels, batchSize: 10, seed: 3)
        let b = MinibatchSampler(images: images, labels: labels, batchSize: 10, seed: 3)
        let x = Matrix(rows: 10, cols: 2)
        var y = [Int32](repeating: 0, count: 10)
        func epoch(_ s: MinibatchSampler, _ e: Int) -> [Int] {
            (0..<s.batchesPerEpoch).flatMap { batch -> [Int] in
                y.withUnsafeMutableBufferPointer { s.fill(epoch: e, batch: batch, images: x, labels: $0) }
                for r in 0..<10 { XCTAssertEqual(Int(y[r]), Int(x[r, 0]) % 10) }
                return (0..<10).map { Int(x[$0, 0]) }
            }
        }
        let e0 = epoch(a, 0), e1 = epoch(a, 1)
        XCTAssertEqual(e0.sorted(), Array(0..<n))
        XCTAssertNotEqual(e0, e1)
        XCTAssertEqual(epoch(b, 1), e1)  // straight to epoch 1: same order as after epoch 0
    }
}

import NN

/// Hostile compressed and header input: bounded work, one-line errors.
final class HostileIDXTests: XCTestCase {
    /// A small .gz whose stream goes on far beyond the size its IDX header announces stops there.
    func testGzipBombStopsAtTheAnnouncedSize() {
        let dir = temporaryDirectory(self)
        let announced = IDXWriter.encode(dimensions: [10, 28, 28], values: [UInt8](repeating: 0, count: 7840))
        write(gzipped(announced + [UInt8](repeating: 0, count: 50_000_000)), dir + "/bomb.gz")
        assertDataError("more than the 7856 bytes its header announces") { _ = try IDXReader.readImages(dir + "/bomb.gz") }
        // Nothing but zeros: no valid header, stopped after a few bytes.
        write(gzipped([UInt8](repeating: 0, count: 50_000_000)), dir + "/zeros.gz")
        assertDataError("decompresses to more than") { _ = try IDXReader.readImages(dir + "/zeros.gz") }
    }

    /// Dimensions whose product overflows or is absurd are refused before anything is sized by them.
    func testHeaderWithHugeDimensions() {
        let dir = temporaryDirectory(self)
        write([0, 0, 8, 4] + [UInt8](repeating: 0xFF, count: 16), dir + "/huge")
        assertDataError("more than") { _ = try IDXReader.readImages(dir + "/huge") }
        write(gzipped([0, 0, 8, 255] + [UInt8](repeating: 0x7F, count: 1020)), dir + "/rank255.gz")
        assertDataError("more than") { _ = try IDXReader.readImages(dir + "/rank255.gz") }
    }

    /// Random corruptions of a valid file (raw and gzip) never trap: each read succeeds or throws `FileError`.
    /// Seeded (`SeededRandom`): a failure names the seed that replays it.
    func testMutatedFilesNeverCrash() {
        let dir = temporaryDirectory(self)
        let valid = IDXWriter.encode(dimensions: [3, 28, 28], values: smallImages(3))
        let compressed = gzipped(valid)
        var rng = SeededRandom(defaultSeed: 1)
        for i in 0..<400 {
            var bytes = i % 2 == 0 ? valid : compressed
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                default: bytes += [UInt8](repeating: UInt8.random(in: 0...255, using: &rng), count: Int.random(in: 1...64, using: &rng))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            write(bytes, dir + "/m")
            do { _ = try IDXReader.readImages(dir + "/m") } catch is FileError {} catch {
                XCTFail("mutation \(i), \(rng): unexpected \(error)")
            }
        }
    }
}

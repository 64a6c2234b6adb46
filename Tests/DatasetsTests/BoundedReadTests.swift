import Files
import Foundation
import TestSupport
import XCTest
@testable import Datasets

/// Nothing read is trusted beyond the size the registry knows: a gzip bomb, a huge raw file and a huge
/// download stop at that size with one line, without holding more than it in memory.
final class BoundedReadTests: XCTestCase {
    /// gzip of `count` zero bytes, made by streaming zeros through the system's gzip.
    func gzippedZeros(_ count: Int, into path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "head -c \(count) /dev/zero | gzip -1 > '\(path)'"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    /// Peak resident memory of this process, in bytes.
    func peakMemory() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    func testAGzipBombStopsAtTheRegistrySize() throws {
        let dir = temporaryDirectory(self)
        let path = dir + "/train-images-idx3-ubyte.gz"
        try gzippedZeros(1 << 28, into: path)  // 256 MiB of zeros in about 250 KB
        let spec = DatasetRegistry.mnist.file(.trainImages)
        let before = peakMemory()
        assertOneLineError(FileError.self, "decompresses to more than the \(spec.rawBytes) bytes expected") {
            _ = try FileVerification.verify(path: path, against: spec)
        }
        XCTAssertLessThan(peakMemory() - before, 4 * spec.rawBytes, "held more than the expected size")
    }

    func testAFileLargerThanAnyCopyIsRefusedBeforeItIsRead() throws {
        let dir = temporaryDirectory(self)
        let spec = DatasetRegistry.mnist.file(.trainImages)
        for name in [spec.name, spec.name + ".gz"] {
            let path = dir + "/" + name
            FileManager.default.createFile(atPath: path, contents: Data([0x1F, 0x8B]))
            // A sparse 64 GiB file: reading it would take a minute (and a file system without sparse files refuses it).
            guard truncate(path, 64 << 30) == 0 else { throw XCTSkip("this file system cannot hold a sparse 64 GiB file") }
            let start = Date()
            assertOneLineError(FileError.self, "is more than any copy of \(spec.name) can be") {
                _ = try FileVerification.verify(path: path, against: spec)
            }
            // Refused by its size, not after a read of 64 GiB.
            XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        }
        // A raw file of the wrong size is refused by its size alone.
        let raw = dir + "/" + spec.name
        XCTAssertEqual(truncate(raw, 1000), 0)
        write([0, 0, 8, 3], raw)
        assertOneLineError(FileError.self, "holds 4 bytes, expected \(spec.rawBytes)") {
            _ = try FileVerification.verify(path: raw, against: spec)
        }
    }

    func testStreamedVerificationAcceptsWhatTheWholeFileVerificationAccepts() throws {
        let dir = temporaryDirectory(self)
        let spec = smallDataset(in: dir)
        for file in spec.files {
            let path = dir + "/" + file.name + ".gz"
            let streamed = try FileVerification.verify(path: path, against: file)
            let whole = try FileVerification.verify([UInt8](FileManager.default.contents(atPath: path)!), against: file, path: path)
            XCTAssertEqual(streamed.raw, whole.raw)
            XCTAssertEqual(streamed.method, .contentDigest)
        }
        // A truncated stream and a flipped byte are still caught.
        let path = dir + "/" + spec.files[0].name + ".gz"
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        write(Array(bytes.prefix(bytes.count / 2)), path)
        assertOneLineError(FileError.self, "truncated") { _ = try FileVerification.verify(path: path, against: spec.files[0]) }
        bytes[bytes.count - 12] ^= 1
        write(bytes, path)
        XCTAssertThrowsError(try FileVerification.verify(path: path, against: spec.files[0]))
    }

    func testDataInfoOnAGzipBombIsOneLine() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: sharedMNIST), "no MNIST at \(sharedMNIST)")
        let dir = temporaryDirectory(self)
        for file in DatasetRegistry.mnist.files where file.role != .trainImages {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + file.name + ".gz",
                                                       withDestinationPath: sharedMNIST + "/" + file.name + ".gz")
        }
        try gzippedZeros(1 << 28, into: dir + "/train-images-idx3-ubyte.gz")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try cganProgram())
        p.arguments = ["data", "info", "--dataset", "mnist", "--data-dir", dir]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertEqual(text.split(separator: "\n").count, 1, text)
        XCTAssertTrue(text.contains("decompresses to more than"), text)
    }

    func testADataDirectoryThatIsAFileIsOneLine() throws {
        let file = temporaryDirectory(self) + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        assertOneLineError(FileError.self, "is a file, not a directory") {
            try Downloader.fetch(DatasetRegistry.mnist, into: file, mirror: "http://127.0.0.1:9/")
        }
    }

    func testADownloadStopsAtItsSizeLimit() throws {
        let served = temporaryDirectory(self)
        FileManager.default.createFile(atPath: served + "/big", contents: Data(count: 1 << 20))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", served]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        addTeardownBlock { p.terminate(); p.waitUntilExit() }
        var line = ""
        while !line.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = line.range(of: "port "), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw XCTSkip("python3 http.server did not start: \(line)")
        }
        let url = "http://127.0.0.1:\(port)/big"
        assertOneLineError(FileError.self, "more than 1000 bytes") { _ = try Downloader.download(url, sizeLimit: 1000) }
        XCTAssertEqual(try Downloader.download(url, sizeLimit: 2 << 20).count, 1 << 20)
    }
}

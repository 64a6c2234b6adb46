@testable import CGAN
import Datasets
import Files
import Foundation
import NN
import TestSupport
import XCTest

/// A full disk is an error that says so, leaves no temporary and no half line: on /dev/full, and on a
/// small tmpfs where mounting one is allowed (skipped with a message where it is not).
final class FullDiskTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    /// A 256 KiB tmpfs (read-only when asked), unmounted when the test ends; a skip where mounting is not allowed.
    func smallDisk(readOnly: Bool = false) throws -> String {
        let dir = temporaryDirectory(self) + "/disk"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = ["-t", "tmpfs", "-o", "size=256k" + (readOnly ? ",ro" : ""), "tmpfs", dir]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("cannot mount a tmpfs here (not root, or not allowed)") }
        addTeardownBlock { _ = umount(dir) }
        return dir
    }

    /// Fills `directory`'s file system but for about `spare` bytes.
    func fill(_ directory: String, leaving spare: Int) throws {
        var info = statvfs()
        XCTAssertEqual(statvfs(directory, &info), 0)
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        FileManager.default.createFile(atPath: directory + "/filler", contents: Data(count: max(free - spare, 0)))
    }

    func testASinkOnAFullDeviceThrowsNoSpace() throws {
        let fd = open("/dev/full", O_WRONLY)
        guard fd >= 0 else { throw XCTSkip("no /dev/full") }
        let sink = FileSink(descriptor: fd, reportedAs: "metrics.csv")
        assertOneLineError(FileError.self, "metrics.csv: cannot write: no space left on device") { try sink.write(Data(count: 10)) }
    }

    func testAtomicWritesOnAFullDiskFailCleanly() throws {
        let disk = try smallDisk()
        FileManager.default.createFile(atPath: disk + "/kept", contents: Data("old".utf8))
        assertOneLineError(FileError.self, "no space left on device") { try AtomicFile.write(Data(count: 1 << 20), to: disk + "/kept") }
        assertOneLineError(FileError.self, "no space left on device") {
            try AtomicFile.stream(to: disk + "/big") { sink in for _ in 0..<64 { try sink.write(Data(count: 16 << 10)) } }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: disk).sorted(), ["kept"])
        XCTAssertEqual(FileManager.default.contents(atPath: disk + "/kept"), Data("old".utf8))
    }

    func testMetricsLinesStayWholeOnAFullDisk() throws {
        let disk = try smallDisk()
        let log = try MetricsLog(path: disk + "/metrics.csv", resumingAt: nil)
        try fill(disk, leaving: 0)
        var failure: Error?
        for step in 1...100_000 where failure == nil {
            do {
                try log.append(step: step, epoch: 0, stats: StepStatistics(), imagesPerSecond: 1, wallSeconds: 1)
            } catch { failure = error }
        }
        XCTAssertTrue("\(failure.map { "\($0)" } ?? "no error")".contains("no space left on device"))
        let text = String(decoding: FileManager.default.contents(atPath: disk + "/metrics.csv")!, as: UTF8.self)
        XCTAssertTrue(text.hasSuffix("\n"), "a half line was left")
        for line in text.split(separator: "\n").dropFirst() { XCTAssertEqual(line.split(separator: ",").count, 10) }
    }

    func testSamplingOntoAFullDiskIsOneLineAndLeavesNothing() throws {
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), in: dir)
        let disk = try smallDisk()
        for format in ["npy", "idx", "png"] {
            try assertOneLineError(["sample", "--checkpoint", RunDirectory(dir).latestCheckpoint, "--per-class", "300",
                                    "--format", format, "--out", disk + "/s"], contains: "no space left on device")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: disk), [])
    }

    func testAReadOnlyFileSystemIsNamed() throws {
        let dir = temporaryDirectory(self) + "/run"
        try train(smallConfig(.mlp, epochs: 1, limit: 100, batch: 50), in: dir)
        let disk = try smallDisk(readOnly: true)
        try assertOneLineError(["sample", "--checkpoint", RunDirectory(dir).latestCheckpoint, "--label", "1", "--out", disk + "/s.png"],
                               contains: "read-only file system")
        try assertOneLineError(["sample", "--checkpoint", RunDirectory(dir).latestCheckpoint, "--label", "1", "--out", disk + "/new/s.png"],
                               contains: "read-only file system")
    }
}

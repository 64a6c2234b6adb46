import Foundation
import Glibc
import TestSupport
import XCTest

/// `cgan serve` on an address another program holds: one line that says so, not the network library's jargon.
final class ListenErrorTests: XCTestCase {
    func testAPortInUseIsOneClearLine() throws {
        // Hold a port: a listening socket on 127.0.0.1, its number chosen by the system.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(holder, 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        let p = Process()
        p.executableURL = URL(fileURLWithPath: try cganProgram())
        p.arguments = ["serve", "--runs", try makeRuns(self), "--port", String(port)]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertEqual(stderr, "Error: cannot serve on 127.0.0.1:\(port): address already in use\n")
    }
}

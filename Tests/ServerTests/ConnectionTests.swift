import Foundation
import NN
@testable import Server
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The server on a real loopback socket: slow or idle clients are closed after the request timeout, and past
/// the connection cap further clients wait until a connection closes.
final class ConnectionTests: XCTestCase {
    override class func setUp() {
        useFastBLASKernel()
        BLASRuntime.setThreadCount(1)
    }

    /// Runs the server on a free loopback port for the length of `body`.
    func withLiveServer(_ limits: ServerLimits, _ body: (Int) async throws -> Void) async throws {
        let server = try CGANServer(catalog: RunCatalog(.runs(try makeRuns(self))), dataDirectory: temporaryDirectory(self), limits: limits,
                                    classifierCache: temporaryDirectory(self))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.makeApplication(port: 0, onRunning: { continuation.yield($0) }).runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return XCTFail("the server did not start") }
        do {
            try await body(port)
        } catch {
            task.cancel()
            throw error
        }
        task.cancel()
        _ = await task.result
    }

    func testSlowAndIdleClientsAreClosedAfterTheRequestTimeout() async throws {
        var limits = ServerLimits()
        limits.readTimeout = 1
        try await withLiveServer(limits) { port in
            // Slowloris: a header that never ends, one byte every 0.2 s.
            let slow = try LoopbackConnection(port: port)
            try slow.send("GET /api/runs HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            // A body sent a byte at a time after a complete head.
            let dripping = try LoopbackConnection(port: port)
            try dripping.send("GET /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            // A connection that says nothing at all.
            let idle = try LoopbackConnection(port: port)
            let start = Date()
            var closedAfter: [String: Double] = [:]
            while Date().timeIntervalSince(start) < 6, closedAfter.count < 3 {
                for (name, connection) in [("slow", slow), ("dripping", dripping), ("idle", idle)] where closedAfter[name] == nil {
                    if name != "idle" { try? connection.send("a") }
                    if connection.closedByServer() { closedAfter[name] = Date().timeIntervalSince(start) }
                }
                // Meanwhile a client that sends its request at once is answered.
                let prompt = try LoopbackConnection(port: port)
                try prompt.send("GET /api/runs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                XCTAssertTrue(prompt.receive(within: 5).hasPrefix("HTTP/1.1 200"))
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            for name in ["slow", "dripping", "idle"] {
                let after = try XCTUnwrap(closedAfter[name], "\(name) was never closed")
                XCTAssertGreaterThan(after, 0.5, name)
                XCTAssertLessThan(after, 4, name)
            }
        }
    }

    func testClientsPastTheConnectionCapWaitForAFreeConnection() async throws {
        var limits = ServerLimits()
        limits.maximumConnections = 2
        limits.readTimeout = 30
        try await withLiveServer(limits) { port in
            let request = "GET /api/runs HTTP/1.1\r\nHost: x\r\n\r\n"
            let first = try LoopbackConnection(port: port), second = try LoopbackConnection(port: port)
            for c in [first, second] {
                try c.send(request)
                XCTAssertTrue(c.receive(within: 5).hasPrefix("HTTP/1.1 200"), "served while under the cap")
            }
            let third = try LoopbackConnection(port: port)
            try third.send(request)
            XCTAssertEqual(third.receive(within: 1), "", "a third connection is not served while two are open")
            first.close()
            XCTAssertTrue(third.receive(within: 5).hasPrefix("HTTP/1.1 200"), "served once one closed")
            second.close()
            third.close()
        }
    }
}

/// A plain TCP connection to 127.0.0.1, for clients that no HTTP library would imitate.
final class LoopbackConnection {
    private var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func send(_ text: String) throws {
        let sent = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent >= 0 else { throw POSIXError(.EPIPE) }
    }

    /// What arrives within `seconds` (until the first pause once something came).
    func receive(within seconds: Double) -> String {
        var received = [UInt8]()
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait: Int32 = received.isEmpty ? Int32(max(1, deadline.timeIntervalSinceNow * 1000)) : 100
            guard poll(&poller, 1, wait) > 0 else { if received.isEmpty { continue } else { break } }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer.prefix(n)
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when the server has closed the connection (reading finds its end, or a reset).
    func closedByServer() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}

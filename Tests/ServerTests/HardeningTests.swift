import CGAN
import Foundation
import Hummingbird
import HummingbirdTesting
import NN
@testable import Server
import TestSupport
import XCTest

/// `cgan serve` left running among hostile files and clients: nothing a run's files or a request hold may crash
/// it, reach outside a run, or hold up other clients without bound.
final class HardeningTests: XCTestCase {
    override class func setUp() {
        useFastBLASKernel()
        BLASRuntime.setThreadCount(1)
    }

    func server(_ root: String, limits: ServerLimits = ServerLimits(), refresh: TimeInterval = 0) throws -> CGANServer {
        try CGANServer(catalog: RunCatalog(.runs(root), refreshInterval: refresh), dataDirectory: temporaryDirectory(self), limits: limits,
                       classifierCache: temporaryDirectory(self))
    }

    func test(_ server: CGANServer, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: server.makeRouter()).test(.router, body)
    }


    // MARK: Numbers from files

    /// A last row whose epoch no Int can hold (or that is no number) reads as 0 epochs done; nothing traps.
    func testEpochsNoIntegerCanHoldAreReadAsNone() async throws {
        for epoch in ["1e300", "-1e300", "9.3e18", "nan", "inf", "-0.5", "1e308"] {
            let root = try makeRuns(self)
            let run = RunDirectory(root + "/tiny")
            // Columns: step, epoch, d_loss, g_loss, ... (MetricsLog.header); losses too large for any chart.
            try (MetricsLog.header + "\n5,0.5,1e308,-1e308,0.8,0.6,0.0002,0.5,1000,1\n10,\(epoch),1.2,0.9,0.55,0.45,0.0002,0.5,1000,2\n")
                .write(toFile: run.metrics, atomically: true, encoding: .utf8)
            try await test(try server(root)) { client in
                try await client.execute(uri: "/api/runs", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, epoch)
                    let runs = try XCTUnwrap(try responseJSON(r) as? [[String: Any]])
                    XCTAssertEqual(runs.first?["epochsDone"] as? Int, 0, epoch)
                }
                try await client.execute(uri: "/api/runs/tiny/metrics", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, epoch)
                    let m = try XCTUnwrap(try responseJSON(r) as? [String: Any])
                    XCTAssertEqual(m["epochsDone"] as? Int, 0, epoch)
                    let rows = try XCTUnwrap((m["metrics"] as? [String: Any])?["rows"] as? [[Any]])
                    XCTAssertEqual(rows.count, 2, epoch)
                }
                try await client.execute(uri: "/api/runs/tiny/losses.png", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, epoch)
                    XCTAssertEqual(r.headers[.contentType], "image/png")
                }
            }
        }
    }

    func testCountsOnlyFromWholeNumbersAnIntHolds() {
        XCTAssertEqual(UntrustedNumbers.count(3.7), 3)
        XCTAssertEqual(UntrustedNumbers.count(0), 0)
        for bad in [Double.nan, .infinity, -.infinity, -1, 1e300, 9.3e18, Double(Int.max)] { XCTAssertNil(UntrustedNumbers.count(bad), "\(bad)") }
        XCTAssertNil(UntrustedNumbers.plottable(1e300))
        XCTAssertEqual(UntrustedNumbers.plottable(1e-300), 0)
        XCTAssertEqual(UntrustedNumbers.plottable(-2.5), -2.5)
        let images = Matrix(rows: 1, cols: 3, values: [.nan, 0.5, .infinity])
        UntrustedNumbers.clearNaN(images)
        XCTAssertEqual(images.array, [0, 0.5, .infinity])
    }

    // MARK: Files outside a run

    /// Links inside a run, to files outside it, are never read: not as the latest grid, not as metrics or
    /// settings, not as a checkpoint, not through a linked samples folder.
    func testLinksInsideARunAreNotFollowed() async throws {
        let root = try makeRuns(self)
        let run = RunDirectory(root + "/tiny")
        let outside = temporaryDirectory(self)
        let secret = outside + "/secret.png"
        try Data("SECRET-BYTES".utf8).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.createDirectory(atPath: run.samples, withIntermediateDirectories: true)
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: URL(fileURLWithPath: run.sampleGrid(epoch: 1)))
        try FileManager.default.createSymbolicLink(atPath: run.sampleGrid(epoch: 999), withDestinationPath: secret)
        try await test(try server(root)) { client in
            try await client.execute(uri: "/api/runs/tiny/grid.png", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertFalse(String(buffer: r.body).contains("SECRET"), "a linked grid was served")
                XCTAssertEqual(Array(Data(buffer: r.body)), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3], "the newest real grid instead")
            }
        }
        // The samples folder itself a link; metrics.csv a link; the latest checkpoint a link to another run's.
        try FileManager.default.removeItem(atPath: run.samples)
        let elsewhere = outside + "/samples"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try Data("SECRET-BYTES".utf8).write(to: URL(fileURLWithPath: elsewhere + "/epoch-001.png"))
        try FileManager.default.createSymbolicLink(atPath: run.samples, withDestinationPath: elsewhere)
        let secretCSV = outside + "/secret.csv"
        try "step,epoch\n1,12345\n".write(toFile: secretCSV, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: run.metrics)
        try FileManager.default.createSymbolicLink(atPath: run.metrics, withDestinationPath: secretCSV)
        let other = try makeRuns(self) + "/tiny/checkpoints/latest.safetensors"
        try FileManager.default.removeItem(atPath: run.latestCheckpoint)
        try FileManager.default.createSymbolicLink(atPath: run.latestCheckpoint, withDestinationPath: other)
        try await test(try server(root)) { client in
            for uri in ["/api/runs/tiny/grid.png", "/api/runs/tiny/metrics", "/api/runs/tiny/losses.png", "/api/runs"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertFalse(String(buffer: r.body).contains("SECRET"), uri)
                    XCTAssertFalse(String(buffer: r.body).contains("12345"), uri)
                }
            }
            try await client.execute(uri: "/api/runs", method: .get) { r in
                let runs = try XCTUnwrap(try responseJSON(r) as? [[String: Any]])
                XCTAssertEqual(runs.first?["checkpoints"] as? [String], [], "a linked checkpoint is not offered")
            }
            try await client.execute(uri: "/api/generate?label=1&run=tiny", method: .get) { r in
                XCTAssertEqual(r.status, .notFound, "no checkpoint of its own: nothing drawn from the linked one")
            }
        }
    }

    /// The checked open refuses a link at any depth, even one made after the catalogue was read.
    func testRunFilesRefuseLinksAtEveryLevel() throws {
        let root = temporaryDirectory(self), outside = temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: root + "/run/sub", withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: URL(fileURLWithPath: root + "/run/sub/file"))
        try Data("outside".utf8).write(to: URL(fileURLWithPath: outside + "/file"))
        let files = RunFiles(root: root, relative: "run")
        XCTAssertEqual(try files.read(["sub", "file"], limit: 100), Data("inside".utf8))
        XCTAssertThrowsError(try files.read(["sub", "file"], limit: 3), "over the limit")
        XCTAssertThrowsError(try files.read(["sub", "..", "sub", "file"], limit: 100))
        try FileManager.default.createSymbolicLink(atPath: root + "/run/link", withDestinationPath: outside + "/file")
        try FileManager.default.createSymbolicLink(atPath: root + "/run/dir", withDestinationPath: outside)
        XCTAssertThrowsError(try files.read(["link"], limit: 100))
        XCTAssertThrowsError(try files.read(["dir", "file"], limit: 100))
        XCTAssertNil(files.stamp(["link"]))
        XCTAssertEqual(files.list(["dir"]), [])
        XCTAssertThrowsError(try files.read(["sub"], limit: 100), "a directory is not a regular file")
        // The run directory itself replaced by a link after the scan.
        try FileManager.default.moveItem(atPath: root + "/run", toPath: root + "/moved")
        try FileManager.default.createSymbolicLink(atPath: root + "/run", withDestinationPath: root + "/moved")
        XCTAssertThrowsError(try files.read(["sub", "file"], limit: 100))
    }

    // MARK: Names

    /// A run named with a space, %, + and a non-ASCII letter works in path segments and query parameters.
    func testRunNamesWithSpacesPercentPlusAndAccents() async throws {
        let root = try makeRuns(self)
        let name = "my run+100% é"
        try FileManager.default.moveItem(atPath: root + "/tiny", toPath: root + "/" + name)
        try await test(try server(root)) { client in
            try await client.execute(uri: "/api/runs", method: .get) { r in
                XCTAssertEqual((try responseJSON(r) as? [[String: Any]])?.first?["name"] as? String, name)
            }
            try await client.execute(uri: "/api/runs/my%20run%2B100%25%20%C3%A9/metrics", method: .get) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
            }
            // As the page's URLSearchParams writes it: a space is +, a + is %2B.
            try await client.execute(uri: "/api/generate?label=1&count=1&run=my+run%2B100%25+%C3%A9", method: .get) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
            }
            try await client.execute(uri: "/api/generate?label=1&count=1&run=my%20run%2B100%25%20%C3%A9", method: .get) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
            }
        }
    }

    /// A parameter cut short by %00 or given twice is refused, naming it; HEAD answers; the icon is there.
    func testCutOrRepeatedParametersHEADAndIcon() async throws {
        try await test(try server(try makeRuns(self))) { client in
            for (uri, parameter) in [("/api/generate?label=1&truncation=5%00junk", "truncation"), ("/api/generate?label=1&count=1&count=500", "count"),
                                     ("/api/generate?label=1%00", "label"), ("/api/generate?label=1&run=%FF", "run")] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    XCTAssertEqual((try responseJSON(r) as? [String: String])?["parameter"], parameter, uri)
                }
            }
            for uri in ["/", "/api/runs", "/app.js", "/api/runs/tiny/metrics", "/favicon.ico"] {
                try await client.execute(uri: uri, method: .head) { r in
                    XCTAssertEqual(r.status, .ok, uri)
                    XCTAssertEqual(r.body.readableBytes, 0, uri)
                }
            }
            try await client.execute(uri: "/favicon.ico", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "image/png")
                XCTAssertEqual(Array(Data(buffer: r.body).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            }
        }
    }

    // MARK: Bounded work

    /// A metrics log of tens of megabytes answers with a bounded, evenly sampled series that ends in its last row.
    func testAHugeMetricsLogIsSampledNotReadWhole() async throws {
        let root = try makeRuns(self)
        let run = RunDirectory(root + "/tiny")
        var text = MetricsLog.header + "\n"
        let row = ",1.2,0.8,0.6,0.4,0.0002,0.5,1000,1"
        for step in 0..<400_000 { text += "\(step),\(Double(step) / 1000)\(row)\n" }
        text += "400000,400\(row)\n"
        try text.write(toFile: run.metrics, atomically: true, encoding: .utf8)
        var limits = ServerLimits()
        limits.metricsRows = 500
        try await test(try server(root, limits: limits)) { client in
            try await client.execute(uri: "/api/runs/tiny/metrics", method: .get) { r in
                let m = try XCTUnwrap(try responseJSON(r) as? [String: Any])
                let metrics = try XCTUnwrap(m["metrics"] as? [String: Any])
                let rows = try XCTUnwrap(metrics["rows"] as? [[Double]])
                XCTAssertLessThanOrEqual(rows.count, 500)
                XCTAssertGreaterThan(rows.count, 400)
                XCTAssertEqual(metrics["downsampled"] as? Bool, true)
                XCTAssertEqual(rows.first?.first, 0)
                XCTAssertEqual(rows.last?.first, 400_000, "the last row is always there")
                XCTAssertEqual(m["epochsDone"] as? Int, 400)
                let steps = rows.map { $0[0] }
                XCTAssertEqual(steps, steps.sorted(), "in file order")
                XCTAssertGreaterThan(steps[rows.count / 2], 150_000, "spread over the file, not its head")
            }
            try await client.execute(uri: "/api/runs", method: .get) { r in
                XCTAssertEqual((try responseJSON(r) as? [[String: Any]])?.first?["epochsDone"] as? Int, 400)
            }
        }
    }

    func testCSVSampleSkipsAPartlyWrittenLastRowAndOverlongLines() throws {
        let dir = temporaryDirectory(self)
        let long = String(repeating: "9", count: CSVSample.maximumLineLength + 10)
        try "a,b\n1,2\n\(long),3\n4,5\n6,".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let files = RunFiles(root: dir, relative: "")
        let sample = CSVSample(file: try files.openFile(["t.csv"], limit: .max), maximumRows: 100)
        XCTAssertEqual(sample.header, ["a", "b"])
        XCTAssertEqual(sample.rows, [[1, 2], [4, 5]], "6, is a row cut while it was written")
        try "a,b\n1,2\n4,5".write(toFile: dir + "/u.csv", atomically: true, encoding: .utf8)
        XCTAssertEqual(CSVSample(file: try files.openFile(["u.csv"], limit: .max), maximumRows: 100).rows, [[1, 2], [4, 5]],
                       "an unterminated row with every column counts")
    }

    /// The catalogue is scanned once per interval, not per request: a new run appears after the interval.
    func testTheCatalogueIsCachedAndRefreshed() throws {
        let root = try makeRuns(self)
        let catalog = RunCatalog(.runs(root), refreshInterval: 0.3)
        XCTAssertEqual(catalog.entries().map(\.name), ["tiny"])
        try FileManager.default.copyItem(atPath: root + "/tiny", toPath: root + "/second")
        XCTAssertEqual(catalog.entries().map(\.name), ["tiny"], "within the interval: the cached scan")
        let deadline = Date().addingTimeInterval(10)
        while catalog.entries().count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(Set(catalog.entries().map(\.name)), ["tiny", "second"])
    }

    // MARK: Heavy and light routes

    /// While every model worker is busy, cheap routes answer at once, a drawing request past the queue's bound
    /// is refused with 503 and Retry-After, and drawing works again once the workers are free.
    func testBusyModelWorkersShedLoadButNotCheapRoutes() async throws {
        var limits = ServerLimits()
        limits.modelWorkers = 1
        limits.maximumWaiting = 0
        let server = try server(try makeRuns(self), limits: limits)
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        let blocker = Task { try await server.work.run { started.signal(); release.wait() } }
        started.wait()
        try await test(server) { client in
            let start = Date()
            for uri in ["/api/runs", "/api/status", "/api/runs/tiny/metrics", "/"] {
                try await client.execute(uri: uri, method: .get) { r in XCTAssertEqual(r.status, .ok, uri) }
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, "cheap routes did not wait for the model")
            try await client.execute(uri: "/api/generate?label=1", method: .get) { r in
                XCTAssertEqual(r.status, .serviceUnavailable)
                XCTAssertEqual(r.headers[.retryAfter], "1")
            }
            try await client.execute(uri: "/api/status", method: .get) { r in
                let queue = try XCTUnwrap((try responseJSON(r) as? [String: Any])?["queue"] as? [String: Int])
                XCTAssertEqual(queue["running"], 1)
                XCTAssertEqual(queue["workers"], 1)
            }
            release.signal()
            try await blocker.value
            try await client.execute(uri: "/api/generate?label=1&count=2", method: .get) { r in XCTAssertEqual(r.status, .ok) }
        }
    }

    func testTheModelQueueRunsAtMostItsWorkersAndBoundsTheWait() async throws {
        let queue = ModelWorkQueue(workers: 2, maximumWaiting: 3)
        let counter = Counter()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    do {
                        try await queue.run {
                            counter.enter()
                            Thread.sleep(forTimeInterval: 0.2)
                            counter.leave()
                        }
                        return true
                    } catch let error as APIError {
                        XCTAssertEqual(error.status, .serviceUnavailable)
                        return false
                    }
                }
            }
            var done = 0, refused = 0
            for try await ok in group { if ok { done += 1 } else { refused += 1 } }
            XCTAssertGreaterThanOrEqual(done, 5, "two running and three waiting were accepted")
            XCTAssertGreaterThan(refused, 0, "the rest was refused, not queued")
        }
        XCTAssertLessThanOrEqual(counter.most, 2)
    }

    // MARK: Classifier

    func testClassifierProgressEstimatesTheTimeLeft() {
        var clock = Date(timeIntervalSince1970: 0)
        var progress = ClassifierProgress(epochs: 12, now: { clock })
        XCTAssertFalse(progress.training)
        progress.read("training the evaluation classifier for mnist (once; cached in x)")
        XCTAssertTrue(progress.training)
        XCTAssertNil(progress.secondsLeft)
        clock = Date(timeIntervalSince1970: 30)
        progress.read("classifier epoch 3/12: loss 0.1234")
        XCTAssertEqual(progress.epoch, 3)
        XCTAssertEqual(progress.secondsLeft, 90)
        progress.read("classifier epoch 99999999999999999999/12: loss 1")
        XCTAssertEqual(progress.epoch, 3, "a number no Int holds is ignored")
    }

    /// The sample check is prepared at start; /api/status says how far it got, here that the training images
    /// are missing and how to point the server at them.
    func testTheClassifierIsPreparedAtStartAndItsStateReported() async throws {
        let server = try server(try makeRuns(self))
        server.startBackgroundWork()
        let deadline = Date().addingTimeInterval(20)
        while server.inspectors.statuses().first?.state != .unavailable, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        try await test(server) { client in
            try await client.execute(uri: "/api/status", method: .get) { r in
                let body = try XCTUnwrap(try responseJSON(r) as? [String: Any])
                let classifiers = try XCTUnwrap(body["classifiers"] as? [[String: Any]])
                XCTAssertEqual(classifiers.first?["dataset"] as? String, "mnist")
                XCTAssertEqual(classifiers.first?["state"] as? String, "unavailable")
                XCTAssertTrue((classifiers.first?["message"] as? String)?.contains("--data-dir") ?? false)
            }
            try await client.execute(uri: "/api/inspect?label=1", method: .get) { r in
                XCTAssertEqual(r.status, .serviceUnavailable)
                XCTAssertTrue(String(buffer: r.body).contains("--data-dir"))
            }
        }
    }
}

func responseJSON(_ r: TestResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: r.body)) }

/// How many jobs ran at once, at most.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private(set) var most = 0
    func enter() { lock.lock(); now += 1; most = max(most, now); lock.unlock() }
    func leave() { lock.lock(); now -= 1; lock.unlock() }
}

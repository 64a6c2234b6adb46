import CGAN
import Datasets
import Evaluation
import Foundation
import Hummingbird
import HummingbirdTesting
import NN
import Server
import TestSupport
import XCTest

/// A runs directory holding one small untrained mlp run ("tiny") with a latest checkpoint and a short metrics log.
func makeRuns(_ test: XCTestCase, architecture: Architecture = .mlp) throws -> String {
    let root = temporaryDirectory(test)
    let run = RunDirectory(root + "/tiny")
    try FileManager.default.createDirectory(atPath: run.checkpoints, withIntermediateDirectories: true)
    var config = TrainingConfig(architecture: architecture)
    config.optimization.epochs = 3
    let models = GANModels(config: config, classCount: 10)
    try Checkpoint.save(TrainingStep(config: config, models: models, classCount: 10, stepsPerEpoch: 10),
                        position: .init(step: 10, epoch: 1, batch: 0), to: run.latestCheckpoint)
    let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
    try JSONSerialization.data(withJSONObject: ["settings": settings]).write(to: URL(fileURLWithPath: run.config))
    try (MetricsLog.header + "\n5,0.5,1.2,0.8,0.6,0.4,0.0002,0.5,1000,1\n10,1.0,1.1,0.9,0.55,0.45,0.0002,0.5,1000,2\n")
        .write(toFile: run.metrics, atomically: true, encoding: .utf8)
    return root
}

final class RouteTests: XCTestCase {
    override class func setUp() {
        useFastBLASKernel()
        // As `cgan serve` runs: requests (and the inspector's classifier loading) call sgemm from several
        // threads at once, which OpenBLAS's own thread pool does not survive (it deadlocks).
        BLASRuntime.setThreadCount(1)
    }

    func withServer(architecture: Architecture = .mlp, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = try CGANServer(catalog: RunCatalog(.runs(try makeRuns(self, architecture: architecture))), dataDirectory: temporaryDirectory(self))
        try await Application(router: server.makeRouter()).test(.router, test)
    }

    func testPageAndRuns() async throws {
        try await withServer { client in
            try await client.execute(uri: "/", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "text/html; charset=utf-8")
                XCTAssertTrue(String(buffer: r.body).contains("<script src=\"/app.js\">"))
            }
            try await client.execute(uri: "/app.js", method: .get) { r in
                XCTAssertEqual(r.headers[.contentType], "text/javascript; charset=utf-8")
            }
            try await client.execute(uri: "/api/runs", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let runs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
                XCTAssertEqual(runs.count, 1)
                XCTAssertEqual(runs[0]["name"] as? String, "tiny")
                XCTAssertEqual(runs[0]["architecture"] as? String, "mlp")
                XCTAssertEqual(runs[0]["checkpoints"] as? [String], ["latest"])
                XCTAssertEqual(runs[0]["epochsDone"] as? Int, 1)
                XCTAssertEqual(runs[0]["epochs"] as? Int, 3)
            }
            try await client.execute(uri: "/api/runs/tiny/metrics", method: .get) { r in
                let m = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
                let metrics = try XCTUnwrap(m["metrics"] as? [String: Any])
                XCTAssertEqual((metrics["rows"] as? [[Double]])?.count, 2)
                XCTAssertEqual((metrics["columns"] as? [String])?.first, "step")
            }
            try await client.execute(uri: "/api/runs/tiny/losses.png", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "image/png")
            }
        }
    }

    func testImagesAreDeterministicPNGsOfTheAskedSize() async throws {
        try await withServer { client in
            func png(_ uri: String) async throws -> (data: Data, width: Int, height: Int) {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, uri)
                    XCTAssertEqual(r.headers[.contentType], "image/png", uri)
                    let data = Data(buffer: r.body)
                    XCTAssertEqual(Array(data.prefix(4)), [0x89, 0x50, 0x4E, 0x47], uri)
                    // Width and height from the IHDR chunk.
                    func be(_ at: Int) -> Int { data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
                    return (data, be(16), be(20))
                }
            }
            let a = try await png("/api/generate?label=3&count=4&seed=1")
            XCTAssertEqual([a.width, a.height], [4 * 28 + 5 * 2, 28 + 2 * 2])
            let again = try await png("/api/generate?label=3&count=4&seed=1&run=tiny&checkpoint=latest")
            XCTAssertEqual(a.data, again.data, "same parameters, same picture")
            let other = try await png("/api/generate?label=3&count=4&seed=2")
            XCTAssertNotEqual(a.data, other.data)
            let style = try await png("/api/style?rows=3&seed=5")
            XCTAssertEqual([style.width, style.height], [10 * 28 + 11 * 2, 3 * 28 + 4 * 2])
            let explore = try await png("/api/explore?seed=5&a=1.5&b=-3&c=0")
            XCTAssertEqual(explore.width, 10 * 28 + 11 * 2)
            let strip = try await png("/api/interpolate?from=1&to=2&label=1&toLabel=7&steps=6")
            XCTAssertEqual(strip.width, 6 * 28 + 7 * 2)
            try await client.execute(uri: "/api/interpolate?from=1&to=2&label=1&steps=4&format=gif", method: .get) { r in
                XCTAssertEqual(r.headers[.contentType], "image/gif")
                XCTAssertEqual(String(decoding: Data(buffer: r.body).prefix(6), as: UTF8.self), "GIF89a")
            }
            try await client.execute(uri: "/api/generate?label=0&count=100", method: .get) { r in
                XCTAssertNotNil(r.headers[.init("Server-Timing")!])
            }
            // Truncated noise draws other images, the same ones each time, and leaves the pool's generators as
            // they were: the untruncated request afterwards draws exactly what it drew first.
            let truncated = try await png("/api/generate?label=3&count=4&seed=1&truncation=0.5")
            XCTAssertNotEqual(truncated.data, a.data)
            let truncatedAgain = try await png("/api/generate?label=3&count=4&seed=1&truncation=0.5")
            XCTAssertEqual(truncatedAgain.data, truncated.data)
            let plainAgain = try await png("/api/generate?label=3&count=4&seed=1")
            XCTAssertEqual(plainAgain.data, a.data)
            let truncatedStyle = try await png("/api/style?rows=3&seed=5&truncation=1")
            XCTAssertNotEqual(truncatedStyle.data, style.data)
        }
    }

    /// A model trained on uniform noise has no truncation to offer: the request is refused, naming it.
    func testTruncationIsRefusedForUniformNoise() async throws {
        try await withServer(architecture: .paper) { client in
            try await client.execute(uri: "/api/runs", method: .get) { r in
                let runs = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]]
                XCTAssertEqual(runs?.first?["noise"] as? String, "uniform")
            }
            try await client.execute(uri: "/api/generate?label=1&truncation=2", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: String]
                XCTAssertEqual(body?["parameter"], "truncation")
                XCTAssertTrue(body?["error"]?.contains("uniform noise") ?? false, "\(String(describing: body))")
            }
            try await client.execute(uri: "/api/generate?label=1", method: .get) { r in XCTAssertEqual(r.status, .ok) }
        }
    }

    func testBadParametersGetAJSONErrorNamingThem() async throws {
        let cases: [(String, HTTPResponse.Status, String?)] = [
            ("/api/generate", .badRequest, "label"),
            ("/api/generate?label=10", .badRequest, "label"),
            ("/api/generate?label=-1", .badRequest, "label"),
            ("/api/generate?label=abc", .badRequest, "label"),
            ("/api/generate?label=1&count=0", .badRequest, "count"),
            ("/api/generate?label=1&count=101", .badRequest, "count"),
            ("/api/generate?label=1&count=99999999999999999999", .badRequest, "count"),
            ("/api/generate?label=1&seed=-4", .badRequest, "seed"),
            ("/api/generate?label=1&run=nope", .notFound, "run"),
            ("/api/generate?label=1&run=../tiny", .notFound, "run"),
            ("/api/generate?label=1&checkpoint=best", .badRequest, "checkpoint"),
            ("/api/generate?label=1&checkpoint=../../etc/passwd", .badRequest, "checkpoint"),
            ("/api/style?rows=11", .badRequest, "rows"),
            ("/api/explore?a=4", .badRequest, "a"),
            ("/api/explore?b=nan", .badRequest, "b"),
            ("/api/generate?label=1&truncation=0.1", .badRequest, "truncation"),
            ("/api/generate?label=1&truncation=nan", .badRequest, "truncation"),
            ("/api/style?truncation=abc", .badRequest, "truncation"),
            ("/api/interpolate?label=1&truncation=11", .badRequest, "truncation"),
            ("/api/interpolate?label=1&steps=1", .badRequest, "steps"),
            ("/api/interpolate?label=1&toLabel=12", .badRequest, "toLabel"),
            ("/api/interpolate?label=1&format=bmp", .badRequest, "format"),
            ("/api/inspect?label=1&count=500", .badRequest, "count"),
            ("/api/inspect?label=1", .serviceUnavailable, nil),
            ("/api/train-image?index=0", .serviceUnavailable, nil),
            ("/api/runs/nope/metrics", .notFound, "run"),
            ("/api/runs/..%2F..%2Fetc/metrics", .notFound, "run"),
            ("/api/runs/tiny/secret.txt", .notFound, nil),
        ]
        try await withServer { client in
            for (uri, status, parameter) in cases {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, status, uri)
                    XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8", uri)
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: String]
                    XCTAssertNotNil(body?["error"], uri)
                    XCTAssertEqual(body?["parameter"], parameter, uri)
                }
            }
        }
    }

    func testAnEmptyRunsDirectorySaysSo() async throws {
        let server = try CGANServer(catalog: RunCatalog(.runs(temporaryDirectory(self))))
        try await Application(router: server.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/api/runs", method: .get) { XCTAssertEqual(String(buffer: $0.body), "[]") }
            try await client.execute(uri: "/api/generate?label=1", method: .get) { r in
                XCTAssertEqual(r.status, .notFound)
                XCTAssertTrue(String(buffer: r.body).contains("no runs to show yet"))
            }
        }
    }

    /// The memorisation check finds a training image given as a sample, at distance 0.
    func testNearestTrainingImageIsFoundByItsProduct() throws {
        let data = try SyntheticData.load()
        let inspector = SampleInspector(data: data)
        let train = data.trainWithoutValidation
        let picks = [5, 123, train.count - 1]
        let samples = Matrix(rows: picks.count, cols: 784)
        for (r, i) in picks.enumerated() { for j in 0..<784 { samples[r, j] = Float(train.pixels[i * 784 + j]) / 255 } }
        let found = inspector.inspect(samples, labels: picks.map { Int(train.labels[$0]) })
        XCTAssertEqual(found.map(\.nearestIndex), picks)
        XCTAssertEqual(found.map(\.nearestLabel), picks.map { Int(train.labels[$0]) })
        for f in found { XCTAssertEqual(f.nearestDistance, 0, accuracy: 0.05) }
        XCTAssertEqual(inspector.trainingImage(123)?.label, Int(train.labels[123]))
        XCTAssertTrue(found.allSatisfy { $0.confidence == nil }, "no classifier yet: no confidence")
        // With a classifier: its probability of the class asked for, and its own prediction.
        let classifier = ImageClassifier()
        inspector.use(classifier)
        let judged = inspector.inspect(samples, labels: [0, 1, 2])
        let probabilities = classifier.probabilities(samples), predicted = classifier.predict(samples)
        for (r, j) in judged.enumerated() {
            XCTAssertEqual(j.confidence!, Double(probabilities[r, r]), accuracy: 1e-6)
            XCTAssertEqual(j.predicted, predicted[r])
            XCTAssertEqual((0..<10).map { Double(probabilities[r, $0]) }.reduce(0, +), 1, accuracy: 1e-5)
        }
        XCTAssertNil(inspector.trainingImage(train.count))
    }
}

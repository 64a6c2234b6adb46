import CGAN
import Foundation
import Hummingbird
import HummingbirdTesting
import NN
import Server
import TestSupport
import XCTest

/// A runs directory holding one untrained dcgan run ("pets") on 16 x 16 colour images of three named classes,
/// which draws reddish pictures.
func makeColourRuns(_ test: XCTestCase) throws -> String {
    let root = temporaryDirectory(test)
    let run = RunDirectory(root + "/pets")
    try FileManager.default.createDirectory(atPath: run.checkpoints, withIntermediateDirectories: true)
    var config = TrainingConfig(architecture: .dcgan)
    config.model.widthMultiplier = 0.125
    config.data.dataset = DataSettings.imageFolderName
    config.data.imageFolder = "/data/pets"
    config.data.imageSize = 16
    config.data.channels = 3
    config.data.classNames = ["cat", "dog", "fox"]
    let models = GANModels(config: config, classCount: 3)
    // Untrained, G draws grey noise around 0; a red tint on its last layer's bias makes its pictures colour.
    for net in [models.generator, models.averageGenerator].compactMap({ $0 }) {
        let bias = try XCTUnwrap(net.modules(ofType: ConvTranspose2d.self).last, "dcgan's G ends in a ConvTranspose2d").bias.value.pointer
        (bias[0], bias[1], bias[2]) = (3, -3, -3)
    }
    try Checkpoint.save(TrainingStep(config: config, models: models, classCount: 3, stepsPerEpoch: 10),
                        position: .init(step: 10, epoch: 1, batch: 0), to: run.latestCheckpoint)
    let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
    try JSONSerialization.data(withJSONObject: ["settings": settings]).write(to: URL(fileURLWithPath: run.config))
    return root
}

/// `cgan serve` with a run on a folder of colour images: its classes by name, RGB pictures of its size.
final class ColourRunTests: XCTestCase {
    override class func setUp() {
        useFastBLASKernel()
        BLASRuntime.setThreadCount(1)
    }

    func testColourRunsAreServedInColourWithTheirClassNames() async throws {
        let server = try CGANServer(catalog: RunCatalog(.runs(try makeColourRuns(self))), dataDirectory: temporaryDirectory(self))
        try await Application(router: server.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/api/runs", method: .get) { r in
                let runs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
                XCTAssertEqual(runs.first?["classNames"] as? [String], ["cat", "dog", "fox"])
                XCTAssertEqual(runs.first?["image"] as? String, "3x16x16")
            }
            /// Width, height and PNG colour type (2: RGB) from the IHDR chunk.
            func png(_ uri: String) async throws -> [Int] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, uri)
                    let data = Data(buffer: r.body)
                    func be(_ at: Int) -> Int { data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
                    return [be(16), be(20), Int(data[25])]
                }
            }
            let grid = try await png("/api/generate?label=2&count=4&seed=1")
            XCTAssertEqual(grid, [4 * 16 + 5 * 2, 16 + 2 * 2, 2])
            let style = try await png("/api/style?rows=2&seed=1")
            XCTAssertEqual(style, [3 * 16 + 4 * 2, 2 * 16 + 3 * 2, 2])
            let stripShape = try await png("/api/interpolate?from=1&to=2&label=0&toLabel=2&steps=3")
            XCTAssertEqual(stripShape, [3 * 16 + 4 * 2, 16 + 2 * 2, 2])
            try await client.execute(uri: "/api/generate?label=3", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest, "three classes: 0...2")
            }
            // A class by name, as `cgan sample --label` takes it: the same picture as by number.
            func body(_ uri: String) async throws -> Data {
                try await client.execute(uri: uri, method: .get) { r in XCTAssertEqual(r.status, .ok, uri); return Data(buffer: r.body) }
            }
            let byNumber = try await body("/api/generate?label=2&count=4&seed=1")
            let byName = try await body("/api/generate?label=fox&count=4&seed=1")
            XCTAssertEqual(byName, byNumber)
            let byFoldedName = try await body("/api/interpolate?from=1&to=2&label=CAT&toLabel=fox&steps=3")
            let strip = try await body("/api/interpolate?from=1&to=2&label=0&toLabel=2&steps=3")
            XCTAssertEqual(byFoldedName, strip)
            try await client.execute(uri: "/api/generate?label=wolf", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("0...2 or one of the run's class names"), String(buffer: r.body))
            }
            // No classifier exists for an image folder: a lasting refusal that names why, not "busy, retry".
            for uri in ["/api/inspect?label=1", "/api/train-image?index=0"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .unprocessableContent, uri)
                    XCTAssertNil(r.headers[.retryAfter], uri)
                    XCTAssertTrue(String(buffer: r.body).contains("not image folders"), String(buffer: r.body))
                }
            }
        }
    }
}

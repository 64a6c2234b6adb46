import CGAN
import Datasets
import Files
import Foundation
import Hummingbird
import NN

/// The page and JSON/PNG API of `cgan serve` (README, "Explore in the browser", lists the routes).
public struct CGANServer: Sendable {
    public let catalog: RunCatalog
    /// Where the training images are looked up for the nearest-image check (as `--data-dir`).
    public let dataDirectory: String?
    let pool = GeneratorPool()
    let inspectors = InspectorCache()
    let page: [String: (Data, String)]

    /// Most images one request may ask for.
    public static let maximumCount = 100

    public init(catalog: RunCatalog, dataDirectory: String? = nil) throws {
        self.catalog = catalog
        self.dataDirectory = dataDirectory
        var page: [String: (Data, String)] = [:]
        for (file, type) in [("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"),
                             ("style.css", "text/css; charset=utf-8")] {
            guard let url = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Page"),
                  let data = try? Data(contentsOf: url) else {
                throw FileError(file, "the page's file is missing from the program's resources (cgan_Server.resources beside the program)")
            }
            page[file] = (data, type)
        }
        self.page = page
    }

    /// Serves until SIGINT or SIGTERM; `onRunning` gets the bound port (useful with port 0).
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) async throws {
        // Requests are small: one core each, several at once (`GeneratorPool` sets each request thread's
        // OpenMP threads for oneDNN). OpenBLAS's own threads would also deadlock when two requests called
        // sgemm at the same moment (evaluation's dgemm still uses it).
        BLASRuntime.setThreadCount(1)
        let app = Application(router: makeRouter(), configuration: .init(address: .hostname(host, port: port), serverName: "cgan"),
                              onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) })
        try await app.runService()
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        for (file, (data, type)) in page {
            router.get(file == "index.html" ? "/" : "/\(file)") { _, _ in
                Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.get("/api/runs") { _, _ in try json(runs()) }
        router.get("/api/runs/**") { request, context in try runFile(context.parameters.getCatchAll().map(String.init)) }
        router.get("/api/generate") { request, _ in try generate(QueryParameters(request: request)) }
        router.get("/api/style") { request, _ in try style(QueryParameters(request: request)) }
        router.get("/api/explore") { request, _ in try explore(QueryParameters(request: request)) }
        router.get("/api/interpolate") { request, _ in try interpolate(QueryParameters(request: request)) }
        router.get("/api/inspect") { request, _ in try inspect(QueryParameters(request: request)) }
        router.get("/api/train-image") { request, _ in try trainingImage(QueryParameters(request: request)) }
        return router
    }

    // MARK: Runs

    func runs() throws -> [[String: Any]] {
        catalog.entries().map { entry in
            var object: [String: Any] = ["name": entry.name, "checkpoints": entry.checkpoints.keys.sorted(),
                                         "modified": ISO8601DateFormatter().string(from: entry.modified)]
            if let config = config(of: entry) {
                object["architecture"] = config.architecture.rawValue
                object["dataset"] = config.data.dataset
                object["epochs"] = config.optimization.epochs
                object["noise"] = config.model.noise.rawValue
            }
            if let run = entry.directory {
                let done = Self.epochsDone(run)
                object["epochsDone"] = done
                object["training"] = done < (object["epochs"] as? Int ?? 0) && Date().timeIntervalSince(entry.modified) < 300
            }
            return object
        }
    }

    /// The run's settings: config.json's, or the checkpoint's when there is no run directory.
    func config(of entry: RunCatalog.Entry) -> TrainingConfig? {
        if let run = entry.directory {
            guard let data = FileManager.default.contents(atPath: run.config),
                  let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  let settings = document["settings"], let json = try? JSONSerialization.data(withJSONObject: settings) else { return nil }
            return TrainingConfig.decode(json)
        }
        return entry.checkpoint(nil).flatMap { path in try? pool.with(path) { $0.config } }
    }

    static func epochsDone(_ run: RunDirectory) -> Int {
        guard let table = try? CSVTable(path: run.metrics), let last = table.column("epoch").last, last.isFinite else { return 0 }
        return Int(last.rounded(.down))
    }

    func entry(_ name: String?) throws -> RunCatalog.Entry {
        guard let entry = catalog.entry(named: name) else {
            throw name == nil ? APIError(.notFound, "no runs to show yet: train one first (cgan train)")
                              : APIError(.notFound, "no run named \(name!)", parameter: "run")
        }
        return entry
    }

    /// /api/runs/NAME/metrics, /api/runs/NAME/grid.png (the latest sample grid), /api/runs/NAME/losses.png.
    func runFile(_ parts: [String]) throws -> Response {
        guard parts.count >= 2, let file = parts.last else { throw APIError(.notFound, "no such route") }
        let entry = try entry(parts.dropLast().joined(separator: "/"))
        guard let run = entry.directory else { throw APIError(.notFound, "\(entry.name) is a checkpoint file, not a run directory") }
        switch file {
        case "metrics":
            func table(_ path: String) -> [String: Any] {
                guard let t = try? CSVTable(path: path) else { return ["columns": [String](), "rows": [[Double]]()] }
                return ["columns": t.header, "rows": t.rows.map { $0.map { $0.isFinite ? $0 as Any : NSNull() } }]
            }
            var object: [String: Any] = ["metrics": table(run.metrics), "validation": table(run.validation),
                                         "epochsDone": Self.epochsDone(run), "sampleGrids": run.sampleGrids.count]
            if let config = config(of: entry) { object["epochs"] = config.optimization.epochs }
            return try json(object)
        case "grid.png":
            guard let grid = run.sampleGrids.last, let data = FileManager.default.contents(atPath: grid) else {
                throw APIError(.notFound, "\(entry.name) has no sample grid yet")
            }
            return png(data)
        case "losses.png":
            if let data = FileManager.default.contents(atPath: run.lossPlot), Self.epochsDone(run) >= (config(of: entry)?.optimization.epochs ?? .max) {
                return png(data)
            }
            guard let data = try? run.drawLossPlot() else { throw APIError(.notFound, "\(entry.name) has logged no losses yet") }
            return png(data)
        default:
            throw APIError(.notFound, "no such route: \(file)")
        }
    }

    // MARK: Images

    /// The checkpoint a request names (run, checkpoint), with its generator.
    func withGenerator<T>(_ q: QueryParameters, _ body: (ConditionalGenerator) throws -> T) throws -> T {
        let entry = try entry(q.string("run"))
        let kinds = entry.checkpoints.keys.sorted()
        let kind = try q.string("checkpoint").map { _ in try q.choice("checkpoint", kinds, default: "") }
        guard let path = entry.checkpoint(kind) else {
            throw APIError(.notFound, "\(entry.name) has no checkpoint yet", parameter: "run")
        }
        let truncation = try q.string("truncation").map { _ in try q.double("truncation", ConditionalGenerator.truncationRange, default: 0) }
        do {
            return try pool.with(path) { g in
                if let truncation {
                    guard g.allowsTruncation else {
                        throw APIError(.badRequest, "truncation applies to models trained on normal noise; \(entry.name) was trained on \(g.config.model.noise.rawValue) noise",
                                       parameter: "truncation")
                    }
                    g.truncation = truncation
                }
                // The pool's copies serve later requests: leave each as it was loaded.
                defer { g.truncation = nil }
                return try body(g)
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, "cannot read \(entry.name)'s checkpoint: \(error)")
        }
    }

    func label(_ q: QueryParameters, _ name: String, _ g: ConditionalGenerator, default value: Int? = nil) throws -> Int {
        try q.int(name, 0...(g.classCount - 1), default: value)
    }

    /// GET /api/generate?label=7&count=16&seed=3[&run=NAME][&checkpoint=best|latest][&truncation=T]: a PNG grid,
    /// 10 per row. Every image route takes `truncation` (normal-noise models: z drawn from the normal truncated at ±T).
    func generate(_ q: QueryParameters) throws -> Response {
        try withGenerator(q) { g in
            let label = try self.label(q, "label", g), count = try q.int("count", 1...Self.maximumCount, default: 16)
            let seed = try q.seed("seed")
            let start = DispatchTime.now()
            let images = g.generate(label: label, count: count, seed: seed)
            let generated = DispatchTime.now()
            let data = try gridPNG(images, columns: min(count, 10))
            return png(data, timing: [("generate", start, generated), ("encode", generated, DispatchTime.now())])
        }
    }

    /// GET /api/style?rows=5&seed=1: one column per class, one noise vector per row (seeds seed, seed+1, ...).
    func style(_ q: QueryParameters) throws -> Response {
        try withGenerator(q) { g in
            let rows = try q.int("rows", 1...10, default: 5), seed = try q.seed("seed")
            let interpolation = Interpolation(generator: g)
            let z = Matrix(rows: rows * g.classCount, cols: g.config.model.noiseSize)
            var labels: [Int] = []
            for r in 0..<rows {
                let noise = interpolation.noise(seed: seed &+ UInt64(r))
                for c in 0..<g.classCount {
                    for j in 0..<noise.count { z[r * g.classCount + c, j] = noise[j] }
                    labels.append(c)
                }
            }
            return png(try gridPNG(g.generate(noise: z, labels: labels, seed: seed, dropout: false), columns: g.classCount))
        }
    }

    /// GET /api/explore?seed=1&a=0&b=0&c=0: every class at the noise of `seed` moved along three fixed
    /// directions of z by a, b and c (in -3...3, units of the noise's standard deviation).
    func explore(_ q: QueryParameters) throws -> Response {
        try withGenerator(q) { g in
            let seed = try q.seed("seed")
            let steps = try ["a", "b", "c"].map { try q.double($0, -3...3, default: 0) }
            let base = Interpolation(generator: g).noise(seed: seed)
            let spread: Float = g.config.model.noise == .normal ? 1 : (1.0 / 12).squareRoot()
            var noise = base
            for (k, step) in steps.enumerated() {
                let direction = Matrix(rows: 1, cols: base.count)
                RandomGenerator(seed: 9_000 + UInt64(k)).fillNormal(direction)
                let d = direction.array, norm = d.map { $0 * $0 }.reduce(0, +).squareRoot()
                // Along a unit direction, z's component has the spread of one coordinate: step 1 moves it by one
                // standard deviation.
                for j in 0..<noise.count { noise[j] += Float(step) * spread * d[j] / norm }
            }
            let z = Matrix(rows: g.classCount, cols: base.count)
            for c in 0..<g.classCount { for j in 0..<base.count { z[c, j] = noise[j] } }
            return png(try gridPNG(g.generate(noise: z, labels: Array(0..<g.classCount), seed: seed, dropout: false), columns: g.classCount))
        }
    }

    /// GET /api/interpolate?from=1&to=2&label=3[&toLabel=8]&steps=10[&format=png|gif]: a strip or a looping GIF.
    func interpolate(_ q: QueryParameters) throws -> Response {
        try withGenerator(q) { g in
            let from = try q.seed("from", default: 1), to = try q.seed("to", default: 2)
            let label = try self.label(q, "label", g), toLabel = try self.label(q, "toLabel", g, default: label)
            let steps = try q.int("steps", 2...32, default: 10), format = try q.choice("format", ["png", "gif"], default: "png")
            let frames = Interpolation(generator: g).frames(fromSeed: from, toSeed: to, fromLabel: label, toLabel: toLabel, steps: steps)
            if format == "gif" {
                return Response(status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: try Interpolation.gif(frames))))
            }
            let strip = Interpolation.strip(frames)
            return png(try PNGImage.encode(gray: strip.pixels, width: strip.width, height: strip.height))
        }
    }

    // MARK: Trust

    /// GET /api/inspect?label=7&count=16&seed=3: for the samples /api/generate draws with the same parameters,
    /// the classifier's confidence and the nearest training image (index, class, distance).
    func inspect(_ q: QueryParameters) throws -> Response {
        let (images, labels, dataset) = try withGenerator(q) { g in
            let label = try self.label(q, "label", g), count = try q.int("count", 1...Self.maximumCount, default: 16)
            return (g.generate(label: label, count: count, seed: try q.seed("seed")), [Int](repeating: label, count: count), g.config.data.dataset)
        }
        let inspector = try inspectors.inspector(dataset: dataset, directory: dataDirectory)
        let encoder = JSONEncoder()
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(inspector.inspect(images, labels: labels)))))
    }

    /// GET /api/train-image?index=N[&run=NAME]: training image N of the run's data set, as PNG.
    func trainingImage(_ q: QueryParameters) throws -> Response {
        let dataset = config(of: try entry(q.string("run")))?.data.dataset ?? "mnist"
        let inspector = try inspectors.inspector(dataset: dataset, directory: dataDirectory)
        let index = try q.int("index", 0...(inspector.trainingCount - 1))
        let image = inspector.trainingImage(index)!
        return png(try PNGImage.encode(gray: image.pixels, width: 28, height: 28))
    }

    // MARK: Responses

    func gridPNG(_ images: Matrix, columns: Int) throws -> Data {
        let grid = ImageGrid.pixels(images, columns: columns)
        return try PNGImage.encode(gray: grid.pixels, width: grid.width, height: grid.height)
    }

    func png(_ data: Data, timing: [(String, DispatchTime, DispatchTime)] = []) -> Response {
        var headers: HTTPFields = [.contentType: "image/png", .cacheControl: "no-store"]
        if !timing.isEmpty {
            // Server-Timing: how long the model and the encoder took, readable in the browser's tools and by scripts.
            headers[.init("Server-Timing")!] = timing.map { name, start, end in
                String(format: "%@;dur=%.2f", name, Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
            }.joined(separator: ", ")
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func json(_ object: Any) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}


/// One `SampleInspector` per data set, made on first use (it holds the training images).
final class InspectorCache: @unchecked Sendable {
    private let lock = NSLock()
    private var inspectors: [String: SampleInspector] = [:]

    func inspector(dataset: String, directory: String?) throws -> SampleInspector {
        lock.lock()
        defer { lock.unlock() }
        if let i = inspectors[dataset] { return i }
        guard let spec = try? DatasetRegistry.named(dataset) else { throw APIError(.notFound, "unknown data set \(dataset)") }
        let locator = DataLocator(spec: spec, directory: directory)
        guard let found = locator.directoryWithAllFiles(), let data = try? MNISTFamilyDataset.load(spec, from: found) else {
            throw APIError(.serviceUnavailable, "the \(dataset) training images were not found in \(locator.candidates.joined(separator: ", ")); start cgan serve with --data-dir")
        }
        let inspector = SampleInspector(data: data)
        inspector.loadClassifierInBackground()
        inspectors[dataset] = inspector
        return inspector
    }
}

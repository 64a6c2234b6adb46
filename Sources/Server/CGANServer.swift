import CGAN
import Datasets
import Files
import Foundation
import Hummingbird
import HummingbirdCore
import Media
import NIOCore
import NN
import Synchronization

/// The page and JSON/PNG API of `cgan serve` (README, "Explore in the browser", lists the routes).
///
/// Cheap routes (the page, /api/runs, /api/status, a run's metrics and pictures) are answered on the request's
/// own task from the cached catalogue and bounded file reads. Routes that run a model wait for a
/// `ModelWorkQueue` worker, so they cannot hold up the cheap ones, and are refused with 503 past its bound.
public struct CGANServer: Sendable {
    public let catalog: RunCatalog
    /// Where the training images are looked up for the nearest-image check (as `--data-dir`).
    public let dataDirectory: String?
    public let limits: ServerLimits
    let pool: GeneratorPool
    let work: ModelWorkQueue
    let inspectors: Inspectors
    let page: [String: (Data, String)]

    /// Most images one request may ask for.
    public static let maximumCount = 100
    /// Largest sample grid or loss plot file served.
    static let pictureLimit = 16 << 20
    /// The seed of the random direction `k` of z that /api/explore moves along (`k` is 0, 1, 2).
    static let exploreDirectionSeed: UInt64 = 9_000

    public init(catalog: RunCatalog, dataDirectory: String? = nil, limits: ServerLimits = ServerLimits(),
                classifierCache: String? = nil) throws {
        self.catalog = catalog
        self.dataDirectory = dataDirectory
        self.limits = limits
        pool = GeneratorPool(keptCheckpoints: limits.keptCheckpoints)
        work = ModelWorkQueue(workers: limits.modelWorkers, maximumWaiting: limits.maximumWaiting)
        inspectors = classifierCache.map { Inspectors(dataDirectory: dataDirectory, cacheDirectory: $0) }
            ?? Inspectors(dataDirectory: dataDirectory)
        var page: [String: (Data, String)] = [:]
        for (file, type) in [("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"),
                             ("view.js", "text/javascript; charset=utf-8"), ("style.css", "text/css; charset=utf-8")] {
            guard let url = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Page"),
                  let data = try? Data(contentsOf: url) else {
                throw FileError(file, "the page's file is missing from the program's resources (cgan_Server.resources beside the program)")
            }
            page[file] = (data, type)
        }
        page["favicon.ico"] = (try Self.icon(), "image/png")
        self.page = page
    }

    /// Serves until SIGINT or SIGTERM; `onRunning` gets the bound port (useful with port 0).
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) async throws {
        // Requests are small: one core each, several at once (`GeneratorPool` sets each worker's OpenMP threads
        // for oneDNN). OpenBLAS's own threads would also deadlock when two requests called sgemm at the same
        // moment (evaluation's dgemm still uses it).
        BLASRuntime.setThreadCount(1)
        startBackgroundWork()
        let listening = ListeningFlag()
        do {
            try await makeApplication(host: host, port: port) { port in
                listening.set()
                onRunning(port)
            }.runService()
        } catch let error as IOError where !listening.isSet {
            // "Address already in use", not NIO's "bind(descriptor:ptr:bytes:): ... (errno: 98)".
            throw ListenError(description: "\(host):\(port): \(String(cString: strerror(error.errnoCode)).lowercased())")
        }
    }

    /// Scans the runs and starts preparing the sample check of every data set they use (the training images,
    /// then the classifier), so the first "Check these samples" finds them ready.
    public func startBackgroundWork() {
        let datasets = Set(catalog.entries().compactMap { $0.config?.data.dataset })
        inspectors.prepare(datasets.sorted())
    }

    /// The server with its connection limits: `limits.maximumConnections` connections at once, each closed
    /// when a request takes longer than `limits.readTimeout` to arrive or a response `limits.writeTimeout`
    /// to be taken.
    public func makeApplication(host: String = "127.0.0.1", port: Int = 0,
                                onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let limits = limits
        // Seconds as NIO's nanoseconds, kept within a millisecond and a day (Int64(Double) traps outside its range).
        func amount(_ seconds: Double) -> TimeAmount {
            .nanoseconds(Int64((seconds.isFinite ? Swift.min(Swift.max(seconds, 0.001), 86_400) : 10) * 1e9))
        }
        let read = amount(limits.readTimeout), write = amount(limits.writeTimeout)
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(readTimeout: read, writeTimeout: write)],
                                                idleTimeout: read)),
            configuration: .init(address: .hostname(host, port: port), serverName: "cgan",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections)),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) })
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        // HEAD answers as GET would, without the body.
        let router = Router(options: .autoGenerateHeadEndpoints)
        for (file, (data, type)) in page {
            router.get(file == "index.html" ? "/" : "/\(file)") { _, _ in
                Response(status: .ok, headers: [.contentType: type, .cacheControl: file == "favicon.ico" ? "max-age=86400" : "no-cache"],
                         body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.get("/api/runs") { _, _ in try JSONResponse.make(runs()) }
        router.get("/api/status") { _, _ in try JSONResponse.make(status()) }
        router.get("/api/runs/**") { _, context in try runFile(context.parameters.getCatchAll().map(String.init)) }
        router.get("/api/generate") { request, _ in try await generate(QueryParameters(request: request)) }
        router.get("/api/style") { request, _ in try await style(QueryParameters(request: request)) }
        router.get("/api/explore") { request, _ in try await explore(QueryParameters(request: request)) }
        router.get("/api/interpolate") { request, _ in try await interpolate(QueryParameters(request: request)) }
        router.get("/api/inspect") { request, _ in try await inspect(QueryParameters(request: request)) }
        router.get("/api/train-image") { request, _ in try trainingImage(QueryParameters(request: request)) }
        return router
    }

    // MARK: Runs

    func runs() -> [RunSummary] {
        let formatter = ISO8601DateFormatter()
        return catalog.entries().map { entry in
            let config = entry.config
            let training = entry.epochsDone.map { done in
                done < (config?.optimization.epochs ?? 0) && Date().timeIntervalSince(entry.modified) < 300
            }
            return RunSummary(name: entry.name, checkpoints: entry.checkpoints.keys.sorted(), modified: formatter.string(from: entry.modified),
                              architecture: config?.architecture.rawValue, dataset: config?.data.dataset, epochs: config?.optimization.epochs,
                              noise: config?.model.noise.rawValue, classNames: config?.classNames(),
                              image: config.map { "\($0.data.channels)x\($0.data.imageSize)x\($0.data.imageSize)" },
                              epochsDone: entry.epochsDone, training: training)
        }
    }

    func status() -> ServerStatus {
        let load = work.load
        return ServerStatus(queue: .init(workers: work.workers, running: load.running, waiting: load.waiting, maximumWaiting: work.maximumWaiting),
                            classifiers: inspectors.statuses())
    }

    func entry(_ name: String?) throws -> RunCatalog.Entry {
        guard let entry = catalog.entry(named: name) else {
            throw name == nil ? APIError(.notFound, "no runs to show yet: train one first (cgan train)")
                              : APIError(.notFound, "no run named \(name!.prefix(200))", parameter: "run")
        }
        return entry
    }

    /// /api/runs/NAME/metrics, /api/runs/NAME/grid.png (the latest sample grid), /api/runs/NAME/losses.png.
    /// NAME's path segments are percent-decoded (the page encodes each with encodeURIComponent).
    func runFile(_ parts: [String]) throws -> Response {
        guard parts.count >= 2, let file = parts.last else { throw APIError(.notFound, "no such route") }
        let segments = parts.dropLast().map { $0.removingPercentEncoding }
        guard segments.allSatisfy({ $0 != nil }) else { throw APIError(.notFound, "the run name is not valid percent-encoded UTF-8", parameter: "run") }
        let entry = try entry(segments.map { $0! }.joined(separator: "/"))
        guard let run = entry.directory, let files = entry.files else {
            throw APIError(.notFound, "\(entry.name) is a checkpoint file, not a run directory")
        }
        func sample(_ path: String, rows: Int) -> CSVSample? {
            (try? files.openFile(files.relative(path, in: run), limit: .max)).map { CSVSample(file: $0, maximumRows: rows) }
        }
        switch file {
        case "metrics":
            let metrics = sample(run.metrics, rows: limits.metricsRows)
            let grids = Self.sampleGrids(files, run)
            return try JSONResponse.make(RunMetrics(
                metrics: CSVTableBody(metrics), validation: CSVTableBody(sample(run.validation, rows: limits.metricsRows)),
                epochsDone: metrics?.column("epoch").last.flatMap(UntrustedNumbers.count) ?? 0, sampleGrids: grids.count,
                epochs: entry.config?.optimization.epochs))
        case "grid.png":
            // The newest grid that is a regular file of the run (a link in its place is skipped).
            for name in Self.sampleGrids(files, run).reversed().prefix(3) {
                if let data = try? files.read(files.relative(run.samples, in: run) + [name], limit: Self.pictureLimit) { return png(data) }
            }
            throw APIError(.notFound, "\(entry.name) has no sample grid yet")
        case "losses.png":
            let metrics = sample(run.metrics, rows: limits.metricsRows)
            let done = metrics?.column("epoch").last.flatMap(UntrustedNumbers.count) ?? 0
            if done >= (entry.config?.optimization.epochs ?? .max),
               let data = try? files.read(files.relative(run.lossPlot, in: run), limit: Self.pictureLimit) {
                return png(data)
            }
            guard let metrics, let data = try Self.lossPlot(metrics) else { throw APIError(.notFound, "\(entry.name) has logged no losses yet") }
            return png(data)
        default:
            throw APIError(.notFound, "no such route: \(file.prefix(100))")
        }
    }

    /// The names of the run's sample grids (samples/epoch-NNN.png), in epoch order.
    static func sampleGrids(_ files: RunFiles, _ run: RunDirectory) -> [String] {
        let prefix = URL(fileURLWithPath: run.sampleGrid(epoch: 0)).lastPathComponent.prefix { !$0.isNumber }
        return files.list(files.relative(run.samples, in: run)).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".png") }.sorted()
    }

    /// D's and G's losses, D(x) and D(G(z)) against epochs, as `RunDirectory.drawLossPlot` draws them, from
    /// values a chart can place (others are left out); nil before the first row.
    static func lossPlot(_ metrics: CSVSample) throws -> Data? {
        let epochs = metrics.column("epoch")
        guard !epochs.isEmpty else { return nil }
        let series = ["d_loss", "g_loss", "d_real", "d_fake"].map { name in
            LinePlot.Series(zip(epochs, metrics.column(name)).compactMap { x, y in
                guard let x = UntrustedNumbers.plottable(x), let y = UntrustedNumbers.plottable(y) else { return nil }
                return (x: x, y: y)
            })
        }
        return try LinePlot(series: series).png()
    }

    // MARK: Images

    /// Runs `body` on a model worker with a generator of the checkpoint a request names (run, checkpoint,
    /// truncation). The run and checkpoint are looked up before the request waits for a worker.
    func drawing(_ q: QueryParameters, _ body: @escaping @Sendable (ConditionalGenerator) throws -> Response) async throws -> Response {
        let entry = try entry(q.string("run"))
        let kinds = entry.checkpoints.keys.sorted()
        let kind = try q.string("checkpoint").map { _ in try q.choice("checkpoint", kinds, default: "") }
        guard let path = entry.checkpoint(kind) else {
            throw APIError(.notFound, "\(entry.name) has no checkpoint yet", parameter: "run")
        }
        let truncation = try q.string("truncation").map { _ in try q.double("truncation", ConditionalGenerator.truncationRange, default: 0) }
        let pool = pool
        return try await work.run {
            do {
                return try pool.with(path, of: entry) { g in
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
            } catch let error as RunFileError {
                throw APIError(.notFound, "\(entry.name)'s checkpoint \(error)", parameter: "checkpoint")
            } catch {
                throw APIError(.internalServerError, "cannot read \(entry.name)'s checkpoint: \(error)")
            }
        }
    }

    /// A class, a number or a name, read as `ConditionalGenerator.label(named:)` reads it.
    static func label(_ q: QueryParameters, _ name: String, _ g: ConditionalGenerator, default value: Int? = nil) throws -> Int {
        let range = 0...(g.classCount - 1)
        guard let text = q.string(name) else { return try q.int(name, range, default: value) }
        if let label = g.label(named: text) { return label }
        throw APIError(.badRequest, "\(name) must be a class number in \(range.lowerBound)...\(range.upperBound)"
                       + (g.hasClassNames ? " or one of the run's class names" : ""), parameter: name)
    }

    /// GET /api/generate?label=7&count=16&seed=3[&run=NAME][&checkpoint=best|latest][&truncation=T]: a PNG grid,
    /// 10 per row. Every image route takes `truncation` (normal-noise models: z drawn from the normal truncated at ±T).
    func generate(_ q: QueryParameters) async throws -> Response {
        let count = try q.int("count", 1...Self.maximumCount, default: 16), seed = try q.seed("seed")
        return try await drawing(q) { g in
            let label = try Self.label(q, "label", g)
            let start = DispatchTime.now()
            let images = g.generate(label: label, count: count, seed: seed)
            let generated = DispatchTime.now()
            let data = try Self.gridPNG(images, columns: min(count, 10), channels: g.config.data.channels)
            return Self.png(data, timing: [("generate", start, generated), ("encode", generated, DispatchTime.now())])
        }
    }

    /// GET /api/style?rows=5&seed=1: one column per class, one noise vector per row (seeds seed, seed+1, ...).
    func style(_ q: QueryParameters) async throws -> Response {
        let rows = try q.int("rows", 1...10, default: 5), seed = try q.seed("seed")
        return try await drawing(q) { g in
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
            return Self.png(try Self.gridPNG(g.generate(noise: z, labels: labels, seed: seed, dropout: false), columns: g.classCount,
                                           channels: g.config.data.channels))
        }
    }

    /// GET /api/explore?seed=1&a=0&b=0&c=0: every class at the noise of `seed` moved along three fixed
    /// directions of z by a, b and c (in -3...3, units of the noise's standard deviation).
    func explore(_ q: QueryParameters) async throws -> Response {
        let seed = try q.seed("seed")
        let steps = try ["a", "b", "c"].map { try q.double($0, -3...3, default: 0) }
        return try await drawing(q) { g in
            let base = Interpolation(generator: g).noise(seed: seed)
            let spread: Float = g.config.model.noise == .normal ? 1 : (1.0 / 12).squareRoot()
            var noise = base
            for (k, step) in steps.enumerated() {
                let direction = Matrix(rows: 1, cols: base.count)
                RandomGenerator(seed: Self.exploreDirectionSeed + UInt64(k)).fillNormal(direction)
                let d = direction.array, norm = d.map { $0 * $0 }.reduce(0, +).squareRoot()
                // Along a unit direction, z's component has the spread of one coordinate: step 1 moves it by one
                // standard deviation.
                for j in 0..<noise.count { noise[j] += Float(step) * spread * d[j] / norm }
            }
            let z = Matrix(rows: g.classCount, cols: base.count)
            for c in 0..<g.classCount { for j in 0..<base.count { z[c, j] = noise[j] } }
            return Self.png(try Self.gridPNG(g.generate(noise: z, labels: Array(0..<g.classCount), seed: seed, dropout: false), columns: g.classCount,
                                           channels: g.config.data.channels))
        }
    }

    /// GET /api/interpolate?from=1&to=2&label=3[&toLabel=8]&steps=10[&format=png|gif]: a strip or a looping GIF.
    func interpolate(_ q: QueryParameters) async throws -> Response {
        let from = try q.seed("from", default: 1), to = try q.seed("to", default: 2)
        let steps = try q.int("steps", 2...32, default: 10), format = try q.choice("format", ["png", "gif"], default: "png")
        return try await drawing(q) { g in
            let label = try Self.label(q, "label", g), toLabel = try Self.label(q, "toLabel", g, default: label)
            let frames = Interpolation(generator: g).frames(fromSeed: from, toSeed: to, fromLabel: label, toLabel: toLabel, steps: steps)
            UntrustedNumbers.clearNaN(frames)
            if format == "gif" {
                return Response(status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: try Interpolation.gif(frames, channels: g.config.data.channels))))
            }
            return Self.png(try Interpolation.stripPNG(frames, channels: g.config.data.channels))
        }
    }

    // MARK: Trust

    /// GET /api/inspect?label=7&count=16&seed=3: for the samples /api/generate draws with the same parameters,
    /// the classifier's confidence and the nearest training image (index, class, distance). 503 while the
    /// training images load; confidences are null until the classifier is ready (GET /api/status says when).
    func inspect(_ q: QueryParameters) async throws -> Response {
        let count = try q.int("count", 1...Self.maximumCount, default: 16), seed = try q.seed("seed")
        // Refused before waiting for a worker while the run's training images load.
        if let dataset = try entry(q.string("run")).config?.data.dataset { _ = try inspectors.inspector(dataset: dataset) }
        let inspectors = inspectors
        return try await drawing(q) { g in
            let inspector = try inspectors.inspector(dataset: g.config.data.dataset)
            let label = try Self.label(q, "label", g)
            let images = g.generate(label: label, count: count, seed: seed)
            UntrustedNumbers.clearNaN(images)
            return try JSONResponse.make(inspector.inspect(images, labels: [Int](repeating: label, count: count)))
        }
    }

    /// GET /api/train-image?index=N[&run=NAME]: training image N of the run's data set, as PNG.
    func trainingImage(_ q: QueryParameters) throws -> Response {
        let dataset = try entry(q.string("run")).config?.data.dataset ?? "mnist"
        let inspector = try inspectors.inspector(dataset: dataset)
        let index = try q.int("index", 0...max(0, inspector.trainingCount - 1))
        guard let image = inspector.trainingImage(index) else { throw APIError(.notFound, "no training image \(index)", parameter: "index") }
        let side = UntrustedNumbers.count(Double(image.pixels.count).squareRoot()) ?? 0
        return Self.png(try PNGImage.encode(gray: image.pixels, width: side, height: side))
    }

    // MARK: Responses

    /// A grid of grey images, or of colour ones (an RGB PNG) for `channels` 3.
    static func gridPNG(_ images: Matrix, columns: Int, channels: Int = 1) throws -> Data {
        UntrustedNumbers.clearNaN(images)
        let grid = ImageGrid.pixels(images, columns: columns, channels: channels)
        return channels == 3 ? try PNGImage.encode(rgb: grid.pixels, width: grid.width, height: grid.height)
            : try PNGImage.encode(gray: grid.pixels, width: grid.width, height: grid.height)
    }

    static func png(_ data: Data, timing: [(String, DispatchTime, DispatchTime)] = []) -> Response {
        var headers: HTTPFields = [.contentType: "image/png", .cacheControl: "no-store"]
        if !timing.isEmpty {
            // Server-Timing: how long the model and the encoder took, readable in the browser's tools and by scripts.
            headers[.init("Server-Timing")!] = timing.map { name, start, end in
                String(format: "%@;dur=%.2f", name, Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
            }.joined(separator: ", ")
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func png(_ data: Data) -> Response { Self.png(data) }

    /// The tab's icon: a light ring on black, like a drawn zero.
    static func icon() throws -> Data {
        let side = 32
        let pixels = (0..<side * side).map { i -> UInt8 in
            let x = Double(i % side) - 15.5, y = (Double(i / side) - 15.5) * 0.8
            return abs((x * x + y * y).squareRoot() - 10) < 3 ? 235 : 0
        }
        return try PNGImage.encode(gray: pixels, width: side, height: side)
    }
}

/// Why the server could not listen where it was asked to: the address and the system's reason, in one line.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// Whether the server got as far as listening: an I/O error before that is a `ListenError`.
private final class ListeningFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

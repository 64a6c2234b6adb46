import ArgumentParser
import CGAN
import Foundation
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Explore trained generators and watch training runs in the browser.",
        discussion: """
        Serves one page and its HTTP API (README, "Explore in the browser"): pick a run and checkpoint, draw a class, \
        see style and class apart, move through z, interpolate (and download a GIF), check samples against the \
        classifier and the nearest training image, and follow a run's losses while cgan train writes it. \
        Only the runs under --runs (or the one --checkpoint) can be chosen; nothing else on disk is reachable \
        (symbolic links inside a run are not followed). The sample check's classifier is prepared in the \
        background at start; cgan classifier train --dataset NAME builds it beforehand.
        """)

    @Option(help: "Directory whose run directories (those holding config.json, up to 4 levels down) are served.")
    var runs = "runs"

    @Option(help: "Serve this one checkpoint file instead of --runs.")
    var checkpoint: String?

    @Option(help: "Address to listen on; loopback by default, so nothing outside this machine can connect.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Directory of the training images, for the nearest-image check (default: as for cgan train).")
    var dataDir: String?

    @Option(help: "Seconds a client has to send a whole request (slow and idle connections are closed after it).")
    var requestTimeout: Double = ServerLimits().readTimeout

    @Option(help: "Connections served at once; more clients wait until one closes.")
    var maxConnections = ServerLimits().maximumConnections

    @Option(help: "Drawing requests that may wait for a free core; past that the server answers 503 (busy, retry).")
    var maxWaiting = ServerLimits().maximumWaiting

    func validate() throws {
        if !(0...65_535).contains(port) { throw CommandError("--port must be in 0...65535") }
        if !(requestTimeout.isFinite && (0.5...3_600).contains(requestTimeout)) { throw CommandError("--request-timeout must be in 0.5...3600 seconds") }
        if !(1...100_000).contains(maxConnections) { throw CommandError("--max-connections must be in 1...100000") }
        if !(0...10_000).contains(maxWaiting) { throw CommandError("--max-waiting must be in 0...10000") }
        if let checkpoint {
            try CheckpointPath.require(checkpoint)
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: runs, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandError("--runs \(runs) is not a directory (train a run first: cgan train --out \(runs)/NAME)")
            }
        }
    }

    func run() async throws {
        if let checkpoint { _ = try Checkpoint(path: checkpoint) }  // refuse a broken file now, not at the first request
        var limits = ServerLimits()
        limits.readTimeout = requestTimeout
        limits.maximumConnections = maxConnections
        limits.maximumWaiting = maxWaiting
        let server = try CGANServer(catalog: RunCatalog(checkpoint.map { .checkpoint($0) } ?? .runs(runs)), dataDirectory: dataDir,
                                    limits: limits)
        let host = host
        do {
            try await server.run(host: host, port: port) { port in
                ProgressBar.printLine("serving http://\(host):\(port)/ (Ctrl-C stops)")
            }
        } catch {
            throw CommandError("cannot serve on \((error as? ListenError)?.description ?? "\(host):\(port): \(error)")")
        }
    }
}

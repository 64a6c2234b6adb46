import Files
import Foundation
import Media

/// The files of one run: config.json, metrics.csv, samples/epoch-NNN.png, checkpoints/.
public struct RunDirectory: Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var config: String { path + "/config.json" }
    public var metrics: String { path + "/metrics.csv" }
    public var samples: String { path + "/samples" }
    public var checkpoints: String { path + "/checkpoints" }
    public var latestCheckpoint: String { checkpoints + "/latest.safetensors" }
    public var bestCheckpoint: String { checkpoints + "/best.safetensors" }
    /// The checkpoint kept after `epoch` (`cgan train --keep-every`).
    public func epochCheckpoint(_ epoch: Int) -> String { checkpoints + String(format: "/epoch-%03d.safetensors", epoch) }
    public var evaluation: String { path + "/evaluation.json" }
    public func sampleGrid(epoch: Int) -> String { samples + String(format: "/epoch-%03d.png", epoch) }
    /// D's and G's losses, D(x) and D(G(z)) over the run, drawn when training ends.
    public var lossPlot: String { path + "/losses.png" }
    public var validation: String { path + "/validation.csv" }
    /// Label accuracy and FID after epochs of training (`TrainingRun.trackQuality`).
    public var quality: String { path + "/quality.csv" }
    /// Where training stopped on a non-finite loss (`Divergence`); absent for a run that did not diverge.
    public var divergence: String { path + "/diverged.json" }
    /// Every sample grid of the run as one animated GIF.
    public var progressAnimation: String { samples + "/progress.gif" }

    /// The sample grids written so far, in epoch order.
    public var sampleGrids: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? []
        return names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".png") }.sorted().map { samples + "/" + $0 }
    }

    /// The plot of `lossPlot` from metrics.csv: D loss, G loss, D(x), D(G(z)) against epochs, in
    /// `LinePlot.colorNames` order (blue, orange, green, red). Nil before the first logged row.
    public func drawLossPlot() throws -> Data? {
        let table = try CSVTable(path: metrics)
        let epochs = table.column("epoch")
        guard !epochs.isEmpty else { return nil }
        let series = ["d_loss", "g_loss", "d_real", "d_fake"].map { name in
            LinePlot.Series(Array(zip(epochs, table.column(name))).map { (x: $0.0, y: $0.1) })
        }
        return try LinePlot(series: series).png()
    }

    /// True when a run has already written its config here.
    public var holdsARun: Bool { FileManager.default.fileExists(atPath: config) }

    /// Why checkpoints/latest.safetensors cannot be read though it is there: a symbolic link to nothing; nil otherwise.
    /// (Such a run is neither archived nor restartable: the link says a checkpoint should be there.)
    public var brokenCheckpointLink: String? {
        DanglingLink.problem(at: latestCheckpoint).map { $0 + ": restore that checkpoint, or remove the link to start the run again" }
    }

    /// The files a run writes, besides config.json.
    var runFiles: [String] { [metrics, validation, quality, samples, checkpoints, evaluation, lossPlot, divergence] }

    /// True when any file a run writes is here.
    public var holdsRunFiles: Bool { runFiles.contains { FileManager.default.fileExists(atPath: $0) } }

    /// The largest config.json and evaluation.json read (each is a few kilobytes).
    public static let configLimit = 1 << 20, evaluationLimit = 16 << 20

    /// The settings config.json holds, if it is readable.
    public var storedConfig: TrainingConfig? {
        RegularFile.contents(atPath: config, limit: Self.configLimit).flatMap(TrainingConfig.decode(configFile:))
    }

    /// The architecture config.json names, if it is readable.
    public var storedArchitecture: String? {
        guard let data = RegularFile.contents(atPath: config, limit: Self.configLimit),
              let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let settings = document["settings"] as? [String: Any] else { return nil }
        return settings["architecture"] as? String
    }

    /// Why `path` cannot hold a run: it is empty, or it is the root directory (a run there would spread
    /// its files over /); nil when it can.
    public var locationProblem: String? {
        Self.locationProblem(path)
    }

    /// Why `path` cannot be an output directory (see `locationProblem`); nil when it can.
    public static func locationProblem(_ path: String) -> String? {
        if path.trimmingCharacters(in: .whitespaces).isEmpty { return "the output directory is empty; give one, e.g. --out runs/mine" }
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let absolute = realpath(path, &resolved) != nil ? String(cString: resolved)
            : URL(fileURLWithPath: path).standardizedFileURL.path
        if absolute == "/" { return "\(path) is the root directory; give a directory of its own, e.g. --out runs/mine" }
        return nil
    }

    /// What a run holds that starting it again would delete, as short phrases ("best.safetensors",
    /// "3 sample grids"); empty when it holds nothing worth keeping (a run stopped in its first epoch).
    public var workToKeep: [String] {
        var kept: [String] = []
        let checkpointNames = ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        kept += checkpointNames
        let grids = sampleGrids.count
        if grids > 0 { kept.append(grids == 1 ? "1 sample grid" : "\(grids) sample grids") }
        if let epochs = try? CSVTable(path: metrics).column("epoch").filter(\.isFinite), let last = epochs.max(), last > 1 {
            kept.append("metrics.csv up to epoch \(String(format: "%.2f", last))")
        }
        // losses.png and progress.gif are drawn from these, so they are not counted on their own.
        for (file, name) in [(validation, "validation.csv"), (quality, "quality.csv"), (evaluation, "evaluation.json")] where FileManager.default.fileExists(atPath: file) {
            kept.append(name)
        }
        return kept
    }

    /// Drops the rows of the per-epoch table `csv` (first column: epoch) after `epoch`: rows written after
    /// the checkpoint being resumed belong to epochs that will run again.
    func dropRows(of csv: String, after epoch: Int) throws {
        guard FileManager.default.fileExists(atPath: csv) else { return }
        let lines = CSVTable.lines(ofFileAt: csv)
        let kept = lines.prefix(1) + lines.dropFirst().filter { Int($0.prefix { $0 != "," }).map { $0 <= epoch } ?? false }
        try AtomicFile.write(kept.joined(separator: "\n") + "\n", to: csv)
    }

    /// Appends `row` to the per-epoch table `csv`, writing `header` first into a new one; the whole file is
    /// rewritten atomically, so a crash leaves the old table or the new one.
    func appendRow(_ row: String, header: String, to csv: String) throws {
        // A table begun by an older version under another header gets this one; rows (a first field that is an
        // epoch) stay as they were, anything else goes. Old rows line up only while columns are added at the end.
        let earlier = CSVTable.lines(ofFileAt: csv).filter { Int($0.prefix { $0 != "," }) != nil }.map(String.init)
        try AtomicFile.write(([header] + earlier + [row]).joined(separator: "\n") + "\n", to: csv)
    }

    /// Removes a run's files and config.json (a run that never saved a checkpoint, before it starts again).
    func removeRunFiles() throws {
        try removeDivergenceRecord()  // first: a folder of that name is refused before anything goes
        for file in runFiles + [config] where file != divergence && FileManager.default.fileExists(atPath: file) {
            try FileManager.default.removeItem(atPath: file)
        }
    }

    /// True when something is at diverged.json (a link to nothing and a FIFO count; `Divergence(in:)` reads it).
    public var holdsDivergenceRecord: Bool {
        var info = stat()
        return lstat(divergence, &info) == 0
    }

    /// Removes diverged.json, a file or a link (not what the link names); a folder of that name is refused, not emptied.
    func removeDivergenceRecord() throws {
        var info = stat()
        guard lstat(divergence, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR { throw FileError(divergence, "is a folder, not the record of a divergence; move it away") }
        try FileManager.default.removeItem(atPath: divergence)
    }
}

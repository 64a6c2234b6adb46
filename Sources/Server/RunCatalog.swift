import CGAN
import Foundation
import NN

/// The runs a server may show: run directories found under `--runs`, or the one `--checkpoint` file.
/// Requests name runs and checkpoints only by these names, so no path from a request reaches the file system.
///
/// The catalogue is kept in memory and rescanned at most every `refreshInterval` seconds, in the background
/// while requests are answered from the last scan; a run's settings and progress are read again only when
/// its files change. A request therefore costs the same with 3 runs or 300.
public final class RunCatalog: @unchecked Sendable {
    /// One run, the checkpoints it has by kind ("best", "latest"), and what its files say about it.
    public struct Entry: Sendable {
        public let name: String
        public let directory: RunDirectory?
        public let checkpoints: [String: String]
        public let modified: Date
        /// The run's settings: config.json's, or the checkpoint's for a checkpoint file.
        public let config: TrainingConfig?
        /// Whole epochs metrics.csv has logged (nil for a checkpoint file).
        public let epochsDone: Int?
        /// Reads the run's own files only; nil for a checkpoint file.
        let files: RunFiles?

        /// The checkpoint of `kind`; nil kind: best, else latest.
        public func checkpoint(_ kind: String?) -> String? {
            if let kind { return checkpoints[kind] }
            return checkpoints["best"] ?? checkpoints["latest"] ?? checkpoints.values.first
        }
    }

    public enum Source: Sendable {
        case runs(String)
        case checkpoint(String)
    }

    public let source: Source
    /// Longest time a new or changed run stays unseen (0: every request rescans, for tests).
    public let refreshInterval: TimeInterval
    /// Run directories are looked for this many levels below `--runs` (runs/NAME, experiments/E/VARIANT/seed-N).
    static let searchDepth = 4
    /// Most runs listed; a deeper tree is cut off (most recently written kept).
    static let maximumRuns = 2_000
    static let configLimit = RunDirectory.configLimit

    private struct Summary {
        let stamps: [FileStamp?]
        let config: TrainingConfig?
        let epochsDone: Int?
    }

    private let lock = NSLock()
    private var snapshot: (time: Date, entries: [Entry])?
    private var refreshing = false
    private var summaries: [String: Summary] = [:]

    public init(_ source: Source, refreshInterval: TimeInterval = 2) {
        self.source = source
        self.refreshInterval = refreshInterval
    }

    /// Every run, most recently written first, as of the last scan.
    public func entries() -> [Entry] {
        lock.lock()
        let current = snapshot
        let stale = current.map { Date().timeIntervalSince($0.time) >= refreshInterval } ?? true
        let startRefresh = stale && !refreshing && current != nil && refreshInterval > 0
        if startRefresh { refreshing = true }
        lock.unlock()
        guard let current, refreshInterval > 0 else { return scan() }
        if startRefresh {
            Thread.detachNewThread { [self] in _ = scan() }
        }
        return current.entries
    }

    /// The run called `name`, or the most recently written one when `name` is nil.
    public func entry(named name: String?) -> Entry? {
        let all = entries()
        guard let name else { return all.first }
        return all.first { $0.name == name }
    }

    /// Scans now, keeps the result for later requests and returns it.
    @discardableResult
    func scan() -> [Entry] {
        let entries: [Entry]
        switch source {
        case .checkpoint(let path):
            entries = [checkpointEntry(path)]
        case .runs(let root):
            entries = Self.runDirectories(under: root, depth: Self.searchDepth).map { runEntry(root: root, relative: $0) }
                .sorted { $0.modified > $1.modified }
        }
        lock.lock()
        snapshot = (Date(), Array(entries.prefix(Self.maximumRuns)))
        refreshing = false
        let names = Set(entries.map(\.name))
        summaries = summaries.filter { names.contains($0.key) }
        lock.unlock()
        return entries
    }

    private func cachedSummary(_ name: String, stamps: [FileStamp?], make: () -> Summary) -> Summary {
        lock.lock()
        let cached = summaries[name]
        lock.unlock()
        if let cached, cached.stamps == stamps { return cached }
        let summary = make()
        lock.lock()
        summaries[name] = summary
        lock.unlock()
        return summary
    }

    private func checkpointEntry(_ path: String) -> Entry {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let stamp = Self.stamp(path)
        let summary = cachedSummary(name, stamps: [stamp]) {
            Summary(stamps: [stamp], config: try? Checkpoint(path: path).config, epochsDone: nil)
        }
        return Entry(name: name, directory: nil, checkpoints: ["file": path], modified: stamp?.modified ?? .distantPast,
                     config: summary.config, epochsDone: nil, files: nil)
    }

    private func runEntry(root: String, relative: String) -> Entry {
        let run = RunDirectory(root + "/" + relative)
        let files = RunFiles(root: root, relative: relative)
        var checkpoints: [String: String] = [:]
        for (kind, path) in [("best", run.bestCheckpoint), ("latest", run.latestCheckpoint)]
        where files.stamp(files.relative(path, in: run)) != nil {
            checkpoints[kind] = path
        }
        let stamps = [run.config, run.metrics, run.latestCheckpoint].map { files.stamp(files.relative($0, in: run)) }
        let summary = cachedSummary(relative, stamps: stamps) {
            Summary(stamps: stamps, config: Self.config(files, run), epochsDone: Self.epochsDone(files, run))
        }
        return Entry(name: relative, directory: run, checkpoints: checkpoints,
                     modified: stamps.compactMap { $0?.modified }.max() ?? .distantPast,
                     config: summary.config, epochsDone: summary.epochsDone, files: files)
    }

    /// config.json's settings, read through `TrainingConfig` as `cgan train` wrote them.
    static func config(_ files: RunFiles, _ run: RunDirectory) -> TrainingConfig? {
        (try? files.read(files.relative(run.config, in: run), limit: configLimit)).flatMap(TrainingConfig.decode(configFile:))
    }

    /// The whole epochs of metrics.csv's last row (0 when there is none or it is no count of epochs).
    static func epochsDone(_ files: RunFiles, _ run: RunDirectory) -> Int {
        guard let file = try? files.openFile(files.relative(run.metrics, in: run), limit: .max),
              let last = CSVSample(file: file, maximumRows: 2).column("epoch").last else { return 0 }
        return UntrustedNumbers.count(last) ?? 0
    }

    /// Paths relative to `root` of the directories holding config.json, `depth` levels deep at most.
    static func runDirectories(under root: String, depth: Int) -> [String] {
        var found: [String] = []
        func visit(_ relative: String, _ level: Int) {
            guard found.count < maximumRuns * 2 else { return }
            let path = relative.isEmpty ? root : root + "/" + relative
            if !relative.isEmpty, FileManager.default.fileExists(atPath: path + "/config.json") { found.append(relative); return }
            guard level < depth, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                // Symbolic links are not followed: the catalogue stays inside --runs.
                if let type = try? FileManager.default.attributesOfItem(atPath: root + "/" + child)[.type] as? FileAttributeType,
                   type == .typeDirectory {
                    visit(child, level + 1)
                }
            }
        }
        visit("", 0)
        return found
    }

    static func stamp(_ path: String) -> FileStamp? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileStamp(status)
    }
}

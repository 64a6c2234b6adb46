import CGAN
import Foundation

/// The runs a server may show: run directories found under `--runs`, or the one `--checkpoint` file.
/// Requests name runs and checkpoints only by these names, so no path from a request reaches the file system.
public struct RunCatalog: Sendable {
    /// One run and the checkpoints it has, by kind ("best", "latest").
    public struct Entry: Sendable {
        public let name: String
        public let directory: RunDirectory?
        public let checkpoints: [String: String]
        public let modified: Date

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
    /// Run directories are looked for this many levels below `--runs` (runs/NAME, experiments/E/VARIANT/seed-N).
    static let searchDepth = 4

    public init(_ source: Source) { self.source = source }

    /// Every run, most recently written first.
    public func entries() -> [Entry] {
        switch source {
        case .checkpoint(let path):
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return [Entry(name: name, directory: nil, checkpoints: ["file": path], modified: Self.modified(path) ?? .distantPast)]
        case .runs(let root):
            return Self.runDirectories(under: root, depth: Self.searchDepth).map { relative in
                let run = RunDirectory(root + "/" + relative)
                var checkpoints: [String: String] = [:]
                for (kind, path) in [("best", run.bestCheckpoint), ("latest", run.latestCheckpoint)]
                where FileManager.default.fileExists(atPath: path) {
                    checkpoints[kind] = path
                }
                let modified = [run.config, run.metrics, run.latestCheckpoint].compactMap(Self.modified).max() ?? .distantPast
                return Entry(name: relative, directory: run, checkpoints: checkpoints, modified: modified)
            }.sorted { $0.modified > $1.modified }
        }
    }

    /// The run called `name`, or the most recently written one when `name` is nil.
    public func entry(named name: String?) -> Entry? {
        let all = entries()
        guard let name else { return all.first }
        return all.first { $0.name == name }
    }

    /// Paths relative to `root` of the directories holding config.json, `depth` levels deep at most.
    static func runDirectories(under root: String, depth: Int) -> [String] {
        var found: [String] = []
        func visit(_ relative: String, _ level: Int) {
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

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}

import Foundation

/// Finds a data set's files: `--data-dir`, else `$CGAN_DATA_DIR`, else `./data/<name>/`, then any
/// directory a system package installs it to.
public struct DataLocator {
    public let spec: DatasetSpec
    public let explicitDirectory: String?
    public let environment: [String: String]

    public init(spec: DatasetSpec, directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.spec = spec
        self.explicitDirectory = directory
        self.environment = environment
    }

    /// Directories searched, in order. A directory the user named is the only one searched.
    public var candidates: [String] {
        if let d = explicitDirectory { return [d] }
        if let d = environment["CGAN_DATA_DIR"], !d.isEmpty { return [d] }
        return ["data/\(spec.name)"] + spec.systemDirectories
    }

    /// Where downloads go: the first candidate.
    public var downloadDirectory: String { candidates[0] }

    /// The path of `file` in `directory` (".gz" preferred), or nil.
    public static func path(of file: DataFileSpec, in directory: String) -> String? {
        for name in [file.name + ".gz", file.name] {
            let p = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// The first candidate directory holding all four files, or nil.
    public func directoryWithAllFiles() -> String? {
        candidates.first { d in spec.files.allSatisfy { DataLocator.path(of: $0, in: d) != nil } }
    }
}

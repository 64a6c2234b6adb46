import Datasets
import Foundation
import NN
import XCTest

/// The generated data set (`SyntheticDataset`), written once per test process into a temporary directory:
/// what every test that trains or reads data uses, so the suite needs nothing beside the repository.
public enum SyntheticData {
    /// The directory holding the four raw files; removed when the test process exits.
    public static func directory() throws -> String { try prepared.get().directory }

    /// The data set as the program loads and verifies it.
    public static func load() throws -> MNISTFamilyDataset { try prepared.get().data }

    /// Options that make `cgan` read it: `--dataset synthetic --data-dir <directory>`.
    public static func arguments() throws -> [String] { ["--dataset", SyntheticDataset.name, "--data-dir", try directory()] }

    /// Writes the four files into `directory`, gzip-compressed or raw (the readers accept both).
    public static func write(into directory: String, compressed: Bool) throws {
        for (file, contents) in SyntheticDataset.files() {
            let path = directory + "/" + file.name + (compressed ? ".gz" : "")
            guard FileManager.default.createFile(atPath: path, contents: Data(compressed ? gzipped(contents) : contents)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
    }

    private static let prepared: Result<(directory: String, data: MNISTFamilyDataset), Error> = Result {
        // The fast-kernel check may re-execute the process: do it before anything is written.
        useFastBLASKernel()
        let directory = NSTemporaryDirectory() + "cgan-synthetic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        createdDirectory = directory
        atexit { if let d = SyntheticData.createdDirectory { try? FileManager.default.removeItem(atPath: d) } }
        try write(into: directory, compressed: false)
        return (directory, try MNISTFamilyDataset.load(SyntheticDataset.spec, from: directory))
    }

    nonisolated(unsafe) private static var createdDirectory: String?
}

import Files
import ArgumentParser
import Datasets
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Download, verify and describe MNIST-family data sets; import, export and make image folders.",
        subcommands: [Fetch.self, Info.self, Import.self, Export.self, Make.self])

    /// Options naming a data set and where to look for it, shared by every command that reads data.
    struct Location: ParsableArguments {
        @Option(help: "Data set: \(DatasetRegistry.names.joined(separator: ", ")) (default: mnist; for a checkpoint, the one it was trained on).")
        var dataset: String?

        /// The data set named, else `fallback`.
        func name(or fallback: String = "mnist") -> String { (dataset ?? fallback).lowercased() }

        @Option(help: ArgumentHelp("Directory holding the four IDX files (.gz or raw).",
                                   discussion: "Default: $CGAN_DATA_DIR, else ./data/<dataset>/ (Fashion-MNIST also /usr/share/datasets/fashion-mnist)."))
        var dataDir: String?

        func spec() throws -> DatasetSpec { try DatasetRegistry.named(name()) }
        /// The locator; a directory the user named (--data-dir, $CGAN_DATA_DIR) that is a file is refused here.
        func locator() throws -> DataLocator {
            let locator = DataLocator(spec: try spec(), directory: dataDir)
            var isDirectory: ObjCBool = false
            let named = locator.downloadDirectory
            if FileManager.default.fileExists(atPath: named, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw FileError(named, "is a file, not a directory; give the directory that holds the data set")
            }
            return locator
        }

        /// Loads the verified data set, downloading it first when no candidate directory has it.
        func load(log: @escaping (String) -> Void = { StandardStream.error($0 + "\n") }) throws -> MNISTFamilyDataset {
            let locator = try locator()
            if let directory = locator.directoryWithAllFiles() {
                return try MNISTFamilyDataset.load(locator.spec, from: directory)
            }
            log("\(locator.spec.name) not found in \(locator.candidates.joined(separator: ", ")); downloading into \(locator.downloadDirectory)")
            try Downloader.fetch(locator.spec, into: locator.downloadDirectory, progress: log)
            return try MNISTFamilyDataset.load(locator.spec, from: locator.downloadDirectory)
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a data set, verify every file's SHA-256, and write it atomically.")

        @OptionGroup var location: Location

        @Option(help: "Base URL to download from instead of the data set's standard mirrors.")
        var mirror: String?

        func run() throws {
            let locator = try location.locator()
            try Downloader.fetch(locator.spec, into: locator.downloadDirectory, mirror: mirror) { print($0) }
            print("\(locator.spec.name): all files verified in \(locator.downloadDirectory)")
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show counts, class histogram, file locations and verification status.")

        @OptionGroup var location: Location

        func run() throws {
            let locator = try location.locator()
            guard let directory = locator.directoryWithAllFiles() else {
                throw FileError(locator.candidates.joined(separator: ", "),
                                "\(locator.spec.name) not found; run `cgan data fetch --dataset \(locator.spec.name)`")
            }
            let data = try MNISTFamilyDataset.load(locator.spec, from: directory)
            print("data set:   \(data.spec.name)")
            for p in data.provenance { print("file:       \(p.path)  verified by \(p.method.rawValue)") }
            print("train:      \(data.train.count) images (\(data.train.count - MNISTFamilyDataset.validationCount) for training, last \(MNISTFamilyDataset.validationCount) for validation)")
            print("test:       \(data.test.count) images")
            let mean = data.train.pixels.reduce(0) { $0 + Int($1) }
            print(String(format: "mean pixel: %.4f (train)", Double(mean) / Double(data.train.pixels.count) / 255))
            print("classes:")
            for (k, (tr, te)) in zip(data.train.classHistogram, data.test.classHistogram).enumerated() {
                print("  \(k) \(data.spec.classNames[k].padding(toLength: 12, withPad: " ", startingAt: 0)) train \(tr)  test \(te)")
            }
        }
    }
}

import CGAN
import Datasets
import Foundation
import NN
import TestSupport
import XCTest

/// Replays the fuzzers' seed corpus and every input that ever crashed one (Fuzz/Corpus, Fuzz/Crashes)
/// through the same parsers the libFuzzer targets drive (Fuzz/Sources): each must end in a value or a thrown error.
final class FuzzRegressionTests: XCTestCase {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    /// The corpus and crash inputs of `target` ("safetensors", "idx", "config").
    func inputs(_ target: String) throws -> [(name: String, data: Data)] {
        var found: [(String, Data)] = []
        for directory in ["Corpus/" + target, "Crashes"] {
            let path = Self.fuzzDirectory + "/" + directory
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() where directory != "Crashes" || name.hasPrefix(target + "-") {
                found.append((name, try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))))
            }
        }
        XCTAssertFalse(found.isEmpty, "no inputs for \(target) in \(Self.fuzzDirectory)")
        return found
    }

    func testSafeTensorsInputs() throws {
        for (name, data) in try inputs("safetensors") {
            guard let contents = try? SafeTensors.decode(data, file: name),
                  let checkpoint = try? Checkpoint(contents: contents, path: name) else { continue }
            var tensors = checkpoint.tensors
            XCTAssertThrowsError(try tensors.load(GANModels(config: checkpoint.config, classCount: checkpoint.classCount).generator,
                                                  prefix: "G"), name)
        }
    }

    func testIDXInputs() throws {
        for (name, data) in try inputs("idx") {
            guard let raw = try? IDXReader.decompressed([UInt8](data), file: name),
                  let contents = try? IDXReader.parse(raw, file: name) else { continue }
            XCTAssertFalse(contents.dimensions.isEmpty, name)
        }
    }

    func testConfigInputs() throws {
        for (name, data) in try inputs("config") {
            let config = TrainingConfig.decode(data)
            _ = config?.problem
            _ = try? JSONDecoder().decode(Checkpoint.Position.self, from: data)
            // The seeds: a current config, one written before `optimizer` existed (migrated), a position.
            switch name {
            case "paper.json": XCTAssertNotNil(config, name); XCTAssertNil(config?.problem, name)
            case "format1.json": XCTAssertEqual(config?.optimization.optimizer, .sgd, name)
            case "position.json": XCTAssertNil(config, name)
            default: break
            }
        }
    }
}

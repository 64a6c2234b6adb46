import Foundation
import CGAN
import NN
import TestSupport
import XCTest

/// Stored configs: every form this tool has written reads back as the run that was trained.
final class TrainingConfigTests: XCTestCase {
    /// config.json files written by `cgan train` before the settings were grouped (Tests/Fixtures/configs).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/configs")

    /// The "settings" object of a fixture's config.json.
    func storedSettings(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("\(name).json"))
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(document["settings"] as? [String: Any])
    }

    func decode(_ settings: [String: Any]) throws -> TrainingConfig {
        try XCTUnwrap(TrainingConfig.decode(JSONSerialization.data(withJSONObject: settings)))
    }

    /// Each fixture holds the options its command line gave and the documented defaults for the rest.
    func testFlatConfigsWrittenBeforeGroupingDecode() throws {
        // cgan train --arch paper --train-limit 200 --epochs 1 --seed 3 --threads 1
        var paper = TrainingConfig(architecture: .paper)
        paper.data.trainLimit = 200; paper.optimization.epochs = 1; paper.optimization.seed = 3; paper.compute.threads = 1
        paper.model.dropoutAtSampling = false  // stored before the paper model sampled with G's dropout by default
        XCTAssertEqual(try decode(storedSettings("paper")), paper)

        // cgan train --arch dcgan --train-limit 64 --batch-size 32 --width 0.125 --epochs 1 --lr-decay-from 0.5 --threads 1
        var dcgan = TrainingConfig(architecture: .dcgan)
        dcgan.data.trainLimit = 64; dcgan.optimization.batchSize = 32; dcgan.model.widthMultiplier = 0.125
        dcgan.optimization.epochs = 1; dcgan.optimization.learningRateDecayStart = 0.5; dcgan.compute.threads = 1
        let storedDCGAN = try decode(storedSettings("dcgan"))
        XCTAssertEqual(storedDCGAN, dcgan)
        XCTAssertTrue(storedDCGAN.additions.projectionDiscriminator && storedDCGAN.additions.classBatchNorm)
        XCTAssertEqual(storedDCGAN.additions.discriminatorHeadDropout, 0)
        XCTAssertFalse(storedDCGAN.additions.discriminatorDropoutInGeneratorStep)

        // cgan train --arch dcgan --reference --loss hinge --spectral-norm --train-limit 64 --batch-size 32 --width 0.125 --epochs 1 --threads 1
        var reference = TrainingConfig(reference: .dcgan)
        reference.optimization.adversarialLoss = .hinge; reference.additions.spectralNorm = true
        reference.data.trainLimit = 64; reference.optimization.batchSize = 32; reference.model.widthMultiplier = 0.125
        reference.optimization.epochs = 1; reference.compute.threads = 1
        let storedReference = try decode(storedSettings("dcgan-reference"))
        XCTAssertEqual(storedReference, reference)
        XCTAssertNil(storedReference.additions.discriminatorHeadDropout)
        XCTAssertTrue(storedReference.additions.discriminatorDropoutInGeneratorStep)
        XCTAssertEqual(storedReference.model.discriminatorDropout, 0)
        XCTAssertTrue(storedReference.isReferenceModel == false, "spectral norm is not the reference model")
        XCTAssertTrue(storedReference.variantOptions.contains("--spectral-norm"), "\(storedReference.variantOptions)")
        // What export names when it refuses: the default dcgan's additions; the plain model has none.
        XCTAssertEqual(TrainingConfig(reference: .dcgan).variantOptions, [])
        var wide = TrainingConfig(reference: .mlp)
        wide.model.widthMultiplier = 2
        XCTAssertEqual(wide.variantOptions, ["--width"], "G and D scaled alike: the one option")
        wide.model.widthMultiplier = 1
        wide.model.generatorWidthMultiplier = 2
        XCTAssertEqual(wide.variantOptions, ["--width/--g-width"])
        XCTAssertTrue(Set(["--projection", "--d-dropout"]).isSubset(of: TrainingConfig(architecture: .dcgan).variantOptions),
                      "\(TrainingConfig(architecture: .dcgan).variantOptions)")

        // cgan train --arch mlp-bn --discriminator leaky --g-dropout 0 --d-max-norm 3 --dropout-at-sampling on --train-limit 128 --epochs 1 --threads 1
        var mlpBN = TrainingConfig(architecture: .mlpBN)
        mlpBN.model.discriminator = .leaky; mlpBN.model.generatorDropout = 0; mlpBN.model.discriminatorMaxNorm = 3
        mlpBN.model.dropoutAtSampling = true; mlpBN.data.trainLimit = 128; mlpBN.optimization.epochs = 1; mlpBN.compute.threads = 1
        XCTAssertEqual(try decode(storedSettings("mlp-bn")), mlpBN)
    }

    /// A setting added after a run was stored takes the value that rebuilds the model the run trained:
    /// dcgan's head drops at D's rate and D's dropout stays on in G's step, none of the additions, fp32.
    func testSettingsAnOlderRunLacksTakeTheValuesItTrainedWith() throws {
        var settings = try storedSettings("dcgan")
        for key in ["discriminatorHeadDropout", "discriminatorDropoutInGeneratorStep", "projectionDiscriminator", "generatorAverageDecay",
                    "classBatchNorm", "spectralNorm", "headSpectralNorm", "classLossWeight", "adversarialLoss",
                    "discriminatorLearningRateScale", "generatorOutputDropout", "widthMultiplier", "precision", "optimizer"] {
            XCTAssertNotNil(settings.removeValue(forKey: key), key)
        }
        let older = try decode(settings)
        XCTAssertNil(older.additions.discriminatorHeadDropout)
        XCTAssertTrue(older.additions.discriminatorDropoutInGeneratorStep)
        XCTAssertFalse(older.additions.projectionDiscriminator || older.additions.classBatchNorm || older.additions.spectralNorm)
        XCTAssertEqual(older.additions.generatorAverageDecay, 0)
        XCTAssertTrue(older.additions.headSpectralNorm)
        XCTAssertEqual(older.additions.classLossWeight, 0)
        XCTAssertEqual(older.additions.modeSeekingWeight, 0)
        XCTAssertEqual(older.optimization.adversarialLoss, .crossEntropy)
        XCTAssertEqual(older.optimization.discriminatorLearningRateScale, 1)
        XCTAssertEqual(older.optimization.optimizer, .adam)
        XCTAssertEqual(older.model.widthMultiplier, 1)
        XCTAssertEqual(older.model.generatorOutputDropout, 0)
        XCTAssertEqual(older.compute.precision, .fp32)
        // What the run did store is kept.
        XCTAssertEqual(older.model.discriminatorDropout, 0.3)
        XCTAssertEqual(older.optimization.learningRateDecayStart, 0.5)

        var paper = try storedSettings("paper")
        paper["optimizer"] = nil
        XCTAssertEqual(try decode(paper).optimization.optimizer, .sgd)
    }

    /// The grouped form round-trips, and a setting missing from it takes the reference model's value.
    func testGroupedConfigsRoundTripAndFillWhatIsMissing() throws {
        for architecture in Architecture.allCases {
            for config in [TrainingConfig(architecture: architecture), TrainingConfig(reference: architecture)] {
                XCTAssertEqual(TrainingConfig.decode(try JSONEncoder().encode(config)), config)
                XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(config)), config)
            }
            let reference = TrainingConfig(reference: architecture)
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfig(architecture: architecture))) as? [String: Any])
            for (group, fields) in TrainingConfig.fieldNames {
                for field in fields {
                    var trimmed = object
                    var settings = try XCTUnwrap(trimmed[group] as? [String: Any])
                    settings[field] = nil
                    trimmed[group] = settings
                    let decoded = try decode(trimmed)
                    XCTAssertEqual(decoded.value(of: "\(group).\(field)"), reference.value(of: "\(group).\(field)"), "\(architecture) \(group).\(field)")
                }
            }
            object["model"] = "not an object"
            XCTAssertNil(TrainingConfig.decode(try JSONSerialization.data(withJSONObject: object)))
        }
        XCTAssertNil(TrainingConfig.decode(Data("{\"architecture\": \"gan\"}".utf8)))
        XCTAssertNil(TrainingConfig.decode(Data("[1]".utf8)))
    }

    /// Any config written flat, as runs were stored before grouping, reads back the same.
    func testFlatFormOfEveryConfigDecodes() throws {
        for architecture in Architecture.allCases {
            var config = TrainingConfig(architecture: architecture)
            config.optimization.seed = 11; config.data.dataset = "fashion-mnist"; config.compute.threads = 3
            XCTAssertEqual(try decode(flatObject(config)), config)
            XCTAssertEqual(try decode(flatObject(TrainingConfig(reference: architecture))), TrainingConfig(reference: architecture))
        }
    }

    /// The flat form is read by field name, so no two groups may share one.
    func testFieldNamesAreUniqueAcrossGroups() {
        let names = TrainingConfig.fieldNames.flatMap(\.fields)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertEqual(TrainingConfig.fieldNames.map(\.group), ["data", "model", "optimization", "additions", "compute"])
        XCTAssertEqual(TrainingConfig(architecture: .paper).settings.count, names.count + 1)
    }
}

/// `config` as runs stored it before the settings were grouped: every field at the top level.
func flatObject(_ config: TrainingConfig) throws -> [String: Any] {
    let nested = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any])
    return nested.reduce(into: [:]) { flat, entry in
        if let group = entry.value as? [String: Any] { flat.merge(group) { first, _ in first } } else { flat[entry.key] = entry.value }
    }
}

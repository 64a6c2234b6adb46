import ArgumentParser
import Foundation
import CGAN
import NN
import XCTest
@testable import cgan

/// `cgan train`'s options and the config they make: every setting a resumed run would change is refused
/// by name, and the help lists each default as the config sets it.
final class TrainCommandTests: XCTestCase {
    /// A stored run with some settings away from their defaults.
    static let stored: TrainingConfig = {
        var c = TrainingConfig(architecture: .dcgan)
        c.data.trainLimit = 640; c.optimization.epochs = 3; c.compute.threads = 1
        return c
    }()

    /// Settings no option sets: a resumed run cannot be asked to change them.
    static let settingsWithoutOption: Set = [
        "model.noiseSize", "model.generatorOutputBiasFromData", "optimization.optimizer", "optimization.learningRateDecay",
        "optimization.learningRateFloor", "optimization.momentumEnd", "optimization.adamBeta1",
        "optimization.adamBeta2",
        // Taken from the image folder when a run starts; a resumed run may find its folder moved (--images).
        "data.classNames", "data.imageFolder", "data.heldOutDigest",
    ]

    /// `config` with the setting `name` ("group.field") changed to another value it may hold (never none),
    /// found by trying candidates on the stored JSON; nil when none decodes.
    static func changing(_ name: String, of config: TrainingConfig) throws -> TrainingConfig? {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any])
        let path = name.split(separator: ".").map(String.init)
        let current: Any? = path.count == 1 ? object[path[0]] : (object[path[0]] as? [String: Any])?[path[1]]
        var candidates: [Any] = ["dcgan", "paper", "fashion-mnist", "leaky", "maxout", "hinge", "saturating", "uniform", "normal",
                                 "adam", "sgd", "bf16", "input", "openblas", 2, 0.5, ["cat", "dog"]]
        if let number = current as? NSNumber {
            candidates = (config.value(of: name) == "on" || config.value(of: name) == "off")
                ? [config.value(of: name) != "on"] : [number.intValue + 1, number.doubleValue + 0.125]
        }
        for candidate in candidates {
            if path.count == 1 {
                object[path[0]] = candidate
            } else {
                var group = try XCTUnwrap(object[path[0]] as? [String: Any])
                group[path[1]] = candidate
                object[path[0]] = group
            }
            guard let changed = try? JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: object)),
                  changed.differingSettings(from: config) == [name] else { continue }
            return changed
        }
        return nil
    }

    /// The option that sets each setting, found by giving every option a value that changes `stored`.
    static let flagsBySetting: [String: String] = {
        var found: [String: String] = [:]
        for flag in try! TrainCommand.parse(["--resume"]).settings.map(\.flag) {
            let values = ["0.5", "2", "hinge", "leaky", "fashion-mnist", "paper", "saturating", "uniform", "on", "off", "bf16", "input", "openblas"]
            for arguments in [[flag], ["--no-" + flag.dropFirst(2)]] + values.map({ [flag, $0] }) {
                guard let command = try? TrainCommand.parse(["--resume"] + arguments) else { continue }
                let differing = command.makeConfig(resuming: stored).differingSettings(from: stored)
                if differing.count == 1 {
                    found[differing[0]] = flag
                    break
                }
            }
        }
        return found
    }()

    /// The `cgan train` arguments that would set `name` to its value in `config`; nil when no option sets it.
    static func arguments(setting name: String, as config: TrainingConfig, from stored: TrainingConfig) throws -> [String]? {
        guard let flag = flagsBySetting[name] else { return nil }
        let value = try XCTUnwrap(config.value(of: name))
        for arguments in [[flag, value], value == "on" ? [flag] : ["--no-" + flag.dropFirst(2)]] {
            guard let command = try? TrainCommand.parse(["--resume"] + arguments) else { continue }
            let made = command.makeConfig(resuming: stored)
            if made.differingSettings(from: stored) == [name], made.value(of: name) == value { return arguments }
        }
        XCTFail("\(flag) does not set \(name) to \(value)")
        return nil
    }

    /// Library side: a change to any one setting, found generically from the stored JSON, is named.
    func testEveryStoredSettingIsNamedWhenItDiffers() throws {
        let names = Self.stored.settings.map(\.name)
        XCTAssertEqual(Set(names).count, names.count)
        for name in names {
            let changed = try XCTUnwrap(Self.changing(name, of: Self.stored), "no other value found for \(name)")
            XCTAssertEqual(changed.differingSettings(from: Self.stored), [name])
            XCTAssertEqual(Self.stored.differingSettings(from: changed), [name])
        }
    }

    /// --resume refuses an option that would change any stored setting, naming the option and the setting;
    /// only --epochs, --threads and --matmul apply. Every setting of the config is tried, so a new one is covered.
    func testResumeRefusesEveryOptionThatWouldChangeTheRun() throws {
        var withoutOption: Set<String> = []
        for name in Self.stored.settings.map(\.name) {
            let changed = try XCTUnwrap(Self.changing(name, of: Self.stored))
            guard let arguments = try Self.arguments(setting: name, as: changed, from: Self.stored) else {
                withoutOption.insert(name)
                continue
            }
            let command = try TrainCommand.parse(["--resume"] + arguments)
            if ["optimization.epochs", "compute.threads", "compute.matmul"].contains(name) {
                XCTAssertNoThrow(try command.checkResumeOptions(against: Self.stored), name)
                continue
            }
            XCTAssertThrowsError(try command.checkResumeOptions(against: Self.stored), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("\(arguments[0].hasPrefix("--no-") ? "--" + arguments[0].dropFirst(5) : arguments[0]) differs"), message)
                XCTAssertTrue(message.contains(name), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        // bf16 is refused where the CPU lacks it, so --precision sets nothing there.
        let expected = Self.settingsWithoutOption.union(MatrixProducts.unsupportedReason(.bf16) == nil ? [] : ["compute.precision"])
        XCTAssertEqual(withoutOption, expected, "a setting gained or lost its option")
        // Several at once are all named; the run's own values are accepted.
        let two = try TrainCommand.parse(["--resume", "--lr", "0.001", "--width", "2", "--g-average", "0.999", "--epochs", "9"])
        XCTAssertThrowsError(try two.checkResumeOptions(against: Self.stored)) { error in
            XCTAssertTrue("\(error)".contains("--width, --lr differ"), "\(error)")
            XCTAssertTrue("\(error)".contains("optimization.learningRate: 0.0002 in the run, 0.001 given"), "\(error)")
        }
        XCTAssertNoThrow(try TrainCommand.parse(["--resume", "--arch", "dcgan", "--g-average", "0.999", "--threads", "2"])
            .checkResumeOptions(against: Self.stored))
        // A bf16 run does not take OpenBLAS on resume either (a new run is refused it).
        var bf16 = Self.stored
        bf16.compute.precision = .bf16
        XCTAssertThrowsError(try TrainCommand.parse(["--resume", "--matmul", "openblas"]).checkResumeOptions(against: bf16)) { error in
            XCTAssertEqual("\(error)", "--matmul openblas applies to fp32 training; bf16 runs through oneDNN")
        }
        XCTAssertNoThrow(try TrainCommand.parse(["--resume", "--matmul", "openblas"]).checkResumeOptions(against: Self.stored))
    }

    /// A paper run stored before the paper model sampled with G's dropout by default keeps its own setting on
    /// resume; asking for the new default changes the run and is refused.
    func testResumeKeepsAnOlderPaperRunsSampling() throws {
        var older = TrainingConfig(architecture: .paper)
        older.model.dropoutAtSampling = false
        let plain = try TrainCommand.parse(["--resume"])
        XCTAssertNoThrow(try plain.checkResumeOptions(against: older))
        XCTAssertFalse(plain.makeConfig(resuming: older).model.dropoutAtSampling)
        XCTAssertTrue(try TrainCommand.parse(["--arch", "paper"]).makeConfig().model.dropoutAtSampling, "a new paper run samples with dropout")
        XCTAssertThrowsError(try TrainCommand.parse(["--resume", "--dropout-at-sampling", "on"]).checkResumeOptions(against: older)) { error in
            XCTAssertTrue("\(error)".hasPrefix("--dropout-at-sampling differs"), "\(error)")
        }
    }

    /// --reference on a run trained with the additions changes it: refused, named as --reference.
    func testResumeNamesReferenceForTheAdditionsItRemoves() throws {
        XCTAssertThrowsError(try TrainCommand.parse(["--resume", "--reference"]).checkResumeOptions(against: Self.stored)) { error in
            XCTAssertTrue("\(error)".hasPrefix("--reference differs"), "\(error)")
            XCTAssertTrue("\(error)".contains("additions.projectionDiscriminator"), "\(error)")
        }
        XCTAssertNoThrow(try TrainCommand.parse(["--resume", "--reference"]).checkResumeOptions(against: TrainingConfig(reference: .dcgan)))
        // A run stored before dcgan's head had its own dropout accepts D's rate for it.
        var older = TrainingConfig(reference: .dcgan)
        older.model.discriminatorDropout = 0.3
        XCTAssertNoThrow(try TrainCommand.parse(["--resume", "--d-head-dropout", "0.3"]).checkResumeOptions(against: older))
        XCTAssertThrowsError(try TrainCommand.parse(["--resume", "--d-head-dropout", "0.1"]).checkResumeOptions(against: older))
    }

    /// A new run: the options over the defaults of --arch; --threads defaults to this machine's cores.
    func testNewRunConfig() throws {
        XCTAssertEqual(try TrainCommand.parse([]).makeConfig(), TrainingConfig(architecture: .paper))
        // An image folder trains the dcgan unless --arch says otherwise.
        XCTAssertEqual(try TrainCommand.parse(["--images", "photos"]).makeConfig().architecture, .dcgan)
        XCTAssertEqual(try TrainCommand.parse(["--images", "photos", "--arch", "mlp"]).makeConfig().architecture, .mlp)
        let config = try TrainCommand.parse(["--arch", "dcgan", "--reference", "--lr", "1e-3", "--no-dropout-in-g-step",
                                             "--dropout-at-sampling", "on", "--dataset", "Fashion-MNIST"]).makeConfig()
        var expected = TrainingConfig(reference: .dcgan)
        expected.optimization.learningRate = 1e-3; expected.additions.discriminatorDropoutInGeneratorStep = false
        expected.model.dropoutAtSampling = true; expected.data.dataset = "fashion-mnist"
        XCTAssertEqual(config, expected)
        XCTAssertEqual(config.compute.threads, min(ProcessInfo.processInfo.activeProcessorCount, 256))
        XCTAssertEqual(try TrainCommand.parse(["--threads", "3"]).makeConfig().compute.threads, 3)
        XCTAssertThrowsError(try TrainCommand.parse(["--threads", "0"]))
        XCTAssertThrowsError(try TrainCommand.parse(["--threads", "257"]))
    }

    /// Every option bound to a setting shows that setting's defaults, read from the config, in --help-hidden;
    /// --help stays short and leaves the experiment knobs out.
    func testHelpIsGroupedShortAndReadsTheDefaults() throws {
        let help = TrainCommand.helpMessage(includeHidden: false, columns: 80)
        let hidden = TrainCommand.helpMessage(includeHidden: true, columns: 80)
        // One line per option's text, to find a phrase the help wraps.
        let flowing = hidden.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertLessThanOrEqual(help.split(separator: "\n", omittingEmptySubsequences: false).count, 124, help)
        var position = help.startIndex
        for title in ["DATA:", "MODEL:", "OPTIMISATION:", "DCGAN ADDITIONS:", "OUTPUT AND LOGGING:", "MATRIX PRODUCTS:"] {
            let range = try XCTUnwrap(help.range(of: title, range: position..<help.endIndex), "\(title) missing or out of order")
            position = range.upperBound
        }
        for flag in ["--g-output-dropout", "--g-init-range", "--d-init-range", "--d-max-norm", "--momentum-saturate-epochs",
                     "--discriminator", "--g-loss", "--head-spectral-norm", "--class-loss", "--mode-seeking-grid", "--d-lr-scale", "--d-input-dropout", "--noise ",
                     "--samples-per-class", "--validation-count", "--sigma-count", "--spectral-norm/", "--dropout-in-g-step/"] {
            XCTAssertFalse(help.contains(flag), "\(flag) is for experiments")
            XCTAssertTrue(hidden.contains(flag), flag)
        }
        XCTAssertTrue(flowing.contains("(default: 0.1 for paper, 0.0002 otherwise)"), flowing)
        XCTAssertTrue(flowing.contains("(default: 0.5 for paper, 0.2 for mlp-bn, 0 otherwise)"), flowing)
        XCTAssertTrue(flowing.contains("(default: on for dcgan, off otherwise; with --reference: off for dcgan)"), flowing)
        XCTAssertTrue(help.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("this machine's cores, \(min(ProcessInfo.processInfo.activeProcessorCount, 256))"), help)
        // Every bound option names its default.
        for flag in try TrainCommand.parse([]).settings.map(\.flag) where !["--dataset", "--arch", "--dropout-at-sampling"].contains(flag) {
            let start = try XCTUnwrap(hidden.range(of: "  " + flag), flag)
            let end = hidden.range(of: "\n  -", range: start.upperBound..<hidden.endIndex)?.lowerBound ?? hidden.endIndex
            XCTAssertTrue(hidden[start.lowerBound..<end].contains("default:"), flag)
        }
    }
}

import ArgumentParser
import CGAN

/// A `cgan train` option bound to the config setting it sets: the one place that ties the two, so that
/// building the config, checking a resumed run and naming what differs need no list of their own.
struct TrainingSetting {
    /// The option as the user types it, e.g. "--lr".
    let flag: String
    /// True when the option was given.
    let isGiven: Bool
    private let setValue: (inout TrainingConfig) -> Void

    /// `flag` sets `keyPath` to `value` when given (non-nil).
    init<Value>(_ flag: String, _ keyPath: WritableKeyPath<TrainingConfig, Value>, _ value: Value?) {
        self.flag = flag
        isGiven = value != nil
        setValue = { config in if let value { config[keyPath: keyPath] = value } }
    }

    /// `flag` sets the optional `keyPath` to `value` when given (non-nil).
    init<Value>(_ flag: String, optional keyPath: WritableKeyPath<TrainingConfig, Value?>, _ value: Value?) {
        self.flag = flag
        isGiven = value != nil
        setValue = { config in if let value { config[keyPath: keyPath] = value } }
    }

    /// Sets the option's value in `config` when the option was given.
    func apply(to config: inout TrainingConfig) { setValue(&config) }
}

/// A group of `cgan train` options that set config settings.
extension TrainingConfig {
    /// The documented defaults and the reference models of every architecture, built once for the help texts
    /// (ArgumentParser builds them at every parse).
    static let documentedDefaults = Architecture.allCases.map(TrainingConfig.init(architecture:))
    static let referenceDefaults = Architecture.allCases.map(TrainingConfig.init(reference:))
}

protocol TrainingOptionGroup: ParsableArguments {
    /// Every option of the group that sets a config setting, with its value as parsed.
    var settings: [TrainingSetting] { get }
}

extension ArgumentHelp {
    /// `abstract`, then the setting's default for each architecture, read from `TrainingConfig(architecture:)`
    /// (and from `TrainingConfig(reference:)` where --reference changes it), so the help cannot drift from
    /// the defaults. `hidden`: an option kept for experiments, listed by --help-hidden only.
    static func setting<Value>(_ keyPath: KeyPath<TrainingConfig, Value>, _ abstract: String, note: String? = nil,
                               hidden: Bool = false) -> ArgumentHelp {
        let documented = TrainingConfig.documentedDefaults.map { ($0.architecture, $0[keyPath: keyPath] as Any) }
        let reference = zip(TrainingConfig.documentedDefaults, TrainingConfig.referenceDefaults).filter {
            TrainingConfig.text(of: $0.1[keyPath: keyPath]) != TrainingConfig.text(of: $0.0[keyPath: keyPath])
        }.map(\.1)
        let referenceNote = reference.isEmpty ? nil
            : "with --reference: " + reference.map { "\(TrainingConfig.text(of: $0[keyPath: keyPath])) for \($0.architecture.rawValue)" }
                .joined(separator: ", ")
        let defaults = Self.describe(documented)
        let notes = [referenceNote, note].compactMap { $0 }
        return ArgumentHelp("\(abstract) (default: \(([defaults] + notes).joined(separator: "; "))).",
                            visibility: hidden ? .hidden : .default)
    }

    /// "0.1 for paper, 2e-4 otherwise", or one value when every architecture has it.
    private static func describe(_ values: [(Architecture, Any)]) -> String {
        var groups: [(value: String, architectures: [Architecture])] = []
        for (architecture, value) in values {
            let text = TrainingConfig.text(of: value)
            if let i = groups.firstIndex(where: { $0.value == text }) { groups[i].architectures.append(architecture) } else {
                groups.append((text, [architecture]))
            }
        }
        guard groups.count > 1 else { return groups.first?.value ?? "" }
        let common = groups.indices.max { groups[$0].architectures.count < groups[$1].architectures.count }!
        let named = groups.indices.filter { $0 != common }.map { i in
            "\(groups[i].value) for \(groups[i].architectures.map(\.rawValue).joined(separator: " and "))"
        }
        return (named + ["\(groups[common].value) otherwise"]).joined(separator: ", ")
    }
}

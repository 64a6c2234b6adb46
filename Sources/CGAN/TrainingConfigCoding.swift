import Foundation

extension TrainingConfig {
    /// Decodes the settings of a run's config.json (the config under its "settings" key, beside the seed
    /// and data files). Nil when unreadable.
    public static func decode(configFile data: Data) -> TrainingConfig? {
        guard let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let settings = document["settings"] as? [String: Any],
              let json = try? JSONSerialization.data(withJSONObject: settings) else { return nil }
        return decode(json)
    }

    /// Decodes a config as stored in config.json or a checkpoint. Nil when unreadable.
    ///
    /// Reads the grouped form and the flat one runs were stored in before the settings were grouped (the
    /// same field names, all at the top level). A setting the stored config lacks, because the run predates
    /// it, takes its value in `TrainingConfig(reference:)` of the run's architecture: that is the model before
    /// any of this tool's additions, so the older run's model is rebuilt as it was trained.
    public static func decode(_ json: Data) -> TrainingConfig? {
        guard let stored = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any],
              let architecture = (stored["architecture"] as? String).flatMap(Architecture.init(rawValue:)),
              var object = try? TrainingConfig(reference: architecture).jsonObject() else { return nil }
        for (group, fields) in fieldNames {
            let source: [String: Any]
            if let value = stored[group] {
                guard let settings = value as? [String: Any] else { return nil }
                source = settings
            } else {
                source = stored
            }
            var settings = object[group] as? [String: Any] ?? [:]
            for field in fields where source[field] != nil { settings[field] = source[field] }
            object[group] = settings
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return nil }
        return try? JSONDecoder().decode(TrainingConfig.self, from: data)
    }

    /// The groups of settings and each one's fields, as they are keyed in the stored JSON.
    public static let fieldNames: [(group: String, fields: [String])] =
        Mirror(reflecting: TrainingConfig(architecture: .paper)).children.compactMap { child in
            guard let group = child.label, Mirror(reflecting: child.value).displayStyle == .struct else { return nil }
            return (group, Mirror(reflecting: child.value).children.compactMap(\.label))
        }

    /// Every setting as "group.field" (the architecture as "architecture") with its value as text, in the
    /// order they are declared.
    public var settings: [(name: String, value: String)] {
        Mirror(reflecting: self).children.flatMap { child -> [(name: String, value: String)] in
            let label = child.label ?? ""
            let group = Mirror(reflecting: child.value)
            guard group.displayStyle == .struct else { return [(label, Self.text(of: child.value))] }
            return group.children.map { ("\(label).\($0.label ?? "")", Self.text(of: $0.value)) }
        }
    }

    /// The settings whose values differ from `other`'s, as "group.field".
    public func differingSettings(from other: TrainingConfig) -> [String] {
        zip(settings, other.settings).filter { $0.0.value != $0.1.value }.map(\.0.name)
    }

    /// The settings in which this config, asked of a stored run, differs from `run`'s own, leaving out what a
    /// run may change between its parts and still be the same run: its epochs, threads and matrix library (they
    /// change its length and rounding, not its model or training), and its image folder's place (it may move).
    public func differingSettings(fromRun run: TrainingConfig) -> [String] {
        var given = self
        given.optimization.epochs = run.optimization.epochs
        given.compute.threads = run.compute.threads
        given.compute.matmul = run.compute.matmul
        if run.data.imageFolder != nil { given.data.imageFolder = run.data.imageFolder }
        // A run stored before dcgan's head had a dropout of its own drops there at --d-dropout's rate.
        if run.additions.discriminatorHeadDropout == nil && given.additions.discriminatorHeadDropout == run.model.discriminatorDropout {
            given.additions.discriminatorHeadDropout = nil
        }
        return given.differingSettings(from: run)
    }

    /// The value of `name` ("group.field", as `settings` names it) as text; nil when there is no such setting.
    public func value(of name: String) -> String? { settings.first { $0.name == name }?.value }

    /// A setting's value as help texts and messages write it: an option's raw value, on or off, none for
    /// an unset optional, and numbers as Swift prints them (whole ones without ".0"), so that two values differ exactly
    /// when their texts do.
    public static func text(of value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { text(of: $0.value) } ?? "none" }
        switch value {
        case let b as Bool: return b ? "on" : "off"
        case let d as Double: return "\(d)".hasSuffix(".0") ? String("\(d)".dropLast(2)) : "\(d)"
        case let r as any RawRepresentable: return "\(r.rawValue)"
        default: return "\(value)"
        }
    }

    /// The config as JSON objects (nil optionals left out, as `JSONEncoder` writes them).
    func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] else {
            throw CocoaError(.coderInvalidValue)
        }
        return object
    }
}

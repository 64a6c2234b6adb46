import ArgumentParser

/// The `cgan` program: a thin layer of subcommands over the CGAN library.
struct CGANCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgan",
        abstract: "Train, sample and evaluate conditional GANs (Mirza & Osindero, 2014) on MNIST-style data.",
        version: "0.1.0",
        subcommands: [TrainCommand.self, SampleCommand.self, EvaluateCommand.self, ExportCommand.self, InterpolateCommand.self, ServeCommand.self, ClassifierCommand.self, BenchCommand.self, ExperimentCommand.self, DataCommand.self, InfoCommand.self])
}

/// A problem found while running a command: printed as one "Error: ..." line, without the usage text
/// that `ValidationError` adds; option values out of range use it too, so every refusal is one line.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

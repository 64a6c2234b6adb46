import ArgumentParser
import CGAN
import Files
import Foundation
import Media

struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Draw the way from one noise vector (or class) to another, as a PNG strip or a looping GIF.",
        discussion: """
        From the noise of --from-seed and class --label to the noise of --to-seed and class --to-label. The same seed \
        twice and two classes show a class change at a fixed style; two seeds and one class show style changing. \
        G's dropout is off here, so that only z and the class change (the paper model then varies little with z).
        """)

    @Option(help: "A checkpoint written by cgan train.")
    var checkpoint: String

    // Unconditional: "--label -1" is a value (refused as out of range), not an unknown option.
    @Option(parsing: .unconditional, help: "Class at the start: a number, or a class name where the run names its classes (as cgan sample reads it).")
    var label: String

    @Option(parsing: .unconditional, help: "Class at the end, a number or a name (default: --label).")
    var toLabel: String?

    @Option(help: "Seed of the noise vector at the start.")
    var fromSeed: UInt64 = 1

    @Option(help: "Seed of the noise vector at the end.")
    var toSeed: UInt64 = 2

    @Option(help: "Images along the way, ends included (2...64).")
    var steps = 10

    @Option(help: "Output file: .gif (animation, there and back) or .png (one strip).")
    var out: String

    @OptionGroup var truncation: TruncationOption

    func validate() throws {
        if !(2...64).contains(steps) { throw CommandError("--steps must be in 2...64") }
        if !(out.hasSuffix(".gif") || out.hasSuffix(".png")) { throw CommandError("--out must end in .gif or .png") }
    }

    func run() throws {
        ActiveTemporaries.removeOnTermination()
        try CheckpointPath.require(checkpoint)
        try AtomicFile.checkWritable(out)
        try FileIdentity.checkNotInput(out, inputs: [checkpoint])
        let generator = try ConditionalGenerator(checkpoint: checkpoint)
        try truncation.apply(to: generator)
        let from = try LabelArgument.resolve(label, option: "--label", generator: generator)
        let to = try toLabel.map { try LabelArgument.resolve($0, option: "--to-label", generator: generator) } ?? from
        let frames = try Interpolation(generator: generator).checkedFrames(fromSeed: fromSeed, toSeed: toSeed, fromLabel: from,
                                                                           toLabel: to, steps: steps)
        if out.hasSuffix(".gif") {
            try AtomicFile.write(try Interpolation.gif(frames, channels: generator.config.data.channels), to: out)
        } else {
            try AtomicFile.write(try Interpolation.stripPNG(frames, channels: generator.config.data.channels), to: out)
        }
        print("wrote \(out)")
    }
}

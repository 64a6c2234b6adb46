import ArgumentParser
import CGAN
import Files
import Foundation

extension SampleExport.Format: ExpressibleByArgument {}

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw images of chosen classes from a checkpoint.",
        discussion: """
        cgan sample --checkpoint runs/paper/checkpoints/latest.safetensors --label 7 --count 64 --out sevens.png
        cgan sample --checkpoint FILE --per-class 1000 --format npy --out samples
        --label takes a class number, or a class name where the run names its classes (an image folder's \
        sub-folders, Fashion-MNIST's garments): --label cat, --label Sneaker. A number in range is always the class \
        number, as cgan train lists them, even where a class is named like another number.
        png writes one grid; idx writes <out>-images-idx3-ubyte (idx4 for colour) and <out>-labels-idx1-ubyte; npy writes \
        <out>-images.npy (float32 [N, channels x side x side] in [0, 1], channel planes in turn) and <out>-labels.npy (int64).
        """)

    @Option(help: "A checkpoint written by cgan train.")
    var checkpoint: String

    // Unconditional: "--label -1" is a value (a class named so, else refused as out of range), not an unknown option.
    @Option(parsing: .unconditional, help: "Draw images of this class only: its number, or its name where the run names its classes (e.g. cat).")
    var label: String?

    @Option(help: "With --label: how many images (at most 100000 in all).")
    var count = 64

    @Option(help: "Draw this many images of every class instead.")
    var perClass: Int?

    @Option(help: "Output format: png, idx or npy.")
    var format: SampleExport.Format = .png

    @Option(help: "Output file (png) or file stem (idx, npy).")
    var out: String

    @Option(help: "Random seed: the same seed gives the same images.")
    var seed: UInt64 = 1

    @OptionGroup var sampling: SamplingDropoutOption
    @OptionGroup var truncation: TruncationOption

    func validate() throws {
        if label != nil && perClass != nil { throw CommandError("give --label or --per-class, not both") }
        if label == nil && perClass == nil { throw CommandError("give --label N (with --count) or --per-class N") }
        if !(1...SampleExport.maximumCount).contains(count) { throw CommandError("--count must be in 1...\(SampleExport.maximumCount)") }
        if let perClass, perClass > SampleExport.maximumCount { throw CommandError("--per-class must be at most \(SampleExport.maximumCount)") }
        try sampling.validateSingle()
        if let perClass, perClass < 1 { throw CommandError("--per-class must be at least 1") }
    }

    func run() throws {
        ActiveTemporaries.removeOnTermination()
        try CheckpointPath.require(checkpoint)
        let generator = try ConditionalGenerator(checkpoint: checkpoint)
        try SampleExport.checkWritable(format: format, at: out, channels: generator.config.data.channels, inputs: [checkpoint])
        try truncation.apply(to: generator)
        let labels: [Int], columns: Int
        if let perClass {
            guard perClass * generator.classCount <= SampleExport.maximumCount else {
                throw CommandError("--per-class \(perClass) for \(generator.classCount) classes exceeds \(SampleExport.maximumCount) images in all")
            }
            labels = (0..<generator.classCount).flatMap { [Int](repeating: $0, count: perClass) }
            columns = perClass
        } else {
            let label = try LabelArgument.resolve(label!, option: "--label", generator: generator)
            labels = [Int](repeating: label, count: count)
            columns = Int(Double(count).squareRoot().rounded(.up))
        }
        let written = try SampleExport.write(from: generator, labels: labels, seed: seed,
                                             dropout: sampling.modes(runSetting: generator.config.model.dropoutAtSampling)[0],
                                             format: format, to: out, columns: columns)
        print("wrote \(labels.count) image\(labels.count == 1 ? "" : "s"): \(written.joined(separator: ", "))")
    }

}

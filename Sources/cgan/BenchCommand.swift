import ArgumentParser
import Benchmark
import CGAN
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure steady-state training throughput on synthetic data (images/s, GFLOP/s, memory).",
        discussion: """
        Same protocol as the PyTorch reference's --mode bench (torch_cgan.py, docs/speed.md): warm-up steps, then timed windows; windows in \
        which other processes used the CPU are dropped. The last line on stdout is JSON.
        Compare with PyTorch side by side: Scripts/compare-with-pytorch.sh.
        """)

    @Option(help: "Model to time: paper, mlp, mlp-bn or dcgan, each as the PyTorch reference builds it (dcgan without the projection D, weight average, class-conditional batch norm and dropout in D that training adds by default).")
    var arch: Architecture = .paper

    @Option(help: "Side of the square synthetic images in pixels (dcgan: 16, 28, 32, 64 or 128).")
    var imageSize = 28

    @Option(help: "Channels of the synthetic images: 1 (grey) or 3 (colour).")
    var channels = 1

    @OptionGroup(title: "Matrix products") var matrix: MatrixOptions

    @Option(help: "Minibatch size (default: 100 for paper, 64 otherwise).")
    var batchSize: Int?

    @Option(help: "Timed steps per window.")
    var steps = 300

    @Option(help: "Clean windows wanted.")
    var repeats = 5

    @Option(help: "Untimed steps first.")
    var warmup = 50

    func validate() throws {
        if steps < 1 || repeats < 1 || warmup < 0 { throw CommandError("--steps and --repeats must be at least 1") }
        if let batchSize, !(2...TrainingConfig.maximumBatchSize).contains(batchSize) {
            throw CommandError("--batch-size must be in 2...\(TrainingConfig.maximumBatchSize)")
        }
        var config = TrainingConfig(reference: arch)
        config.data.imageSize = imageSize
        config.data.channels = channels
        if let problem = config.problem { throw CommandError(problem) }
    }

    func run() throws {
        let result = TrainingBenchmark.run(architecture: arch, imageSize: imageSize, channels: channels, batchSize: batchSize, threads: matrix.threads ?? ComputeSettings.defaultThreadCount, precision: matrix.precision ?? .fp32,
                                           backend: matrix.matmul ?? .oneDNN, steps: steps,
                                           repeats: repeats, warmup: warmup) { StandardStream.error($0 + "\n") }
        print(String(format: "%@ %@ batch %d, %d thread(s), %@ %@: median %.0f images/s, best %.0f, %.1f GFLOP/s, %.2f GFLOP per step, peak RSS %.0f MiB%@",
                     result.arch, result.image, result.batchSize, result.threads, result.matmul, result.precision, result.medianImagesPerSecond,
                     result.bestImagesPerSecond, result.gflopsPerSecond, Double(result.flopsPerStep) / 1e9, result.peakResidentMiB,
                     result.allWindowsNoisy ? " (all windows noisy)" : ""))
        print(String(format: "ceiling on %@: %@ %@ %.1f GFLOP/s (2048², %d thread(s)), %.1f on the step's shapes alone; the step reaches %.0f%% and %.0f%% of them",
                     result.cpu, result.matmul, result.precision, result.peakGflopsSquare, result.threads, result.peakGflopsStepShapes,
                     100 * result.fractionOfSquarePeak, 100 * result.fractionOfStepShapesPeak))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}

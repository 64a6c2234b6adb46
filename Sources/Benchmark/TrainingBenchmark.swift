import CGAN
import Datasets
import Foundation
import NN

/// Steady-state training throughput on synthetic data (no files needed), the counterpart of
/// the PyTorch reference's `--mode bench` (`torch_cgan.py`, docs/speed.md): warm up, then timed windows of `steps` steps. A window
/// counts as clean when other processes used less than (cores - threads) + 0.15 cores meanwhile; the
/// median is taken over clean windows (over all, flagged, if none was clean).
public enum TrainingBenchmark {
    public struct Window: Codable, Sendable {
        public let imagesPerSecond: Double, seconds: Double, externalCores: Double, clean: Bool
    }

    public struct Result: Codable, Sendable {
        public let arch: String, batchSize: Int, threads: Int, blasKernel: String
        /// The images' shape as channels x side x side, e.g. "1x28x28".
        public let image: String
        /// The library of the step's matrix products ("onednn" or "openblas") and their precision.
        public let matmul: String, precision: String
        public let windows: [Window]
        public let medianImagesPerSecond: Double, bestImagesPerSecond: Double
        /// FLOPs of one step's matrix products, and the rate achieved at the median speed.
        public let flopsPerStep: Int, gflopsPerSecond: Double
        /// This machine's matrix product (same library, precision and thread count as the step), measured in
        /// the same run: a 2048² product, and the step's own shapes each run alone; and the step's rate as a
        /// fraction of each.
        public let peakGflopsSquare: Double, peakGflopsStepShapes: Double
        public let fractionOfSquarePeak: Double, fractionOfStepShapesPeak: Double
        public let cpu: String
        public let peakResidentMiB: Double
        public let allWindowsNoisy: Bool
    }

    /// `backend` is the library of fp32 products (bf16 always runs through oneDNN).
    /// `imageSize` and `channels` shape the synthetic images and so the models (28 x 28 grey: the MNIST family's).
    public static func run(architecture: Architecture, imageSize: Int = 28, channels: Int = 1, batchSize: Int?, threads: Int,
                           precision: Precision = .fp32,
                           backend: MatrixProducts.Backend = .oneDNN, steps: Int = 300,
                           repeats: Int = 5, warmup: Int = 50, maxWindows: Int = 20,
                           log: (String) -> Void = { _ in }) -> Result {
        var config = TrainingConfig(reference: architecture)
        if let batchSize { config.optimization.batchSize = batchSize }
        config.data.imageSize = imageSize
        config.data.channels = channels
        config.compute.threads = threads
        config.compute.precision = precision
        config.compute.matmul = backend
        let flopCounter = GEMMCounter()
        let products = MatrixProducts(backend: backend, counter: flopCounter)
        BLASRuntime.setThreadCount(threads, for: products.with(precision: precision))
        let n = 10_000
        let rng = RandomGenerator(seed: 99)
        let images = Matrix(rows: n, cols: config.data.valuesPerImage)
        rng.fillUniform(images, low: config.pixelScale == .unit ? 0 : -1, high: 1)
        let labels = (0..<n).map { _ in Int32(rng.integer(below: 10)) }
        let sampler = MinibatchSampler(images: images, labels: labels, batchSize: config.optimization.batchSize, seed: 1)
        let step = TrainingStep(config: config, models: GANModels(config: config, classCount: 10, matrixProducts: products),
                                classCount: 10, stepsPerEpoch: sampler.batchesPerEpoch)
        var counter = 0
        func oneStep() {
            let batch = counter % sampler.batchesPerEpoch, epoch = counter / sampler.batchesPerEpoch
            _ = step.run(step: counter) { x, y in sampler.fill(epoch: epoch, batch: batch, images: x, labels: y) }
            counter += 1
        }
        for _ in 0..<warmup { oneStep() }
        let before = flopCounter.flops
        let shapes = flopCounter.recordingShapes { oneStep() }
        let flopsPerStep = flopCounter.flops - before

        let allowed = Double(max(0, ProcessInfo.processInfo.activeProcessorCount - threads)) + 0.15
        var windows: [Window] = []
        while windows.filter(\.clean).count < repeats && windows.count < maxWindows {
            let busy0 = machineBusySeconds(), own0 = processCPUSeconds(), t0 = Date()
            for _ in 0..<steps { oneStep() }
            let wall = Date().timeIntervalSince(t0)
            let own = processCPUSeconds() - own0
            let external = max(0, (machineBusySeconds() - busy0 - own) / wall)
            let w = Window(imagesPerSecond: Double(steps * config.optimization.batchSize) / wall, seconds: wall,
                           externalCores: external, clean: external < allowed)
            windows.append(w)
            log(String(format: "[%@ b%d t%d] window %d: %.0f images/s, other processes %.2f cores%@", architecture.rawValue,
                       config.optimization.batchSize, threads, windows.count, w.imagesPerSecond, external, w.clean ? "" : " (noisy, dropped)"))
        }
        // The ceiling's products go uncounted: the counter holds the step's alone.
        let ceiling = MatrixProducts(backend: backend, precision: precision)
        let (squarePeak, shapesPeak) = (GEMMCeiling.squarePeak(products: ceiling), GEMMCeiling.stepShapes(shapes, products: ceiling))
        let library = ceiling.usesOneDNN ? MatrixProducts.Backend.oneDNN : MatrixProducts.Backend.openBLAS
        log(String(format: "%@ %@ products on this machine, %d thread(s): %.1f GFLOP/s on 2048x2048, %.1f on the step's %d products alone",
                   library.rawValue, precision.rawValue, threads, squarePeak, shapesPeak, shapes.count))
        let clean = windows.filter(\.clean)
        let counted = (clean.isEmpty ? windows : clean).map(\.imagesPerSecond).sorted()
        let median = counted.count % 2 == 1 ? counted[counted.count / 2] : (counted[counted.count / 2 - 1] + counted[counted.count / 2]) / 2
        let achieved = Double(flopsPerStep) * median / Double(config.optimization.batchSize) / 1e9
        return Result(arch: architecture.rawValue, batchSize: config.optimization.batchSize, threads: threads, blasKernel: BLASRuntime.coreName,
                      image: "\(channels)x\(imageSize)x\(imageSize)",
                      matmul: library.rawValue, precision: precision.rawValue,
                      windows: windows, medianImagesPerSecond: median, bestImagesPerSecond: counted.last ?? 0,
                      flopsPerStep: flopsPerStep, gflopsPerSecond: achieved,
                      peakGflopsSquare: squarePeak, peakGflopsStepShapes: shapesPeak,
                      fractionOfSquarePeak: achieved / squarePeak, fractionOfStepShapesPeak: achieved / shapesPeak,
                      cpu: BLASRuntime.cpuModel, peakResidentMiB: peakResidentMiB(), allWindowsNoisy: clean.isEmpty)
    }

    /// CPU seconds all processes spent busy (not idle or waiting for I/O), from /proc/stat.
    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (v[0..<8].reduce(0, +) - v[3] - v[4]) / ticks
    }

    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}

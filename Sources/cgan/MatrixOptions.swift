import ArgumentParser
import CGAN
import NN

extension Precision: ExpressibleByArgument {}
extension MatrixProducts.Backend: ExpressibleByArgument {}

/// How the training step's matrix products run: shared by `train` and `bench`.
struct MatrixOptions: TrainingOptionGroup {
    @Option(help: "Threads of the matrix products (default: this machine's cores, \(ComputeSettings.defaultThreadCount), at most \(ComputeSettings.maximumThreadCount); train --resume: the run's).")
    var threads: Int?

    @Option(help: .setting(\.compute.precision, "Number format of the training step's matrix products: fp32, or bf16 (fp32 accumulation and master weights) on a CPU with AVX512_BF16 or AMX", note: "with --resume: the run's"))
    var precision: Precision?

    @Option(help: "Library for fp32 matrix products: onednn or openblas (default: onednn; train --resume: the run's). bf16 always uses oneDNN.")
    var matmul: MatrixProducts.Backend?

    /// Refuses a thread count out of range and a precision this CPU does not run natively, with the reason.
    func validate() throws {
        if let threads, !(1...ComputeSettings.maximumThreadCount).contains(threads) {
            throw CommandError("--threads must be in 1...\(ComputeSettings.maximumThreadCount)")
        }
        if let precision, let reason = MatrixProducts.unsupportedReason(precision) { throw CommandError(reason) }
    }

    var settings: [TrainingSetting] {
        [TrainingSetting("--threads", \.compute.threads, threads),
         TrainingSetting("--precision", \.compute.precision, precision),
         TrainingSetting("--matmul", \.compute.matmul, matmul)]
    }
}

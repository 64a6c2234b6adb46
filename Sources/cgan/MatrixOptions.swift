import ArgumentParser
import NN

extension Precision: ExpressibleByArgument {}
extension MatrixProducts.Backend: ExpressibleByArgument {}

/// How the training step's matrix products run: shared by `train` and `bench`.
struct MatrixOptions: ParsableArguments {
    @Option(help: "Number format of the training step's matrix products: fp32, or bf16 (fp32 accumulation and master weights) on a CPU with AVX512_BF16 or AMX (default: fp32; with --resume: the run's).")
    var precision: Precision?

    @Option(help: "Library for fp32 matrix products: onednn or openblas (default: onednn). bf16 always uses oneDNN.")
    var matmul: MatrixProducts.Backend = .oneDNN

    /// Refuses a precision this CPU does not run natively, with the reason.
    func validate() throws {
        if let precision, let reason = MatrixProducts.unsupportedReason(precision) { throw CommandError(reason) }
    }
}

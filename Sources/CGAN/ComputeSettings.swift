import Foundation
import NN

/// How the training step's arithmetic runs.
public struct ComputeSettings: Codable, Sendable, Equatable {
    /// Threads of the matrix products: this machine's cores, as PyTorch and OpenBLAS default to, at most 256.
    public var threads = ComputeSettings.defaultThreadCount
    /// The training step's matrix products read bf16 or fp32 operands; weights, optimiser state and
    /// checkpoints are fp32 either way, and sampling and evaluation always run in fp32.
    public var precision = Precision.fp32
    /// The library of the fp32 products. Results differ from the other library's only by rounding, but a run
    /// resumed on the library it was trained with continues bit for bit.
    public var matmul = MatrixProducts.Backend.oneDNN

    /// Why these settings cannot train together, as the options name them; nil when they can. The bf16
    /// products exist in oneDNN only, so bf16 with OpenBLAS is refused rather than run in fp32 unasked.
    public var conflict: String? {
        precision == .bf16 && matmul == .openBLAS ? "--matmul openblas applies to fp32 training; bf16 runs through oneDNN" : nil
    }

    public static let maximumThreadCount = 256
    /// This machine's cores, at most `maximumThreadCount`.
    public static var defaultThreadCount: Int { min(ProcessInfo.processInfo.activeProcessorCount, maximumThreadCount) }
}

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

    public static let maximumThreadCount = 256
    /// This machine's cores, at most `maximumThreadCount`.
    public static var defaultThreadCount: Int { min(ProcessInfo.processInfo.activeProcessorCount, maximumThreadCount) }
}

/// The number format in which matrix products read their operands; results and weights stay fp32.
public enum Precision: String, CaseIterable, Codable, Sendable {
    case fp32
    /// bfloat16 operands with fp32 accumulation, as AVX512_BF16 and AMX multiply them natively.
    case bf16
}

/// Which library computes the `Float` matrix products of `gemm` and the convolutions, and in which
/// precision: one setting for the process, like `torch.autocast`, so layers need not carry it.
public enum MatrixProducts {
    public enum Backend: String, CaseIterable, Codable, Sendable {
        case openBLAS = "openblas"
        case oneDNN = "onednn"
    }

    /// The library for fp32 products. oneDNN's matmul, measured faster than OpenBLAS on the models' shapes
    /// (README, Speed), is the default; OpenBLAS stays one setting away for comparison.
    nonisolated(unsafe) public static var backend: Backend = .oneDNN
    /// bf16 always runs through oneDNN (Debian's OpenBLAS 0.3.21 has no bf16 product).
    nonisolated(unsafe) public static var precision: Precision = .fp32

    /// True when products (and convolutions) go through oneDNN: always in bf16.
    @inline(__always) public static var usesOneDNN: Bool { backend == .oneDNN || precision == .bf16 }

    /// Runs `body` with products in `precision`, then restores the previous setting.
    public static func with<R>(precision: Precision, _ body: () throws -> R) rethrows -> R {
        let saved = self.precision
        self.precision = precision
        defer { self.precision = saved }
        return try body()
    }

    /// Why a CPU with `cpuFlags` (default: this one's) cannot run `precision` natively, or nil when it can.
    public static func unsupportedReason(_ precision: Precision, cpuFlags: Set<String> = BLASRuntime.cpuFlags) -> String? {
        if BLASRuntime.nativePrecisions(cpuFlags: cpuFlags).contains(precision) { return nil }
        return "--precision \(precision.rawValue) needs a CPU with AVX512_BF16 or AMX-BF16, and this one (\(BLASRuntime.cpuModel)) has neither; emulated bf16 would be slower than fp32"
    }
}

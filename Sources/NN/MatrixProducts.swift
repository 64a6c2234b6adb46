/// The number format in which matrix products read their operands; results and weights stay fp32.
public enum Precision: String, CaseIterable, Codable, Sendable {
    case fp32
    /// bfloat16 operands with fp32 accumulation, as AVX512_BF16 and AMX multiply them natively.
    case bf16
}

/// How a model's `Float` matrix products and convolutions run: which library, in which precision, and
/// where they are counted.
///
/// A value each layer that multiplies holds (`UsesMatrixProducts`), set for a whole model when it is built
/// (`Module.useMatrixProducts(_:)`), so two models in one process, in two precisions, on two threads, each
/// compute exactly as they would alone.
public struct MatrixProducts: Sendable {
    public enum Backend: String, CaseIterable, Codable, Sendable {
        case openBLAS = "openblas"
        case oneDNN = "onednn"
    }

    /// The library for fp32 products. oneDNN's matmul, measured faster than OpenBLAS on the models' shapes
    /// (README, Speed), is the default; OpenBLAS stays one setting away for comparison.
    public var backend: Backend
    /// bf16 always runs through oneDNN (Debian's OpenBLAS 0.3.21 has no bf16 product).
    public var precision: Precision
    /// Where every product is counted (benchmarks read FLOPs and shapes from it); nil counts nothing.
    public var counter: GEMMCounter?

    public init(backend: Backend = .oneDNN, precision: Precision = .fp32, counter: GEMMCounter? = nil) {
        self.backend = backend
        self.precision = precision
        self.counter = counter
    }

    /// True when products (and convolutions) go through oneDNN: always in bf16.
    @inline(__always) public var usesOneDNN: Bool { backend == .oneDNN || precision == .bf16 }

    /// The same settings in `precision`.
    public func with(precision: Precision) -> MatrixProducts {
        var copy = self
        copy.precision = precision
        return copy
    }

    /// Why a CPU with `cpuFlags` (default: this one's) cannot run `precision` natively, or nil when it can.
    public static func unsupportedReason(_ precision: Precision, cpuFlags: Set<String> = BLASRuntime.cpuFlags) -> String? {
        if BLASRuntime.nativePrecisions(cpuFlags: cpuFlags).contains(precision) { return nil }
        return "--precision \(precision.rawValue) needs a CPU with AVX512_BF16 or AMX-BF16, and this one (\(BLASRuntime.cpuModel)) has neither; emulated bf16 would be slower than fp32"
    }
}

/// A module whose passes multiply matrices, and so holds the `MatrixProducts` they run with.
public protocol UsesMatrixProducts: AnyObject {
    /// Setting it also sets every product-computing part the module keeps out of its `children`.
    var matrixProducts: MatrixProducts { get set }
}

extension Module {
    /// Every module in the tree that multiplies matrices: set once, then assigned without walking the tree.
    public var matrixProductUsers: [any UsesMatrixProducts] { modules(ofType: (any UsesMatrixProducts).self) }

    /// Runs every product of this module's tree with `products`.
    public func useMatrixProducts(_ products: MatrixProducts) {
        for user in matrixProductUsers { user.matrixProducts = products }
    }
}

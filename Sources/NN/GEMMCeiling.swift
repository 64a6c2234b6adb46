import Foundation

/// What this machine's matrix product (`gemm`, in a given library and precision) achieves, measured
/// in the same process and at the same thread count as the work it is compared with: the ceiling against
/// which a training step's GFLOP/s is read.
public enum GEMMCeiling {
    /// GFLOP/s of repeated products of `shape` with `products` (operands filled once, result overwritten),
    /// timed for at least `seconds` after one warm-up call; the best of three such windows.
    public static func gigaflops(_ shape: GEMMShape, products: MatrixProducts, seconds: Double = 0.2) -> Double {
        let a = shape.transposeA ? Matrix(rows: shape.k, cols: shape.m) : Matrix(rows: shape.m, cols: shape.k)
        let b = shape.transposeB ? Matrix(rows: shape.n, cols: shape.k) : Matrix(rows: shape.k, cols: shape.n)
        let c = Matrix(rows: shape.m, cols: shape.n)
        a.fill(0.5); b.fill(0.25)
        func once() { gemm(a, b, into: c, transposeA: shape.transposeA, transposeB: shape.transposeB, using: products) }
        once()
        var best = 0.0
        for _ in 0..<3 {
            var calls = 0
            let start = Date()
            repeat { once(); calls += 1 } while Date().timeIntervalSince(start) < seconds
            best = max(best, Double(calls * shape.flops) / Date().timeIntervalSince(start) / 1e9)
        }
        return best
    }

    /// A large square product (the usual "peak" of a BLAS library on this CPU).
    public static func squarePeak(products: MatrixProducts, size: Int = 2048, seconds: Double = 0.3) -> Double {
        gigaflops(GEMMShape(m: size, n: size, k: size, transposeA: false, transposeB: false), products: products, seconds: seconds)
    }

    /// The rate the products of one step would reach if each ran alone at its measured speed: total FLOPs
    /// over the sum of each shape's time. `shapes` may repeat; each distinct shape is measured once.
    public static func stepShapes(_ shapes: [GEMMShape], products: MatrixProducts, seconds: Double = 0.1) -> Double {
        var rate: [GEMMShape: Double] = [:]
        for s in Set(shapes) { rate[s] = gigaflops(s, products: products, seconds: seconds) }
        let total = shapes.reduce(0) { $0 + Double($1.flops) }
        let time = shapes.reduce(0) { $0 + Double($1.flops) / (rate[$1]! * 1e9) }
        return time > 0 ? total / time / 1e9 : 0
    }
}

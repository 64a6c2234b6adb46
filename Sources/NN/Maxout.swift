/// Maxout (Goodfellow et al., 2013): a linear map to `units * pieces` values, then the max of each
/// unit's `pieces` consecutive values (pylearn2's order: unit u owns columns u*pieces ..< (u+1)*pieces).
public final class Maxout: Layer, InferenceDifferentiable {
    public let linear: Linear
    public let units: Int, pieces: Int
    private var output = Workspace(), gradLinear = Workspace()
    private var winners: [Int32] = []   // argmax column per output element, for backward

    public init(_ inputSize: Int, units: Int, pieces: Int) {
        self.units = units
        self.pieces = pieces
        linear = Linear(inputSize, units * pieces)
    }

    public var children: [(name: String, module: Module)] { [("lin", linear)] }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        let z = linear.forward(x, mode: mode)
        let y = output.matrix(rows: x.rows, cols: units)
        if winners.count < y.count { winners = [Int32](repeating: 0, count: y.count) }
        let zp = z.pointer, yp = y.pointer, units = units, pieces = pieces, width = units * pieces
        winners.withUnsafeMutableBufferPointer { winners in
            let w = winners.baseAddress!
            ParallelLoop.forEachChunk(x.rows, work: z.count, alignment: 1) { rows in
                for r in rows {
                    for u in 0..<units {
                        let base = r * width + u * pieces
                        var best = zp[base], arg = 0
                        for k in 1..<pieces where zp[base + k] > best { best = zp[base + k]; arg = k }
                        yp[r * units + u] = best
                        w[r * units + u] = Int32(base + arg)
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        let dz = gradLinear.matrix(rows: dy.rows, cols: units * pieces)
        dz.fill(0)
        let dzp = dz.pointer, dyp = dy.pointer
        winners.withUnsafeBufferPointer { w in
            for i in 0..<dy.count { dzp[Int(w[i])] = dyp[i] }
        }
        return linear.backward(dz, needs: needs)
    }
}

/// A tensor of a stored shape held in a `Matrix`: [d0, d1, ...] as d0 rows of d1·d2·... values,
/// and a vector [n] as one row. The unit of checkpoints and state dicts.
public struct Tensor {
    public let shape: [Int]
    public let values: Matrix

    public init(shape: [Int], values: Matrix) {
        precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) for \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// The matrix layout of `shape`.
    public static func matrixShape(of shape: [Int]) -> (rows: Int, cols: Int) {
        shape.count >= 2 ? (shape[0], shape.dropFirst().reduce(1, *)) : (1, shape.first ?? 1)
    }
}

/// A named tensor of a module: trainable weights with their gradient, or state such as running statistics.
public final class Parameter {
    public let value: Matrix
    /// dLoss/dValue from the last backward pass (empty for state that is not trained).
    public let gradient: Matrix
    public let isTrainable: Bool
    /// If set, after each optimiser step every row (one unit's incoming weights) is scaled down to this L2 norm.
    public var maxRowNorm: Float?

    public init(rows: Int, cols: Int, trainable: Bool = true) {
        value = Matrix(rows: rows, cols: cols)
        gradient = trainable ? Matrix(rows: rows, cols: cols) : Matrix(rows: 0, cols: 0)
        isTrainable = trainable
    }
}

/// Anything that owns parameters. Containers prefix their children's names ("trunk.0.weight"),
/// so optimisers and checkpoints walk one tree and agree on every name.
public protocol Module: AnyObject {
    var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension Module {
    /// The trainable parameters, in tree order.
    public var trainableParameters: [Parameter] { namedParameters.map(\.parameter).filter(\.isTrainable) }

    /// Names of `child`'s parameters prefixed with `prefix` and a dot.
    public func prefixed(_ prefix: String, _ child: Module) -> [(name: String, parameter: Parameter)] {
        child.namedParameters.map { (prefix + "." + $0.name, $0.parameter) }
    }
}

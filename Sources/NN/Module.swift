/// Anything that owns tensors or other modules: a tree whose paths name every tensor ("trunk.0.weight"),
/// so optimisers, checkpoints and tools walk one tree and agree on every name (as MLX's `Module` does).
public protocol Module: AnyObject {
    /// The tensors this module owns itself, by local name ("weight", "bias", "running_mean").
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// The modules directly inside this one, by local name ("0", "lin", "trunk").
    var children: [(name: String, module: Module)] { get }
}

extension Module {
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var children: [(name: String, module: Module)] { [] }

    /// Every tensor in the tree, own ones first, then each child's prefixed by its name and a dot.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        ownParameters + children.flatMap { child in
            child.module.namedParameters.map { (child.name + "." + $0.name, $0.parameter) }
        }
    }

    /// The trainable parameters, in tree order.
    public var trainableParameters: [Parameter] { namedParameters.map(\.parameter).filter(\.isTrainable) }

    /// This module and every module below it, depth first, with its path ("" for this one).
    public var namedModules: [(name: String, module: Module)] {
        [("", self)] + children.flatMap { child in
            child.module.namedModules.map { (name: $0.name.isEmpty ? child.name : child.name + "." + $0.name, module: $0.module) }
        }
    }

    /// Every module of type `T` in the tree, depth first (e.g. every `Linear`, to initialise it).
    public func modules<T>(ofType: T.Type) -> [T] { namedModules.compactMap { $0.module as? T } }
}

/// A named tensor of a module: trainable weights with their gradient, or state such as running statistics.
///
/// `shape` is the tensor's shape as stored and as PyTorch names it ([out, in] for a weight, [n] for a
/// vector); the numbers live in a matrix of `shape[0]` rows (one row for a vector).
public final class Parameter {
    public let value: Matrix
    /// dLoss/dValue from the last backward pass (empty for state that is not trained).
    public let gradient: Matrix
    public let isTrainable: Bool
    public let shape: [Int]
    /// If set, after each optimiser step every row (one unit's incoming weights) is scaled down to this L2 norm.
    public var maxRowNorm: Float?

    public init(shape: [Int], trainable: Bool = true) {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "parameter shape \(shape)")
        let (rows, cols) = Tensor.matrixShape(of: shape)
        self.shape = shape
        value = Matrix(rows: rows, cols: cols)
        gradient = trainable ? Matrix(rows: rows, cols: cols) : Matrix(rows: 0, cols: 0)
        isTrainable = trainable
    }

    /// A trainable [rows, cols] matrix.
    public convenience init(rows: Int, cols: Int) { self.init(shape: [rows, cols]) }

    /// The value as a named tensor of its stored shape.
    public var tensor: Tensor { Tensor(shape: shape, values: value) }
}

/// A layer with a weight and a bias, initialised as PyTorch does by default, so a model initialises every
/// such layer in one walk of its tree.
public protocol DefaultInitializable: AnyObject {
    var weight: Parameter { get }
    var bias: Parameter { get }
    /// A requirement, so that a layer with more than a weight and a bias (`ProjectionHead`) initialises its own way.
    func initializeDefault(rng: RandomGenerator)
}

extension DefaultInitializable {
    /// Weight and bias uniform in ±1/sqrt(fan_in), fan_in being the product of the weight's dimensions after
    /// the first (PyTorch's rule: in for Linear, in·k·k for Conv2d, out·k·k for ConvTranspose2d's [in, out, k, k]).
    public func initializeDefault(rng: RandomGenerator) {
        let bound = 1 / Float(weight.value.cols).squareRoot()
        rng.fillUniform(weight.value, low: -bound, high: bound)
        rng.fillUniform(bias.value, low: -bound, high: bound)
    }
}

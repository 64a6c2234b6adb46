/// Updates parameters from their gradients. Its state is named after the parameters it updates,
/// so a checkpoint can store and restore it.
public protocol Optimizer: AnyObject {
    /// One update of every trainable parameter from its current gradient.
    func step()
    /// Moment buffers etc., e.g. ("trunk.0.weight.momentum", m).
    var namedState: [(name: String, value: Matrix)] { get }
    /// Number of steps taken (Adam's bias correction depends on it).
    var stepCount: Int { get set }
}

/// SGD with momentum in PyTorch's convention: v ← μv + g; θ ← θ - ηv. `learningRate` and `momentum`
/// are set from a schedule before each step.
public final class SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var stepCount = 0
    private let parameters: [(name: String, parameter: Parameter)]
    private let velocities: [Matrix]

    public init(_ module: Module, learningRate: Float, momentum: Float = 0) {
        parameters = module.namedParameters.filter { $0.parameter.isTrainable }
        velocities = parameters.map { Matrix(rows: $0.parameter.value.rows, cols: $0.parameter.value.cols) }
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public var namedState: [(name: String, value: Matrix)] {
        zip(parameters, velocities).map { ($0.name + ".momentum", $1) }
    }

    public func step() {
        for (entry, velocity) in zip(parameters, velocities) {
            SGD.update(entry.parameter.value.pointer, gradient: entry.parameter.gradient.pointer, velocity: velocity.pointer,
                       count: velocity.count, learningRate: learningRate, momentum: momentum)
            entry.parameter.applyMaxRowNorm()
        }
        stepCount += 1
    }

    /// One buffer's update, in a function of its own so the loop vectorises (no loads through `self`).
    @inline(never)
    static func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, velocity v: UnsafeMutablePointer<Float>,
                       count: Int, learningRate lr: Float, momentum mu: Float) {
        for i in 0..<count {
            let vi = mu * v[i] + g[i]
            v[i] = vi
            w[i] -= lr * vi
        }
    }
}

/// Adam (Kingma & Ba, 2015) with bias correction.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public var stepCount = 0
    private let parameters: [(name: String, parameter: Parameter)]
    private let firstMoments: [Matrix], secondMoments: [Matrix]

    public init(_ module: Module, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        parameters = module.namedParameters.filter { $0.parameter.isTrainable }
        firstMoments = parameters.map { Matrix(rows: $0.parameter.value.rows, cols: $0.parameter.value.cols) }
        secondMoments = parameters.map { Matrix(rows: $0.parameter.value.rows, cols: $0.parameter.value.cols) }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var namedState: [(name: String, value: Matrix)] {
        zip(parameters, firstMoments).map { ($0.name + ".exp_avg", $1) }
            + zip(parameters, secondMoments).map { ($0.name + ".exp_avg_sq", $1) }
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let stepSize = learningRate / (1 - powf(beta1, t))
        let rootCorrection = 1 / (1 - powf(beta2, t)).squareRoot()
        for (i, entry) in parameters.enumerated() {
            Adam.update(entry.parameter.value.pointer, gradient: entry.parameter.gradient.pointer,
                        firstMoment: firstMoments[i].pointer, secondMoment: secondMoments[i].pointer,
                        count: firstMoments[i].count, beta1: beta1, beta2: beta2, stepSize: stepSize,
                        rootCorrection: rootCorrection, epsilon: epsilon)
            entry.parameter.applyMaxRowNorm()
        }
    }

    /// θ ← θ - η̂ m / (√v̂ + ε) over one buffer. √ takes max(v, 0) (a no-op, v ≥ 0): knowing its argument is
    /// never negative lets the compiler use vector square roots instead of the errno-setting `sqrtf`.
    @inline(never)
    static func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, firstMoment m: UnsafeMutablePointer<Float>,
                       secondMoment v: UnsafeMutablePointer<Float>, count: Int, beta1 b1: Float, beta2 b2: Float,
                       stepSize: Float, rootCorrection: Float, epsilon: Float) {
        for j in 0..<count {
            let gj = g[j]
            let mj = b1 * m[j] + (1 - b1) * gj
            let vj = b2 * v[j] + (1 - b2) * gj * gj
            m[j] = mj
            v[j] = vj
            w[j] -= stepSize * mj / ((vj > 0 ? vj : 0).squareRoot() * rootCorrection + epsilon)
        }
    }
}

extension Parameter {
    /// Rescales each row whose L2 norm exceeds `maxRowNorm` back onto that norm (pylearn2's max_col_norm,
    /// for weights stored [out, in]).
    public func applyMaxRowNorm() {
        guard let limit = maxRowNorm else { return }
        let p = value.pointer, cols = value.cols
        for r in 0..<value.rows {
            let row = p + r * cols
            var s: Float = 0
            for c in 0..<cols { s += row[c] * row[c] }
            let norm = s.squareRoot()
            if norm > limit {
                let f = limit / norm
                for c in 0..<cols { row[c] *= f }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

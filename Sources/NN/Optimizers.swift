/// What an optimiser update uses, set by the trainer for each step (from a schedule).
public struct Hyperparameters: Sendable, Equatable {
    public var learningRate: Float
    /// SGD's momentum μ; Adam's first-moment decay β₁ (its momentum).
    public var momentum: Float
    public init(learningRate: Float, momentum: Float) { self.learningRate = learningRate; self.momentum = momentum }
}

/// Updates parameters from their gradients. Its state is named after the parameters it updates,
/// so a checkpoint can store and restore it.
public protocol Optimizer: AnyObject {
    /// One update of every trainable parameter from its current gradient. `step` counts updates from 1,
    /// this one included (Adam's bias correction depends on it).
    func update(_ hyperparameters: Hyperparameters, step: Int)
    /// Moment buffers etc., e.g. ("trunk.0.weight.momentum", m), shaped like their parameters.
    var namedState: [(name: String, tensor: Tensor)] { get }
}

/// SGD with momentum in PyTorch's convention: v ← μv + g; θ ← θ - ηv.
public final class SGD: Optimizer {
    private let parameters: [(name: String, parameter: Parameter)]
    private let velocities: [Tensor]

    public init(_ module: Module) {
        parameters = module.namedParameters.filter { $0.parameter.isTrainable }
        velocities = parameters.map { Tensor(shape: $0.parameter.shape, values: Matrix(rows: $0.parameter.value.rows, cols: $0.parameter.value.cols)) }
    }

    public var namedState: [(name: String, tensor: Tensor)] {
        zip(parameters, velocities).map { ($0.name + ".momentum", $1) }
    }

    public func update(_ h: Hyperparameters, step: Int) {
        for (entry, velocity) in zip(parameters, velocities) {
            let w = entry.parameter.value.pointer, g = entry.parameter.gradient.pointer, v = velocity.values.pointer
            ParallelLoop.forEachChunk(velocity.values.count) { r in
                SGD.update(w + r.lowerBound, gradient: g + r.lowerBound, velocity: v + r.lowerBound, count: r.count,
                           learningRate: h.learningRate, momentum: h.momentum)
            }
            entry.parameter.applyMaxRowNorm()
        }
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
    public let beta2: Float, epsilon: Float
    private let parameters: [(name: String, parameter: Parameter)]
    private let firstMoments: [Tensor], secondMoments: [Tensor]

    public init(_ module: Module, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        parameters = module.namedParameters.filter { $0.parameter.isTrainable }
        func zeros(_ p: Parameter) -> Tensor { Tensor(shape: p.shape, values: Matrix(rows: p.value.rows, cols: p.value.cols)) }
        firstMoments = parameters.map { zeros($0.parameter) }
        secondMoments = parameters.map { zeros($0.parameter) }
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var namedState: [(name: String, tensor: Tensor)] {
        zip(parameters, firstMoments).map { ($0.name + ".exp_avg", $1) }
            + zip(parameters, secondMoments).map { ($0.name + ".exp_avg_sq", $1) }
    }

    /// `hyperparameters.momentum` is β₁.
    public func update(_ h: Hyperparameters, step: Int) {
        let t = Float(step), beta1 = h.momentum
        let stepSize = h.learningRate / (1 - powf(beta1, t))
        let rootCorrection = 1 / (1 - powf(beta2, t)).squareRoot()
        for (i, entry) in parameters.enumerated() {
            let w = entry.parameter.value.pointer, g = entry.parameter.gradient.pointer
            let m = firstMoments[i].values.pointer, v = secondMoments[i].values.pointer, beta2 = beta2, epsilon = epsilon
            ParallelLoop.forEachChunk(firstMoments[i].values.count) { r in
                Adam.update(w + r.lowerBound, gradient: g + r.lowerBound, firstMoment: m + r.lowerBound, secondMoment: v + r.lowerBound,
                            count: r.count, beta1: beta1, beta2: beta2, stepSize: stepSize, rootCorrection: rootCorrection, epsilon: epsilon)
            }
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

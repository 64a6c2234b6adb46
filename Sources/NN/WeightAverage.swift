/// An exponential moving average of a module's trainable weights, kept in a second module of the same
/// tree: after each step, average ← decay · average + (1 - decay) · weights.
///
/// Samples from the average are smoother than from the last step's weights, which move with every
/// minibatch. The average's other state (batch-norm running statistics) is not averaged: statistics
/// of one set of weights do not fit another, so the owner recomputes them for the average itself.
public final class WeightAverage {
    public let source: Module, average: Module
    private let pairs: [(source: Matrix, average: Matrix)]

    /// Starts `average` (a module built like `source`) at `source`'s values, state included.
    public init(of source: Module, into average: Module) {
        let s = source.namedParameters, a = average.namedParameters
        precondition(s.map(\.name) == a.map(\.name) && zip(s, a).allSatisfy { $0.parameter.shape == $1.parameter.shape },
                     "WeightAverage needs two modules of the same tree")
        for (x, y) in zip(s, a) { y.parameter.value.copy(from: x.parameter.value) }
        self.source = source
        self.average = average
        pairs = zip(s, a).filter { $0.0.parameter.isTrainable }.map { ($0.0.parameter.value, $0.1.parameter.value) }
    }

    /// One step of the average.
    public func update(decay: Float) {
        let keep = 1 - decay
        for (s, a) in pairs {
            let sp = s.pointer, ap = a.pointer
            ParallelLoop.forEachChunk(s.count) { r in for i in r { ap[i] += keep * (sp[i] - ap[i]) } }
        }
    }
}

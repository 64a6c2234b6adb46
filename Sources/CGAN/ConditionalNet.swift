import NN

/// A net of two inputs, as both players of a conditional GAN are: a data input (noise z for G, image x
/// for D) and a one-hot label y, each through its own branch, concatenated, then a shared trunk.
/// A net that concatenates its raw inputs has `Identity` branches.
public final class ConditionalNet: Module {
    public let branches: Concat
    public let trunk: Sequential
    /// Dropout layers anywhere in the net (for sampling-time dropout).
    public let dropouts: [Dropout]
    /// The generator for this net's dropout masks; sampling swaps its state out and back.
    public let rng: RandomGenerator

    public init(data: Layer, label: Layer, trunk: Sequential, rng: RandomGenerator) {
        branches = Concat(data, named: "data", label, named: "label")
        self.trunk = trunk
        self.rng = rng
        dropouts = [data, label, trunk].flatMap(ConditionalNet.dropouts(in:))
    }

    private static func dropouts(in layer: Layer) -> [Dropout] {
        if let d = layer as? Dropout { return [d] }
        if let s = layer as? Sequential { return s.layers.flatMap(dropouts(in:)) }
        return []
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        branches.namedParameters + prefixed("trunk", trunk)
    }

    /// Every `Linear` map (including those inside maxout units), in parameter order.
    public var linearMaps: [Linear] {
        func linears(_ layer: Layer) -> [Linear] {
            if let l = layer as? Linear { return [l] }
            if let m = layer as? Maxout { return [m.linear] }
            if let s = layer as? Sequential { return s.layers.flatMap(linears) }
            return []
        }
        return linears(branches.first) + linears(branches.second) + linears(trunk)
    }

    /// The net's output for a batch of inputs and one-hot labels (rows must match).
    public func forward(_ input: Matrix, labels: Matrix, mode: Mode) -> Matrix {
        trunk.forward(branches.forward(input, labels, mode: mode), mode: mode)
    }

    /// Backward through trunk and branches; returns dLoss/dInput when `inputGradient` is set.
    public func backward(_ gradOutput: Matrix, parameterGradients: Bool, inputGradient: Bool) -> Matrix {
        let g = trunk.backward(gradOutput, needs: parameterGradients ? .all : .input)
        return branches.backward(g, parameterGradients: parameterGradients, inputGradient: inputGradient)
    }

    /// Keeps dropout on (or not) when the net runs in inference mode.
    public func setDropoutAtInference(_ on: Bool) { for d in dropouts { d.activeAtInference = on } }
}

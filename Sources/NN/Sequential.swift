/// Layers applied in order; parameters are named by position ("0.weight", "2.bias"), as in PyTorch.
public final class Sequential: Layer, InferenceDifferentiable {
    public let layers: [Layer]
    /// Whether any layer before index i has trainable parameters (then layer i must pass a gradient down).
    private let parametersBelow: [Bool]

    public init(_ layers: [Layer]) {
        self.layers = layers
        var below = false
        parametersBelow = layers.map { layer in
            defer { below = below || !layer.trainableParameters.isEmpty }
            return below
        }
    }
    public convenience init(_ layers: Layer...) { self.init(layers) }

    public var children: [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        var h = x
        for layer in layers { h = layer.forward(h, mode: mode) }
        return h
    }

    /// A layer passes its input gradient down when the caller wants dLoss/dInput, or when a layer
    /// below it needs one for its parameters (so a net trained on fixed inputs skips dLoss/dx of its first layer).
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        var g = dy
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            var n = needs
            if i > 0 && needs.contains(.parameters) && parametersBelow[i] { n.insert(.input) }
            g = layers[i].backward(g, needs: n)
        }
        return g
    }
}

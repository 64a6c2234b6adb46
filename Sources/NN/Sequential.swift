/// Layers applied in order; parameters are named by position ("0.weight", "2.bias"), as in PyTorch.
public final class Sequential: Layer {
    public let layers: [Layer]

    public init(_ layers: [Layer]) { self.layers = layers }
    public convenience init(_ layers: Layer...) { self.init(layers) }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element) }
    }

    public func forward(_ x: Matrix, mode: Mode) -> Matrix {
        var h = x
        for layer in layers { h = layer.forward(h, mode: mode) }
        return h
    }

    /// Inner layers always pass the input gradient down; only the first layer honours `needs`' `.input`.
    public func backward(_ dy: Matrix, needs: GradientNeeds) -> Matrix {
        var g = dy
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            g = layers[i].backward(g, needs: i > 0 ? needs.union(.input) : needs)
        }
        return g
    }
}

import NN

/// A net of two inputs, as both players of a conditional GAN are: a data input (noise z for G, image x
/// for D) and a one-hot label y, each through its own branch, joined side by side, then a shared trunk.
/// A net that concatenates its raw inputs has `Identity` branches. A projection discriminator ends in a
/// `ProjectionHead`, which reads the label again after the trunk.
public final class ConditionalNet: Module {
    public let data: Layer, label: Layer
    public let trunk: Sequential
    public let head: ProjectionHead?
    /// The generator of this net's dropout masks (sampling saves and restores its state).
    public let rng: RandomGenerator
    private var join = ColumnConcat()

    public init(data: Layer, label: Layer, trunk: Sequential, head: ProjectionHead? = nil, rng: RandomGenerator) {
        self.data = data
        self.label = label
        self.trunk = trunk
        self.head = head
        self.rng = rng
    }

    public var children: [(name: String, module: Module)] {
        [("data", data), ("label", label), ("trunk", trunk)] + (head.map { [("head", $0)] } ?? [])
    }

    /// The net's output for inputs [n, data width] and one-hot labels [n, classes].
    public func forward(_ input: Matrix, labels: Matrix, mode: Mode) -> Matrix {
        let h = trunk.forward(join.forward(data.forward(input, mode: mode), label.forward(labels, mode: mode)), mode: mode)
        return head?.forward(h, labels: labels, mode: mode) ?? h
    }

    /// Backward through trunk and branches; returns dLoss/dInput when `needs` contains `.input`
    /// (the label input never needs one).
    public func backward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix {
        let trunkNeeds: GradientNeeds = needs.contains(.parameters) ? .all : .input
        let gradTrunk = head?.backward(gradOutput, needs: trunkNeeds) ?? gradOutput
        let (gradData, gradLabel) = join.backward(trunk.backward(gradTrunk, needs: trunkNeeds))
        let branchNeeds = needs.intersection(.parameters)
        _ = label.backward(gradLabel, needs: branchNeeds)
        return data.backward(gradData, needs: needs.contains(.input) ? branchNeeds.union(.input) : branchNeeds)
    }
}

import NN

/// A net of two inputs, as both players of a conditional GAN are: a data input (noise z for G, image x
/// for D) and a one-hot label y, each through its own branch, joined side by side, then a shared trunk.
/// A net that concatenates its raw inputs has `Identity` branches. A projection discriminator ends in a
/// `ProjectionHead`, which reads the label again after the trunk; beside it, an AC-GAN discriminator has a
/// `classifier` of the same features, whose class logits follow the score: output [n, 1 + classes].
/// Layers that read the class themselves (`ClassConditioned`, as a class-conditional batch norm's
/// `ClassAffine`) are handed the labels before each forward.
public final class ConditionalNet: Module, UsesMatrixProducts, InferenceDifferentiable {
    public let data: Layer, label: Layer
    public let trunk: Sequential
    public let head: ProjectionHead?
    /// Class logits from the features the head reads (an auxiliary classifier); only with a head.
    public let classifier: Layer?
    /// The generator of this net's dropout masks (sampling saves and restores its state).
    public let rng: RandomGenerator
    /// The layers among data, label and trunk that read the labels too.
    private let conditioned: [any ClassConditioned]
    /// The layers that multiply matrices, found once, so that setting `matrixProducts` walks no tree.
    private let productUsers: [any UsesMatrixProducts]

    /// How every product of the net runs. Setting it sets every layer's and allocates nothing, so a
    /// training step may switch the precision around each step.
    public var matrixProducts: MatrixProducts {
        didSet { for user in productUsers { user.matrixProducts = matrixProducts } }
    }
    private var join = ColumnConcat(), scoreAndClasses = ColumnConcat(), featureGradient = Workspace()

    public init(data: Layer, label: Layer, trunk: Sequential, head: ProjectionHead? = nil, classifier: Layer? = nil,
                rng: RandomGenerator, matrixProducts: MatrixProducts = MatrixProducts()) {
        precondition(classifier == nil || head != nil, "ConditionalNet: a classifier reads the head's features")
        self.data = data
        self.label = label
        self.trunk = trunk
        self.head = head
        self.classifier = classifier
        self.rng = rng
        conditioned = ([data, label, trunk] as [any Module]).flatMap { $0.modules(ofType: (any ClassConditioned).self) }
        productUsers = ([data, label, trunk, head, classifier] as [(any Module)?]).compactMap { $0 }.flatMap(\.matrixProductUsers)
        self.matrixProducts = matrixProducts
        for user in productUsers { user.matrixProducts = matrixProducts }
    }

    public var children: [(name: String, module: Module)] {
        [("data", data), ("label", label), ("trunk", trunk)] + (head.map { [("head", $0)] } ?? [])
            + (classifier.map { [("classifier", $0)] } ?? [])
    }

    /// The net's output for inputs [n, data width] and one-hot labels [n, classes]: [n, out], or with a
    /// classifier [n, 1 + classes], the head's score then the class logits.
    public func forward(_ input: Matrix, labels: Matrix, mode: Mode) -> Matrix {
        for layer in conditioned { layer.labels = labels }
        let h = trunk.forward(join.forward(data.forward(input, mode: mode), label.forward(labels, mode: mode)), mode: mode)
        guard let head else { return h }
        let score = head.forward(h, labels: labels, mode: mode)
        guard let classifier else { return score }
        return scoreAndClasses.forward(score, classifier.forward(h, mode: mode))
    }

    /// Backward through head (and classifier), trunk and branches; returns dLoss/dInput when `needs`
    /// contains `.input` (the label input never needs one).
    public func backward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix {
        let trunkNeeds: GradientNeeds = needs.contains(.parameters) ? .all : .input
        let gradTrunk = headBackward(gradOutput, needs: trunkNeeds)
        let (gradData, gradLabel) = join.backward(trunk.backward(gradTrunk, needs: trunkNeeds))
        let branchNeeds = needs.intersection(.parameters)
        _ = label.backward(gradLabel, needs: branchNeeds)
        return data.backward(gradData, needs: needs.contains(.input) ? branchNeeds.union(.input) : branchNeeds)
    }

    /// dOut -> dh [n, F]: the head's gradient plus the classifier's, both reading h.
    private func headBackward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix {
        guard let head else { return gradOutput }
        guard let classifier else { return head.backward(gradOutput, needs: needs) }
        let (gradScore, gradClasses) = scoreAndClasses.backward(gradOutput)
        let fromHead = head.backward(gradScore, needs: needs), fromClassifier = classifier.backward(gradClasses, needs: needs)
        let dh = featureGradient.matrix(rows: fromHead.rows, cols: fromHead.cols)
        let a = fromHead.pointer, b = fromClassifier.pointer, out = dh.pointer
        for i in 0..<dh.count { out[i] = a[i] + b[i] }
        return dh
    }
}

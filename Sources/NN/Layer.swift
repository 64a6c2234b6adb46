/// How a layer runs: training (dropout active, batch statistics), inference, or inference that keeps
/// dropout active (Monte Carlo dropout: samples vary with the dropout masks).
public enum Mode: Sendable {
    case training, inference, inferenceKeepingDropout
}

/// What a backward pass must produce.
public struct GradientNeeds: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// dLoss/dInput, for the layer below.
    public static let input = GradientNeeds(rawValue: 1)
    /// dLoss/dParameter, written (not added) into each `Parameter.gradient`.
    public static let parameters = GradientNeeds(rawValue: 2)
    public static let all: GradientNeeds = [.input, .parameters]
}

/// One step of a network with an explicit forward and backward pass.
///
/// `forward` returns a view of a buffer the layer owns, valid until its next forward; `backward` takes
/// dLoss/dOutput for that same forward and returns dLoss/dInput (an empty matrix when `.input` is not needed).
public protocol Layer: Module {
    func forward(_ input: Matrix, mode: Mode) -> Matrix
    func backward(_ gradOutput: Matrix, needs: GradientNeeds) -> Matrix
}

/// A module whose backward pass after an inference-mode forward (`.inference` or
/// `.inferenceKeepingDropout`) gives the gradient of the function that forward computed, not the
/// training-mode one: what a caller that back-propagates through a net in inference mode relies on
/// (a GAN's generator step scoring D so), and checks with `modulesWithoutInferenceBackward`.
///
/// A protocol a layer opts into, so that a new layer is refused there until it says it qualifies.
public protocol InferenceDifferentiable: Module {
    /// False where the instance wraps a layer that lacks it; true by default.
    var hasInferenceBackward: Bool { get }
}

extension InferenceDifferentiable {
    public var hasInferenceBackward: Bool { true }
}

extension Module {
    /// The modules of this tree (path and type; the root's path is empty) whose backward pass after an
    /// inference-mode forward would not be that mode's gradient.
    public var modulesWithoutInferenceBackward: [String] {
        namedModules.filter { !(($0.module as? any InferenceDifferentiable)?.hasInferenceBackward ?? false) }
            .map { ($0.name.isEmpty ? "" : $0.name + " ") + "(\(type(of: $0.module)))" }
    }
}

/// The matrix returned for a gradient nobody asked for.
nonisolated(unsafe) public let noGradient = Matrix(rows: 0, cols: 0)

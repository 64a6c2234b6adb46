import NN

/// The learning rate and momentum of every training step, from the config. SGD: the rate decays per
/// step down to a floor and the momentum ramps linearly (the paper's recipe); Adam: a constant rate, β₁.
public struct TrainingSchedule: Sendable {
    public let optimizer: OptimizerKind
    let learningRate: ExponentialDecay
    let momentum: LinearRamp

    public init(config c: TrainingConfig, stepsPerEpoch: Int) {
        optimizer = c.optimizer
        switch c.optimizer {
        case .sgd:
            learningRate = ExponentialDecay(initial: c.learningRate, factor: c.learningRateDecay, floor: c.learningRateFloor)
            momentum = LinearRamp(start: c.momentumStart, end: c.momentumEnd,
                                  steps: Int(c.momentumSaturateEpochs * Double(stepsPerEpoch)))
        case .adam:
            learningRate = ExponentialDecay(initial: c.learningRate, factor: 1, floor: 0)
            momentum = LinearRamp(start: c.adamBeta1, end: c.adamBeta1, steps: 0)
        }
    }

    /// What step `t` (counted from 0) uses.
    public func hyperparameters(atStep t: Int) -> Hyperparameters {
        Hyperparameters(learningRate: Float(learningRate.value(atStep: t)), momentum: Float(momentum.value(atStep: t)))
    }
}

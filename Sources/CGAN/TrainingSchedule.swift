import NN

/// The learning rate and momentum of every training step, from the config. SGD: the rate decays per
/// step down to a floor and the momentum ramps linearly (the paper's recipe); Adam: a constant rate, β₁,
/// or with `learningRateDecayStart` a constant rate that then falls linearly to zero at the last step.
public struct TrainingSchedule: Sendable {
    public let optimizer: OptimizerKind
    let learningRate: ExponentialDecay
    let momentum: LinearRamp
    /// Adam's linear fall to zero: from `start` (rate unchanged) to `end` (the run's last step).
    let linearDecay: LinearRamp?

    public init(config c: TrainingConfig, stepsPerEpoch: Int) {
        optimizer = c.optimization.optimizer
        switch c.optimization.optimizer {
        case .sgd:
            learningRate = ExponentialDecay(initial: c.optimization.learningRate, factor: c.optimization.learningRateDecay, floor: c.optimization.learningRateFloor)
            momentum = LinearRamp(start: c.optimization.momentumStart, end: c.optimization.momentumEnd,
                                  steps: Int(c.optimization.momentumSaturateEpochs * Double(stepsPerEpoch)))
        case .adam:
            learningRate = ExponentialDecay(initial: c.optimization.learningRate, factor: 1, floor: 0)
            momentum = LinearRamp(start: c.optimization.adamBeta1, end: c.optimization.adamBeta1, steps: 0)
        }
        if c.optimization.optimizer == .adam, let fraction = c.optimization.learningRateDecayStart {
            let total = c.optimization.epochs * stepsPerEpoch, start = Int((fraction * Double(total)).rounded())
            decayStart = start
            linearDecay = LinearRamp(start: 1, end: 0, steps: max(total - start, 1))
        } else {
            decayStart = 0
            linearDecay = nil
        }
    }

    let decayStart: Int

    /// What step `t` (counted from 0) uses.
    public func hyperparameters(atStep t: Int) -> Hyperparameters {
        let factor = linearDecay.map { t < decayStart ? 1 : $0.value(atStep: t - decayStart) } ?? 1
        return Hyperparameters(learningRate: Float(learningRate.value(atStep: t) * factor), momentum: Float(momentum.value(atStep: t)))
    }
}

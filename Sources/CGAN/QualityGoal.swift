import Foundation

/// The bar a trained generator is held to: the share of samples the evaluation classifier labels as the
/// class asked for, and the FID within a multiple of the real floor (the FID between two sets of real
/// images in the same features). The default is the bar the default dcgan's 40 epochs reach on MNIST.
public struct QualityGoal: Sendable, Equatable {
    public var labelAccuracy: Double
    public var fidOverFloor: Double

    public init(labelAccuracy: Double = 0.99, fidOverFloor: Double = 1.8) {
        self.labelAccuracy = labelAccuracy
        self.fidOverFloor = fidOverFloor
    }

    /// True when `report` meets both halves of the goal.
    public func isMet(by report: EvaluationReport) -> Bool {
        // A floor of 0 or a non-finite score (an untrained classifier, a broken generator) meets no goal.
        report.fidRealFloor > 0 && report.fid.isFinite && report.labelAccuracy >= labelAccuracy
            && report.fid / report.fidRealFloor <= fidOverFloor
    }

    /// "label accuracy ≥ 0.99 and FID ≤ 1.8x the real floor".
    public var description: String {
        String(format: "label accuracy ≥ %g and FID ≤ %gx the real floor", labelAccuracy, fidOverFloor)
    }
}

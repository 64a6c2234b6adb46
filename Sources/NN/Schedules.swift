/// η_t = max(initial / factor^t, floor): a per-step exponential learning-rate decay with a floor.
public struct ExponentialDecay: Sendable, Codable, Equatable {
    public var initial: Double, factor: Double, floor: Double
    public init(initial: Double, factor: Double, floor: Double) {
        self.initial = initial; self.factor = factor; self.floor = floor
    }
    public func value(atStep t: Int) -> Double { max(initial / pow(factor, Double(t)), floor) }
}

/// A value moving linearly from `start` to `end` over `steps` steps, then staying at `end`.
public struct LinearRamp: Sendable, Codable, Equatable {
    public var start: Double, end: Double, steps: Int
    public init(start: Double, end: Double, steps: Int) {
        self.start = start; self.end = end; self.steps = steps
    }
    public func value(atStep t: Int) -> Double {
        guard steps > 0 else { return end }
        return start + (end - start) * min(1, Double(t) / Double(steps))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation
import NN

/// A seeded source for `Int.random(in:using:)` and friends in randomised tests, so a failure can be replayed:
/// each test has a fixed default seed, `CGAN_TEST_SEED` overrides it to explore others, and every failure
/// message names the seed in use (`description`).
public struct SeededRandom: RandomNumberGenerator, CustomStringConvertible {
    public let seed: UInt64
    private let generator: RandomGenerator

    /// `CGAN_TEST_SEED` where set to a number, else `defaultSeed`.
    public init(defaultSeed: UInt64, environment: [String: String] = ProcessInfo.processInfo.environment) {
        seed = environment["CGAN_TEST_SEED"].flatMap { UInt64($0) } ?? defaultSeed
        generator = RandomGenerator(seed: seed)
    }

    public mutating func next() -> UInt64 { generator.next() }

    public var description: String { "seed \(seed) (replay with CGAN_TEST_SEED=\(seed))" }
}

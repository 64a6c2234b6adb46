/// Which images a run trains on.
public struct DataSettings: Codable, Sendable, Equatable {
    /// A name `DatasetRegistry` knows.
    public var dataset = "mnist"
    /// Train on the first `trainLimit` images only (quick experiments and tests); nil: all 50,000.
    public var trainLimit: Int?
}

import Foundation

/// What one client, one request or one file may cost a running `cgan serve`: the server is meant to be left
/// running, so slow or hostile clients and oversized run files meet a bound instead of a stalled or dead server.
public struct ServerLimits: Sendable {
    /// Seconds a client has to send a whole request, from connecting or from the end of the last response
    /// (slow senders and idle connections are closed after it).
    public var readTimeout: Double = 10
    /// Seconds a client has to take a response.
    public var writeTimeout: Double = 30
    /// Connections served at once; further clients wait in the listen backlog until one closes.
    public var maximumConnections = 128
    /// Requests that draw with a model at once (threads of their own; one copy of a model each).
    public var modelWorkers = ProcessInfo.processInfo.activeProcessorCount
    /// Drawing requests that may wait for a worker; past that the server answers 503 with Retry-After.
    public var maximumWaiting = 16
    /// Checkpoints whose loaded models are kept in memory.
    public var keptCheckpoints = 4
    /// Rows of a CSV log one metrics response holds (a longer log is sampled evenly, last row kept).
    public var metricsRows = 1_000

    public init() {}
}

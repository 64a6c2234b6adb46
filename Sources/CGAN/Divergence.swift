import Files
import Foundation

/// Where a run's loss stopped being finite: written as diverged.json into the run directory when training stops
/// on a non-finite loss, so that tools tell a run that diverged (an outcome of its settings) from one that was
/// only interrupted (work still to do). Resuming the run with epochs left removes it; diverging again writes it anew.
public struct Divergence: Codable, Sendable, Equatable {
    /// The exit status of `cgan train` when it stops on a non-finite loss, apart from other failures'.
    public static let exitCode: Int32 = 3

    /// The step whose loss was not finite, counted from 1, and the epoch it belongs to, counted from 1.
    public var step: Int, epoch: Int
    /// The two losses of that step as text ("nan", "inf", or a number): JSON has no NaN or infinity.
    public var discriminatorLoss: String, generatorLoss: String
    /// The last checkpoint the run saved before it diverged, as the checkpoint counts (epochs and batches done);
    /// nil when it saved none.
    public var lastCheckpoint: Checkpoint.Position?

    public init(step: Int, epoch: Int, discriminatorLoss: Double, generatorLoss: Double, lastCheckpoint: Checkpoint.Position?) {
        self.step = step
        self.epoch = epoch
        self.discriminatorLoss = discriminatorLoss.isNaN ? "nan" : "\(discriminatorLoss)"
        self.generatorLoss = generatorLoss.isNaN ? "nan" : "\(generatorLoss)"
        self.lastCheckpoint = lastCheckpoint
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, discriminatorLoss = "d_loss", generatorLoss = "g_loss", lastCheckpoint = "last_checkpoint"
    }

    /// The record in `directory`; nil when there is none or it is not one (a damaged record says nothing).
    public init?(in directory: RunDirectory) {
        guard let data = RegularFile.contents(atPath: directory.divergence, limit: 1 << 16),
              let record = try? JSONDecoder().decode(Divergence.self, from: data), record.epoch > 0, record.step >= record.epoch,
              record.lastCheckpoint.map({ $0.step < record.step && $0.epoch < record.epoch }) ?? true else { return nil }
        self = record
    }

    /// Writes the record into `directory`, whole or not at all.
    public func write(to directory: RunDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: directory.divergence)
    }

    /// "step 155 (epoch 1)".
    public var summary: String { "step \(step) (epoch \(epoch))" }
}

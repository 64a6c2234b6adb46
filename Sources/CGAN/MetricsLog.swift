import Files
import Datasets
import Foundation
import Media

/// metrics.csv: one row per logging interval, appended and flushed as training goes.
public final class MetricsLog {
    public static let header = "step,epoch,d_loss,g_loss,d_real,d_fake,learning_rate,momentum,images_per_s,wall_s"
    private let sink: FileSink

    /// Opens `path` for appending. When resuming from `step`, rows after it (written after the checkpoint)
    /// are dropped so the log matches the restored state.
    public init(path: String, resumingAt step: Int?) throws {
        var text = MetricsLog.header + "\n"
        if let step {
            for line in CSVTable.lines(ofFileAt: path).dropFirst() {
                if let s = Int(line.prefix { $0 != "," }), s <= step { text += line + "\n" }
            }
        }
        try AtomicFile.write(text, to: path)
        sink = try FileSink(appendingTo: path)
    }

    deinit { sink.closeQuietly() }

    /// Appends one row, whole or not at all (a full disk leaves no half line).
    public func append(step: Int, epoch: Double, stats: StepStatistics, imagesPerSecond: Double, wallSeconds: Double) throws {
        let line = String(format: "%d,%.4f,%.6f,%.6f,%.5f,%.5f,%.6g,%.4g,%.1f,%.2f\n", step, epoch, stats.discriminatorLoss,
                          stats.generatorLoss, stats.realScore, stats.fakeScore, stats.learningRate, stats.momentum,
                          imagesPerSecond, wallSeconds)
        try sink.writeWhole(Data(line.utf8))
    }
}

import Files
import Datasets
import Foundation

/// metrics.csv: one row per logging interval, appended and flushed as training goes.
public final class MetricsLog {
    public static let header = "step,epoch,d_loss,g_loss,d_real,d_fake,learning_rate,momentum,images_per_s,wall_s"
    private let handle: FileHandle

    /// Opens `path` for appending. When resuming from `step`, rows after it (written after the checkpoint)
    /// are dropped so the log matches the restored state.
    public init(path: String, resumingAt step: Int?) throws {
        var text = MetricsLog.header + "\n"
        if let step, let old = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in old.split(separator: "\n").dropFirst() {
                if let s = Int(line.prefix { $0 != "," }), s <= step { text += line + "\n" }
            }
        }
        try AtomicFile.write(text, to: path)
        guard let h = FileHandle(forWritingAtPath: path) else { throw FileError(path, "cannot open for writing") }
        h.seekToEndOfFile()
        handle = h
    }

    deinit { try? handle.close() }

    public func append(step: Int, epoch: Double, stats: StepStatistics, imagesPerSecond: Double, wallSeconds: Double) {
        let line = String(format: "%d,%.4f,%.6f,%.6f,%.5f,%.5f,%.6g,%.4g,%.1f,%.2f\n", step, epoch, stats.discriminatorLoss,
                          stats.generatorLoss, stats.realScore, stats.fakeScore, stats.learningRate, stats.momentum,
                          imagesPerSecond, wallSeconds)
        handle.write(Data(line.utf8))
    }
}

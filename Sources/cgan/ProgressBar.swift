import CGAN
import Foundation

/// Renders training progress: a redrawn bar with ETA on a terminal, plain lines otherwise.
struct ProgressBar {
    let isTerminal = isatty(STDERR_FILENO) != 0

    func show(_ p: TrainingProgress) {
        let s = p.statistics
        let numbers = String(format: "epoch %d/%d step %d/%d  D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f  %.0f img/s  ETA %@",
                             p.epoch + 1, p.epochs, p.step, p.totalSteps, s.discriminatorLoss, s.generatorLoss,
                             s.realScore, s.fakeScore, p.imagesPerSecond, Self.duration(p.secondsLeft))
        if isTerminal {
            let width = 24, filled = min(width, p.step * width / max(p.totalSteps, 1))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            StandardStream.error("\r\u{1B}[2K[\(bar)] " + numbers)
        } else {
            Self.printLine(numbers)
        }
    }

    /// Prints a line, first clearing a bar in progress.
    func message(_ text: String) {
        if isTerminal { StandardStream.error("\r\u{1B}[2K") }
        Self.printLine(text)
    }

    /// Writes "Error: <text>" to stderr (as main does for other errors, each line printable), first clearing a bar.
    func error(_ text: String) {
        if isTerminal { StandardStream.error("\r\u{1B}[2K") }
        StandardStream.error("Error: " + text.printableLines + "\n")
    }

    /// Writes a line to stdout unbuffered, so progress shows as it happens in a pipe or a log file.
    static func printLine(_ text: String) { StandardStream.output(text + "\n") }

    static func duration(_ seconds: Double) -> String {
        // Estimates can be anything (a first interval of no time): beyond 10,000 hours they say so.
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        guard seconds < 36e6 else { return ">10000h" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}

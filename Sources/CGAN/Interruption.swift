import Files
import Glibc
import Synchronization

/// Ctrl-C (or SIGTERM, SIGHUP, and for the command-line program SIGPIPE, the reader of a piped output gone) during
/// training: the handler only sets a flag; the loop saves a checkpoint and stops cleanly.
public enum Interruption {
    /// Set by the signal handlers; a lock-free atomic, so storing to it from a handler is safe.
    static let flag = Atomic<Bool>(false)

    /// True when a stop was asked for and the run has not yet acted on it.
    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Installs the SIGINT, SIGTERM and SIGHUP handlers (`TrainingRun.run` does): each saves and stops like
    /// Ctrl-C. A signal ignored when the program started stays ignored (SIGHUP under `nohup`: closing the
    /// terminal must not stop the run).
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { installUnlessIgnored(signalNumber) }
    }

    /// Makes SIGPIPE, a write to a pipe whose reader has gone (`cgan train | head`), save and stop like Ctrl-C
    /// rather than end the process with the epoch's work lost. A program's choice, not the library's: the
    /// program's writes must then survive a failed write (`print` does; `FileHandle.write(_:)` traps).
    public static func installBrokenPipeHandler() { installUnlessIgnored(SIGPIPE) }

    private static func installUnlessIgnored(_ signalNumber: Int32) {
        SignalDisposition.installUnlessIgnored(signalNumber) { _ in Interruption.flag.store(true, ordering: .relaxed) }
    }

    /// Simulates a Ctrl-C (tests).
    public static func request() { flag.store(true, ordering: .relaxed) }
    /// Forgets a request (tests; a run that has acted on one).
    public static func reset() { flag.store(false, ordering: .relaxed) }
}

import Files
import Glibc
import Synchronization

/// Ctrl-C (or SIGTERM, SIGHUP, or SIGPIPE when the reader of a piped output has gone) during training: the handler
/// only sets a flag; the loop saves a checkpoint and stops cleanly.
public enum Interruption {
    /// Set by the signal handlers; a lock-free atomic, so storing to it from a handler is safe.
    static let flag = Atomic<Bool>(false)

    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Installs the SIGINT, SIGTERM, SIGHUP and SIGPIPE handlers: each saves and stops like Ctrl-C. A signal
    /// ignored when the program started stays ignored (SIGHUP under `nohup`: closing the terminal must not stop
    /// the run). With SIGPIPE handled, a write to a closed pipe fails instead of ending the process, so output
    /// must be written with calls that survive that (`print`, or the CLI's `StandardStream`).
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
            SignalDisposition.installUnlessIgnored(signalNumber) { _ in Interruption.flag.store(true, ordering: .relaxed) }
        }
    }

    /// Simulates a Ctrl-C (tests).
    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func reset() { flag.store(false, ordering: .relaxed) }
}

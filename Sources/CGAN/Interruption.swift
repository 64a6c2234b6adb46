import Files
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (or SIGTERM, SIGHUP) during training: the handler only sets a flag; the loop saves a checkpoint and stops cleanly.
public enum Interruption {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    public static var requested: Bool { flag != 0 }

    /// Installs the SIGINT, SIGTERM and SIGHUP handlers: each saves and stops like Ctrl-C. A signal ignored
    /// when the program started stays ignored (SIGHUP under `nohup`: closing the terminal must not stop the run).
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            SignalDisposition.installUnlessIgnored(signalNumber) { _ in Interruption.flag = 1 }
        }
    }

    /// Simulates a Ctrl-C (tests).
    public static func request() { flag = 1 }
    public static func reset() { flag = 0 }
}

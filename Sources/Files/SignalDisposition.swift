import Foundation

/// Installs signal handlers that respect a disposition inherited as "ignore".
public enum SignalDisposition {
    /// True when `signalNumber` is ignored (as `nohup` leaves SIGHUP).
    public static func isIgnored(_ signalNumber: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signalNumber, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1  // SIG_IGN
    }

    /// Installs `handler` for `signalNumber` unless the signal is ignored.
    public static func installUnlessIgnored(_ signalNumber: Int32, _ handler: @convention(c) (Int32) -> Void) {
        guard !isIgnored(signalNumber) else { return }
        signal(signalNumber, handler)
    }
}

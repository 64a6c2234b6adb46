import Foundation

/// The temporary files being written right now, so that a signal handler can remove them before the
/// process ends (a SIGTERM during a large export must not leave a large temporary behind).
///
/// The paths live in fixed C buffers set up once: a signal handler may only read them and call `unlink`.
public enum ActiveTemporaries {
    static let slotCount = 16, slotSize = 4096
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotSize)
        p.initialize(repeating: 0, count: slotCount * slotSize)
        return p
    }()
    static let lock = NSLock()

    /// Records `path`; returns its slot for `unregister` (-1 when every slot is taken or the path is too long).
    static func register(_ path: String) -> Int {
        let bytes = Array(path.utf8CString)
        guard bytes.count <= slotSize else { return -1 }
        lock.lock(); defer { lock.unlock() }
        _ = slots  // set up before any handler can read it
        for slot in 0..<slotCount where slots[slot * slotSize] == 0 {
            let start = slots + slot * slotSize
            // The first byte last, so that a handler never sees half a path.
            for i in 1..<bytes.count { start[i] = bytes[i] }
            start[0] = bytes[0]
            return slot
        }
        return -1
    }

    static func unregister(_ slot: Int) {
        guard slot >= 0 else { return }
        lock.lock(); defer { lock.unlock() }
        slots[slot * slotSize] = 0
    }

    /// Removes every registered temporary; async-signal-safe (only `unlink`).
    public static func removeAll() {
        for slot in 0..<slotCount where slots[slot * slotSize] != 0 { unlink(slots + slot * slotSize) }
    }

    /// Makes SIGINT, SIGTERM and SIGHUP remove the temporaries being written, then end the process as the
    /// signal would. A signal ignored at start (SIGHUP under `nohup`) stays ignored.
    public static func removeOnTermination() {
        _ = slots
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            SignalDisposition.installUnlessIgnored(signalNumber) { received in
                ActiveTemporaries.removeAll()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}

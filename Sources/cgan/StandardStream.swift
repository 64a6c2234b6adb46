import Foundation

/// Writes to stdout and stderr that outlive their reader: when a pipe's reader has gone (`cgan train | head`),
/// the write fails quietly and training goes on to save and stop (the SIGPIPE handler asks it to), where
/// `FileHandle.write(_:)` would trap on the broken pipe.
enum StandardStream {
    static func output(_ text: String) { try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) }
    static func error(_ text: String) { try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
}

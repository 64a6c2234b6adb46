import ArgumentParser
import Files
import Foundation
import NN

// OpenBLAS picks its kernels while loading, before this line runs: re-execute once if it chose badly.
FastBLASKernel.ensure()

/// What AsyncParsableCommand.main() does, in a function that is async so that the asynchronous `run()`
/// is chosen (top-level code in main.swift picks the synchronous overloads, which cannot run `serve`).
func runCommand() async {
    do {
        var command = try CGANCommand.parseAsRoot()
        if var asynchronous = command as? AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try command.run()
        }
    } catch {
        // A failure's message names files, folders and classes from outside (an image folder's names, a link's
        // target): each line is shown printable, so that an escape sequence in a name is not acted on.
        let code = CGANCommand.exitCode(for: error)
        guard code == .failure else { CGANCommand.exit(withError: error) }
        let message = CGANCommand.message(for: error).printableLines
        if !message.isEmpty { StandardStream.error("Error: \(message)\n") }
        CGANCommand.exit(withError: ExitCode.failure)
    }
}

await runCommand()

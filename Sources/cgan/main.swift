import ArgumentParser
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
        CGANCommand.exit(withError: error)
    }
}

await runCommand()

import ArgumentParser
import CGAN
import Dispatch
import Files
import Foundation
import Experiments

struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run a controlled experiment on one of the open questions about the paper's model, and report it.",
        discussion: """
        Experiments: \(Experiment.all.map { "\($0.name) (\($0.question))" }.joined(separator: "; ")).

        Trains every variant with seeds 1...--seeds (one thread each, --jobs at a time) into <out>/runs/ (a \
        configuration shared by several experiments, such as the paper model as documented, is trained once), \
        evaluates each run's last checkpoint with cgan evaluate, and writes <out>/<name>/: results.csv, report.md \
        (mean ± sd over seeds, every run, and each arm against its baseline seed by seed), validation-ll.svg, d-fake.svg and a sample grid per variant. Stopped, it resumes: finished runs \
        are kept, interrupted ones continue from their checkpoint. A run counts as finished only at the budget asked \
        for: with a larger --epochs, runs of a smaller one continue to the new length. A run whose loss stops being \
        finite within --epochs is recorded as diverged (diverged.json in its folder), counted so in the report and not trained \
        again. A run trained longer than --epochs, an ended run whose settings are not its arm's, or one archived (kept without checkpoints) with \
        files that do not make a finished run of this budget, is refused rather than mixed in. On many machines: --print-commands lists one independent command \
        per run (for GNU parallel or a Slurm array, with --out on a shared directory); --collect then writes the report.
        """)

    @Argument(help: "Experiment: \(Experiment.all.map(\.name).joined(separator: ", ")), or all.")
    var name: String

    /// The most seeds per variant (and the largest seed of `--run`).
    static let maximumSeeds = 100

    @Option(help: "Seeds per variant (1...\(maximumSeeds)).")
    var seeds = 3

    @Option(help: "Epochs per run (default: \(Experiment.defaultEpochs), for every experiment, so that they can share runs).")
    var epochs: Int?

    @Option(help: "Root directory of the experiments' runs and reports.")
    var out = "experiments"

    @Option(help: "Runs trained at once (one thread each).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one command per run instead of running them.")
    var printCommands = false

    @Flag(help: "Only write the report from the runs finished so far.")
    var collect = false

    @Option(name: .customLong("run"), help: "Train (or continue) and evaluate one run only, named RUN/seed-N (what --print-commands prints).")
    var singleRun: String?

    @OptionGroup var location: DataCommand.Location

    func validate() throws {
        if name != "all" && Experiment.named(name) == nil {
            throw CommandError("no experiment named \(name); choose one of \(Experiment.all.map(\.name).joined(separator: ", ")) or all")
        }
        if !(1...Self.maximumSeeds).contains(seeds) { throw CommandError("--seeds must be in 1...\(Self.maximumSeeds)") }
        if let epochs, !(1...10_000).contains(epochs) { throw CommandError("--epochs must be in 1...10000") }
        if !(1...256).contains(jobs) { throw CommandError("--jobs must be in 1...256") }
        if let problem = RunDirectory.locationProblem(out) { throw CommandError("--out: \(problem)") }
        // Before any run starts: each would fail on it alone, leaving empty run folders behind.
        if location.dataset != nil {
            do { _ = try location.spec() } catch { throw CommandError("--dataset: \(error)") }
        }
        if collect && (singleRun != nil || printCommands) { throw CommandError("--collect writes the report of the runs there are; leave out --run and --print-commands") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
            throw CommandError("--out \(out.printableExcerpt(200)) is a file, not a folder of experiment runs")
        }
        if printCommands && singleRun != nil { throw CommandError("--print-commands prints the command of every run, --run trains one; give one of them") }
    }

    var experiments: [Experiment] { name == "all" ? Experiment.all : [Experiment.named(name)!] }

    /// The epochs every run trains for.
    var budget: Int { epochs ?? Experiment.defaultEpochs }

    /// Data options passed on to train and evaluate.
    var locationArguments: [String] {
        (location.dataset.map { ["--dataset", $0] } ?? []) + (location.dataDir.map { ["--data-dir", $0] } ?? [])
    }

    /// Every distinct run of the chosen experiments (a shared configuration once), as its --run command line.
    var runCommands: [(variant: Experiment.Variant, run: String, arguments: [String])] {
        var seen = Set<String>()
        let variants = experiments.flatMap(\.variants).filter { seen.insert($0.run).inserted }
        // Seed by seed, so that an unfinished experiment has whole seeds to compare arms on.
        return (1...seeds).flatMap { seed in
            variants.map { v in
                let run = "\(v.run)/seed-\(seed)"
                // --seeds as given, so that the run's note about seeds a report leaves out stays quiet.
                return (v, run, ["experiment", name, "--run", run, "--seeds", String(seeds), "--out", out] + (epochs.map { ["--epochs", String($0)] } ?? [])
                    + locationArguments)
            }
        }
    }

    func run() throws {
        if let singleRun { return try runOne(singleRun) }
        if printCommands {
            // The program as it was typed, so that the commands run wherever the same relative paths do.
            let lines = runCommands.map { ([CommandLine.arguments[0]] + $0.arguments).map(shellQuoted).joined(separator: " ") + "\n" }
            // A list cut short by a full disk must not pass for the whole.
            do { try FileHandle.standardOutput.write(contentsOf: Data(lines.joined().utf8)) } catch {
                throw CommandError("cannot write the commands to standard output: \(error.localizedDescription)")
            }
            return
        }
        // Hours of runs and the report they end in must not die with the reader of a piped output (`| head`): the
        // writes fail quietly instead. The runs inherit it, which leaves them as they are: they write to their logs.
        signal(SIGPIPE, SIG_IGN)
        // A report of a shorter budget must not replace one of the runs' own.
        try refuseLongerRuns(runCommands.map(\.run))
        try refuseRunsOfOtherArms(runCommands.map { ($0.variant, $0.run) })
        if !collect {
            try refuseArchivedRuns(runCommands.map(\.run))
            try runAll(program: Bundle.main.executablePath ?? CommandLine.arguments[0])
        }
        var reported = 0, empty: [String] = []
        for e in experiments {
            let report = try ExperimentReport(experiment: e, root: out, seeds: seeds, epochs: budget)
            // Diverged runs alone make a report only when nothing else is left: they stand for every longer budget,
            // and must not replace a report of another budget's scored runs.
            guard !report.rows.isEmpty || (!report.diverged.isEmpty && report.unfinished.isEmpty) else {
                empty.append(e.name)
                continue
            }
            reported += 1
            let command = "cgan experiment \(e.name) --seeds \(seeds) --epochs \(budget)"
            try report.write(to: e.reportDirectory(root: out), root: out, command: command, commit: Self.sourceCommit)
            print(report.markdownTable)
            let notes = (report.diverged.isEmpty ? [] : ["\(report.diverged.count) diverged"])
                + (report.unfinished.isEmpty ? [] : ["\(report.unfinished.count) run\(report.unfinished.count == 1 ? "" : "s") not finished"])
            print("wrote \(e.reportDirectory(root: out))/report.md" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
        }
        if reported == 0 { throw CommandError("no finished runs to report under \(out) for --epochs \(budget) --seeds \(seeds)") }
        if !empty.isEmpty {
            ProgressBar.printLine("no report for \(empty.joined(separator: ", ")): no run trained for \(budget) epochs and evaluated under \(out)/runs")
        }
    }

    /// Every unfinished run, `jobs` at a time, each a child process logging to <run>/experiment.log.
    func runAll(program: String) throws {
        let pending = runCommands.filter { !hasEnded(Experiment.runDirectory(root: out, run: $0.run)) }
        let diverged = runCommands.filter { Experiment.divergence(Experiment.runDirectory(root: out, run: $0.run), within: budget) != nil }.count
        ProgressBar.printLine("\(runCommands.count - pending.count) of \(runCommands.count) runs already finished"
                              + (diverged > 0 ? " (\(diverged) diverged)" : "") + "; \(pending.count) to go, \(jobs) at a time")
        let slots = DispatchSemaphore(value: jobs), group = DispatchGroup()
        let failures = Failures()
        for c in pending {
            slots.wait()
            let directory = Experiment.runDirectory(root: out, run: c.run)
            try DirectoryCreation.create(directory.path)
            let log = directory.path + ".log"
            // Appended to: a second experiment refused by the run's lock must not wipe the first one's log.
            if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = c.arguments
            let handle = FileHandle(forWritingAtPath: log)
            _ = try? handle?.seekToEnd()
            process.standardOutput = handle
            process.standardError = process.standardOutput
            let label = c.run
            let budget = budget
            process.terminationHandler = { p in
                if p.terminationStatus != 0 { failures.add("\(label) (exit \(p.terminationStatus), see \(log))") }
                let diverged = p.terminationStatus == 0 ? Experiment.divergence(directory, within: budget) : nil
                ProgressBar.printLine(p.terminationStatus != 0 ? "FAILED \(label)"
                                      : diverged.map { "diverged \(label) at \($0.summary)" } ?? "finished \(label)")
                slots.signal(); group.leave()
            }
            group.enter()
            ProgressBar.printLine("started \(label)")
            try process.run()
        }
        group.wait()
        if !failures.list.isEmpty {
            throw CommandError("\(failures.list.count) runs failed: \(failures.list.joined(separator: "; "))")
        }
    }

    /// Trains (or continues) one run, then evaluates its last checkpoint, in this process.
    func runOne(_ run: String) throws {
        let all = experiments.flatMap(\.variants)
        guard let (runName, seed) = Self.split(run), (1...Self.maximumSeeds).contains(seed), let variant = all.first(where: { $0.run == runName }) else {
            throw CommandError("--run must be RUN/seed-N with N in 1...\(Self.maximumSeeds) (no leading zeros) and RUN one of \(Set(all.map(\.run)).sorted().joined(separator: ", "))")
        }
        if seed > seeds {
            // A report covers seeds 1...--seeds: say so now rather than let the run go missing from it later.
            StandardStream.error("note: \(run) is beyond --seeds \(seeds); a report (--collect) includes it with --seeds \(seed) or more\n")
        }
        let directory = Experiment.runDirectory(root: out, run: run)
        try refuseLongerRuns([run])
        try refuseRunsOfOtherArms([(variant, run)])
        if Experiment.isFinished(directory, epochs: budget) {
            print("\(run) is already trained for \(budget) epochs and evaluated: nothing to do")
            return
        }
        if let divergence = Experiment.divergence(directory, within: budget) {
            print("\(run) diverged at \(divergence.summary) (\(directory.divergence)): nothing to do; reports count it as diverged")
            return
        }
        try refuseArchivedRuns([run])
        var train = Experiment.trainArguments(variant, seed: seed, epochs: budget, directory: directory) + locationArguments
        if FileManager.default.fileExists(atPath: directory.latestCheckpoint) {
            // An evaluation of a shorter budget must not stand for this one, even if training stops half-way.
            if FileManager.default.fileExists(atPath: directory.evaluation) {
                try FileManager.default.removeItem(atPath: directory.evaluation)
            }
            // The arm's options too, so that a run stored with other settings (an older definition of the arm)
            // is refused by name rather than continued as it was.
            train += ["--resume"]
        }
        let trainCommand = try TrainCommand.parse(train)
        do {
            try trainCommand.validate()
            try trainCommand.run()
        } catch let error as ExitCode where error.rawValue == Divergence.exitCode {
            // A loss that is not finite ends the run with an outcome of its arm's settings, which reports count; the
            // record is new, since a resumed run with epochs left removes an old one before writing its settings.
            guard let divergence = Experiment.divergence(directory, within: budget) else { throw error }
            print("\(run) diverged at \(divergence.summary): recorded in \(directory.divergence); reports count it as diverged")
            return
        } catch let error as CommandError where train.contains("--resume") {
            // The options are the arm's, not the user's: say that the stored run is what differs.
            throw CommandError("\(directory.path) was trained with other settings than arm \(variant.name) of this experiment; "
                               + "move it away or use another --out (\(error.description))")
        }
        var evaluate = try EvaluateCommand.parse(Experiment.evaluateArguments(directory: directory) + locationArguments)
        try evaluate.validate()
        try evaluate.run()
    }

    /// True for a run with nothing left to do at the budget: trained and evaluated, or diverged within it.
    func hasEnded(_ directory: RunDirectory) -> Bool {
        Experiment.isFinished(directory, epochs: budget) || Experiment.divergence(directory, within: budget) != nil
    }

    /// Refuses archived runs (no checkpoint) that are not finished at the budget: there is nothing to continue
    /// them from, and training them again would mix their kept files with the new run's (or remove them).
    func refuseArchivedRuns(_ runs: [String]) throws {
        for directory in runs.map({ Experiment.runDirectory(root: out, run: $0) }) {
            guard let problem = Experiment.divergenceProblem(directory, epochs: budget) else { continue }
            // An unreadable record names no budget to give.
            let way = Divergence(in: directory) == nil ? "move it away" : "give its --epochs, or move it away"
            throw CommandError("\(directory.path): \(problem); \(way) to train it again")
        }
        let stuck = runs.map { Experiment.runDirectory(root: out, run: $0) }.filter {
            Experiment.isArchived($0) && !Experiment.isFinished($0, epochs: budget)
        }
        guard let first = stuck.first else { return }
        let trained = Experiment.archiveProblem(first, epochs: budget)
            ?? Experiment.trainedPosition(first).map { "evaluated at " + ExperimentReport.describe($0) } ?? "no readable position in its evaluation.json"
        throw CommandError((stuck.count == 1 ? "\(first.path) is an archived run" : "\(stuck.count) runs are archived runs, e.g. \(first.path)")
                           + " (no checkpoint, \(trained)): \(stuck.count == 1 ? "it" : "they") cannot be continued to --epochs \(budget); "
                           + "move \(stuck.count == 1 ? "it" : "them") away to train \(stuck.count == 1 ? "it" : "them") again")
    }

    /// Refuses ended runs (finished or diverged) whose config.json is not their arm's (an older definition of the arm, or an archived
    /// run copied into another arm's folder): their numbers would be reported as the arm's. Threads and the
    /// matrix library may differ (`TrainingConfig.differingSettings(fromRun:)`).
    func refuseRunsOfOtherArms(_ runs: [(variant: Experiment.Variant, run: String)]) throws {
        for (variant, run) in runs {
            let directory = Experiment.runDirectory(root: out, run: run)
            guard let seed = Self.split(run)?.1, let stored = directory.storedConfig else { continue }
            let expected = try TrainCommand.parse(Experiment.trainArguments(variant, seed: seed, epochs: budget, directory: directory)
                                                  + locationArguments).makeConfig()
            let differing = expected.differingSettings(fromRun: stored)
            // Only a run that has ended is reported as it stands (reading its checkpoint's position costs more than the configs).
            guard let first = differing.first, hasEnded(directory) else { continue }
            let hint = first.hasPrefix("data.") ? "give the --dataset it was trained on, or use another --out" : "move it away or use another --out"
            throw CommandError("\(directory.path) holds a run with other settings than arm \(variant.name) of this experiment "
                               + "(\(first): \(stored.value(of: first) ?? "?") in the run, \(expected.value(of: first) ?? "?") in the arm"
                               + (differing.count > 1 ? ", and \(differing.count - 1) more" : "") + "); \(hint)")
        }
    }

    /// Refuses runs that were trained for more epochs than the budget: continuing cannot shorten them, and
    /// retraining would throw their work away.
    func refuseLongerRuns(_ runs: [String]) throws {
        let longer = runs.compactMap { run in
            Experiment.trainedPosition(Experiment.runDirectory(root: out, run: run)).flatMap {
                Experiment.isLonger($0, than: budget) ? "\(run) (\(ExperimentReport.describe($0)))" : nil
            }
        }
        guard let first = longer.first else { return }
        throw CommandError("\(longer.count) run\(longer.count == 1 ? " was" : "s were") trained for more than --epochs \(budget) under \(out)/runs, "
                           + "e.g. \(first); give their --epochs, or another --out")
    }

    /// The commit of the working directory's git checkout (`git describe --always --dirty`), which the report
    /// records beside its numbers; "unknown" outside a checkout or without git.
    static var sourceCommit: String {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // --dirty scans the working tree, which a repository's own config could hook a command onto (fsmonitor):
        // the directory may be anyone's, so that hook is switched off.
        process.arguments = ["git", "-c", "core.fsmonitor=false", "describe", "--always", "--dirty"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !commit.isEmpty ? commit : "unknown"
    }

    /// "paper/seed-3" as ("paper", 3).
    static func split(_ run: String) -> (String, Int)? {
        let parts = run.split(separator: "/", omittingEmptySubsequences: false)
        // Canonical only ("seed-1", not "seed-01" or "seed-+1"): another spelling of a seed would be another folder.
        guard parts.count == 2, parts[1].hasPrefix("seed-"), let seed = Int(parts[1].dropFirst(5)),
              "seed-\(seed)" == parts[1] else { return nil }
        return (String(parts[0]), seed)
    }

    func shellQuoted(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Failed runs, recorded from the processes' termination handlers.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

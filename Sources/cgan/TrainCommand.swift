import ArgumentParser
import CGAN
import Datasets
import Files
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a conditional GAN and write its run directory.",
        usage: "cgan train [--arch <arch>] [--data-dir <data-dir>] [--out <out>] [<options>]",
        discussion: """
        Writes <out>/config.json, metrics.csv, samples/epoch-NNN.png (row k = class k, the same noise every \
        epoch), validation.csv and checkpoints/latest.safetensors (every epoch, and on Ctrl-C) and \
        checkpoints/best.safetensors (best validation log-likelihood). Defaults depend on --arch, as each \
        option says. --help-hidden also lists the options kept for experiments.
        """)

    @OptionGroup(title: "Data") var data: TrainingDataOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Optimisation") var optimization: OptimizationOptions
    @OptionGroup(title: "dcgan additions") var additions: AdditionOptions
    @OptionGroup(title: "Output and logging") var output: OutputOptions
    @OptionGroup(title: "Matrix products") var matrix: MatrixOptions

    /// Every option that sets a setting of the run.
    var settings: [TrainingSetting] {
        data.settings + model.settings + optimization.settings + additions.settings + output.settings + matrix.settings
    }

    /// The run's settings are checked by `TrainingConfig.problem` (the same rules a checkpoint must meet);
    /// the options that steer this command only are checked by their groups.
    func validate() throws {
        // A resumed run's options are checked against its own model, in `run`.
        guard !output.resume else { return }
        try data.validateNewRun()
        let config = makeConfig()
        if let problem = config.problem ?? config.unusedSetting { throw CommandError(problem) }
    }

    /// The options given, applied to `stored` (a run being resumed, whose model the options must fit) or,
    /// for a new run, to the defaults of --arch.
    func makeConfig(resuming stored: TrainingConfig? = nil) -> TrainingConfig {
        var config = stored ?? TrainingConfig(architecture: model.architecture(forImageFolder: data.images != nil))
        if stored == nil { data.applyFolderDefaults(to: &config) }
        if additions.reference { config.removeAdditions() }
        for setting in settings { setting.apply(to: &config) }
        return config
    }

    /// With --resume, refuses every setting the options would change, naming the options and the settings;
    /// --epochs, --threads and --matmul apply.
    func checkResumeOptions(against stored: TrainingConfig) throws {
        let given = makeConfig(resuming: stored)
        // The pairing a new run is refused, refused here too where --matmul asks for it.
        if matrix.matmul != nil, let conflict = given.compute.conflict { throw CommandError(conflict) }
        // The folder's images are checked against the run's shape and classes when loaded.
        let differing = given.differingSettings(fromRun: stored)
        guard !differing.isEmpty else { return }
        var flags: [String] = []
        for name in differing {
            let flag = settings.last { setting in
                var alone = stored
                setting.apply(to: &alone)
                return alone.value(of: name) == given.value(of: name)
            }?.flag ?? "--reference"
            if !flags.contains(flag) { flags.append(flag) }
        }
        let details = differing.map { "\($0): \(stored.value(of: $0) ?? "?") in the run, \(given.value(of: $0) ?? "?") given" }
        throw CommandError("\(flags.joined(separator: ", ")) \(flags.count == 1 ? "differs" : "differ") from the run being resumed "
                           + "(\(details.joined(separator: "; "))); a resumed run keeps its settings (only --epochs, --threads and --matmul may change)")
    }

    func run() throws {
        // Output goes through print and StandardStream, which survive a closed pipe.
        Interruption.installBrokenPipeHandler()
        var location = data.location
        let directory = RunDirectory(output.out ?? "runs/\(model.architecture(forImageFolder: data.images != nil).rawValue)")
        var stored: TrainingConfig?
        // Before the data are loaded (a download, for a data set not here yet).
        if let problem = directory.brokenCheckpointLink { throw CommandError(problem) }
        if output.resume {
            // A run stopped before its first checkpoint starts again from the settings its config.json recorded,
            // not from the defaults.
            let hasCheckpoint = FileManager.default.fileExists(atPath: directory.latestCheckpoint)
            if !hasCheckpoint && directory.holdsARun && directory.storedConfig == nil {
                throw CommandError("\(directory.config) cannot be read as a run's settings, and the run has no checkpoint: "
                                   + "repair the file, or start the run again without --resume, giving its options")
            }
            let config = (try? Checkpoint(path: directory.latestCheckpoint).config) ?? (hasCheckpoint ? nil : directory.storedConfig)
            if let config {
                try checkResumeOptions(against: config)
                stored = config
                location.dataset = location.dataset ?? config.data.dataset
            }
        }
        let bar = ProgressBar()
        let config = makeConfig(resuming: stored)
        let trainingData: TrainingData, mnist: MNISTFamilyDataset?
        if let given = data.images ?? stored?.data.imageFolder {
            // Stored whole, so that --resume finds it from any working directory.
            let folder = URL(fileURLWithPath: given).standardizedFileURL.path
            // The run's files would be read back as images, its folder as a class, by the next import of the folder.
            if FileIdentity.isInside(directory.path, folder: folder) {
                throw CommandError(stored == nil
                    ? "--out \(directory.path) is inside the image folder \(given): the run's files would become images of a class there; choose an --out outside it"
                    : "the run \(directory.path) lies inside its image folder \(given), whose import would read the run's files as a class; move the run directory out of it and resume it there")
            }
            // A new run's channels follow the images unless --channels says; a resumed run's are its own.
            trainingData = try TrainingDataOptions.loadFolder(folder, data: config.data, channels: stored == nil ? data.channels : config.data.channels) {
                bar.message($0)
            }
            mnist = nil
        } else {
            let images = try location.load()
            (trainingData, mnist) = (TrainingData(images), images)
        }
        // On by default where the classifier is worth its training: the registered data sets, not the test data.
        let qualityEvery = output.qualityEvery ?? (config.architecture == .dcgan && mnist.map { DatasetRegistry.names.contains($0.spec.name) } == true ? 1 : 0)
        if output.stopAtGoal && qualityEvery == 0 {
            throw CommandError("--stop-at-goal needs the quality scored: give --quality-every 1")
        }
        do {
            let run = try TrainingRun(config: config, data: trainingData, directory: directory, resume: output.resume,
                                      epochs: optimization.epochs, threads: matrix.threads, backend: matrix.matmul) { bar.message($0) }
            run.logEvery = output.logEvery
            run.sampleEvery = output.sampleEvery
            run.keepEvery = output.keepEvery
            if output.evalEvery > 0, let mnist {
                run.trackBestCheckpoint(every: output.evalEvery, evaluator: output.evaluation.makeEvaluator(mnist) { bar.message($0) }) { bar.message($0) }
            } else if output.evalEvery > 0 {
                bar.message("no validation score for an image folder (the Parzen log-likelihood is for the grey 28x28 MNIST-family "
                            + "data sets): checkpoints/latest.safetensors only, no best.safetensors")
            }
            if qualityEvery > 0 {
                let evaluator = mnist.map { output.evaluation.makeEvaluator($0) { bar.message($0) } }
                    ?? output.evaluation.makeEvaluator(folder: trainingData) { bar.message($0) }
                // Before training: the classifier's first training (minutes) must not count as training time.
                try evaluator.prepareClassifier()
                run.trackQuality(every: qualityEvery, evaluator: evaluator, goal: QualityGoal(), stopAtGoal: output.stopAtGoal) { bar.message($0) }
            }
            let shape = "\(run.config.data.channels)x\(run.config.data.imageSize)x\(run.config.data.imageSize)"
            bar.message("training \(run.config.architecture.rawValue) on \(trainingData.folder ?? trainingData.name) "
                        + (trainingData.folder == nil ? "" : "(\(trainingData.classCount) classes, \(trainingData.train.count) training and "
                           + "\(trainingData.validation.count) validation images of \(shape)) ") + "for \(run.config.optimization.epochs) epochs into \(directory.path)")
            if trainingData.folder != nil && trainingData.hasClassNames {
                let names = trainingData.classNames.enumerated().map { "\($0.offset) \($0.element.printableExcerpt(40))" }
                bar.message("sample grids: one row per class: " + names.prefix(20).joined(separator: ", ")
                            + (names.count > 20 ? ", ... (\(names.count) in all)" : ""))
            }
            let short = trainingData.folder == nil ? [] : trainingData.classesShortOfHeldOutImages
            if !short.isEmpty {
                let fraction = run.config.data.validationFraction ?? TrainingDataOptions.defaultValidationFraction
                let needed = LabeledImages.classSize(holdingOut: 2, valFraction: fraction).map { "at --val-fraction \(fraction) a class needs \($0) images to hold out 2: " } ?? ""
                bar.message("note: fewer than 2 images of class \(short.prefix(5).map { $0.printableExcerpt(40) }.joined(separator: ", "))"
                            + "\(short.count > 5 ? ", ..." : "") are held out (\(trainingData.validation.count) in all), so cgan evaluate cannot score this run"
                            + (stored == nil ? " (\(needed)add images, or raise --val-fraction)" : ""))
            }
            try run.run { event in
                switch event {
                case .progress(let p): bar.show(p)
                case .message(let m): bar.message(m)
                }
            }
            if qualityEvery > 0 {
                bar.message(run.qualityGoalSummary(QualityGoal()))
            }
            bar.message("done: \(directory.path)")
        } catch let error as TrainingError {
            bar.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

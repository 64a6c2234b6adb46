import CGAN
import Datasets
import Evaluation
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `SampleInspector` of each data set served, prepared when the server starts rather than inside the first
/// "Check these samples" request: the training images are loaded, then the evaluation classifier is loaded from
/// its cache or, when there is none, trained (minutes; `cgan classifier train --dataset NAME` builds the cache
/// beforehand). All of it runs on one low-priority thread; `statuses()` says how far it got and, while the
/// classifier trains, about how long it has left.
final class Inspectors: @unchecked Sendable {
    /// Where one data set's inspector stands.
    struct Status: Codable, Sendable, Equatable {
        enum State: String, Codable, Sendable {
            case waiting, loadingImages = "loading images", loadingClassifier = "loading classifier"
            case trainingClassifier = "training classifier", ready, unavailable
        }

        var dataset: String
        var state: State
        /// While the classifier trains: epochs done, of how many, and the estimated seconds left.
        var epoch: Int?
        var epochs: Int?
        var secondsLeft: Int?
        var message: String?
    }

    let dataDirectory: String?
    let cacheDirectory: String
    private let lock = NSLock()
    private var statusByDataset: [String: Status] = [:]
    private var inspectors: [String: SampleInspector] = [:]
    private var queue: [String] = []
    private var working = false

    init(dataDirectory: String?, cacheDirectory: String = ClassifierCache.directory) {
        self.dataDirectory = dataDirectory
        self.cacheDirectory = cacheDirectory
    }

    /// Starts preparing `datasets` (those not asked for yet), one after the other, in the background.
    func prepare(_ datasets: [String]) {
        lock.lock()
        for name in datasets where statusByDataset[name] == nil {
            statusByDataset[name] = Status(dataset: name, state: .waiting)
            queue.append(name)
        }
        let start = !working && !queue.isEmpty
        if start { working = true }
        lock.unlock()
        if start { Thread.detachNewThread { [self] in work() } }
    }

    /// Every data set asked for so far, by name.
    func statuses() -> [Status] {
        lock.lock()
        defer { lock.unlock() }
        return statusByDataset.values.sorted { $0.dataset < $1.dataset }
    }

    /// The inspector of `dataset`, or a 503 saying what it waits for (and starting it if nobody asked yet); a
    /// 422 for an image folder, which has no classifier to wait for.
    func inspector(dataset: String) throws -> SampleInspector {
        if dataset == DataSettings.imageFolderName { throw APIError(.unprocessableContent, Self.imageFolderMessage) }
        prepare([dataset])
        lock.lock()
        let inspector = inspectors[dataset], status = statusByDataset[dataset]
        lock.unlock()
        if let inspector { return inspector }
        if status?.state == .unavailable {
            throw APIError(.serviceUnavailable, status?.message ?? "the \(dataset) training images are not available")
        }
        throw APIError(.serviceUnavailable, "the \(dataset) training images are still loading: try again in a few seconds", retryAfter: 5)
    }

    static let imageFolderMessage = "checking samples (classifier, nearest training image) and showing training images are for the MNIST-family data sets, not image folders"

    private func update(_ dataset: String, _ change: (inout Status) -> Void) {
        lock.lock()
        change(&statusByDataset[dataset, default: Status(dataset: dataset, state: .waiting)])
        lock.unlock()
    }

    private func work() {
        #if canImport(Glibc)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)  // on Linux: this thread only
        #endif
        while true {
            lock.lock()
            guard !queue.isEmpty else {
                working = false
                lock.unlock()
                return
            }
            let dataset = queue.removeFirst()
            lock.unlock()
            load(dataset)
        }
    }

    private func load(_ dataset: String) {
        update(dataset) { $0.state = .loadingImages }
        guard let spec = try? DatasetRegistry.named(dataset) else {
            update(dataset) {
                $0.state = .unavailable
                $0.message = dataset == DataSettings.imageFolderName ? Self.imageFolderMessage : "unknown data set \(dataset)"
            }
            return
        }
        let locator = DataLocator(spec: spec, directory: dataDirectory)
        guard let found = locator.directoryWithAllFiles(), let data = try? MNISTFamilyDataset.load(spec, from: found) else {
            update(dataset) {
                $0.state = .unavailable
                $0.message = "the \(dataset) training images were not found in \(locator.candidates.joined(separator: ", ")); start cgan serve with --data-dir"
            }
            return
        }
        let inspector = SampleInspector(data: data)
        lock.lock()
        inspectors[dataset] = inspector
        lock.unlock()
        update(dataset) { $0.state = .loadingClassifier }
        var progress = ClassifierProgress(epochs: ImageClassifier.defaultEpochs)
        do {
            let classifier = try ClassifierCache.classifier(for: data, cacheDirectory: cacheDirectory) { line in
                progress.read(line)
                let snapshot = progress
                self.update(dataset) { status in
                    status.state = snapshot.training ? .trainingClassifier : .loadingClassifier
                    status.epoch = snapshot.training ? snapshot.epoch : nil
                    status.epochs = snapshot.training ? snapshot.epochs : nil
                    status.secondsLeft = snapshot.secondsLeft
                    status.message = snapshot.training
                        ? "training the evaluation classifier (once; cgan classifier train --dataset \(dataset) builds it before serving)" : nil
                }
            }.classifier
            inspector.use(classifier)
            update(dataset) { $0 = Status(dataset: dataset, state: .ready) }
        } catch {
            update(dataset) { $0.state = .unavailable; $0.message = "the evaluation classifier could not be made: \(error)" }
        }
    }
}

/// How far the evaluation classifier's training is, from the lines `ClassifierCache` logs
/// ("training the evaluation classifier ...", "classifier epoch 3/12: loss ...").
struct ClassifierProgress {
    private(set) var training = false
    private(set) var epoch = 0
    private(set) var epochs: Int
    private var started: Date?
    private var now: () -> Date

    init(epochs: Int, now: @escaping () -> Date = Date.init) {
        self.epochs = epochs
        self.now = now
    }

    mutating func read(_ line: String) {
        if line.hasPrefix("training the evaluation classifier") {
            training = true
            started = now()
        }
        let prefix = "classifier epoch "
        guard line.hasPrefix(prefix) else { return }
        let numbers = line.dropFirst(prefix.count).prefix { $0 != ":" }.split(separator: "/").compactMap { Int($0) }
        if numbers.count == 2, numbers[1] > 0 {
            training = true
            epoch = numbers[0]
            epochs = numbers[1]
        }
    }

    /// Seconds left at the pace of the epochs so far (nil before the first epoch ends).
    var secondsLeft: Int? {
        guard training, epoch > 0, let started else { return nil }
        let perEpoch = now().timeIntervalSince(started) / Double(epoch)
        return UntrustedNumbers.count((perEpoch * Double(max(epochs - epoch, 0))).rounded(.up))
    }
}

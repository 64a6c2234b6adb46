import Foundation

/// One run as GET /api/runs lists it.
struct RunSummary: Codable {
    let name: String
    let checkpoints: [String]
    /// When config.json, metrics.csv or the latest checkpoint was last written (ISO 8601).
    let modified: String
    let architecture: String?
    let dataset: String?
    let epochs: Int?
    let noise: String?
    /// The classes' names in label order (an image folder's class folders, or the data set's own).
    let classNames: [String]?
    /// The images' shape as channels x side x side, e.g. "3x32x32".
    let image: String?
    /// Whole epochs logged, and whether the run is still being written (absent for a checkpoint file).
    let epochsDone: Int?
    let training: Bool?
}

/// A CSV log in a JSON response: cells that are not finite numbers are null.
struct CSVTableBody: Codable {
    let columns: [String]
    let rows: [[Double?]]
    /// True when rows were left out to keep the response small (evenly, the last row kept).
    let downsampled: Bool

    init(_ sample: CSVSample?) {
        columns = sample?.header ?? []
        rows = sample?.rows.map { $0.map(UntrustedNumbers.json) } ?? []
        downsampled = sample?.downsampled ?? false
    }
}

/// GET /api/runs/NAME/metrics.
struct RunMetrics: Codable {
    let metrics: CSVTableBody
    let validation: CSVTableBody
    let epochsDone: Int
    let sampleGrids: Int
    let epochs: Int?
}

/// GET /api/status: the model queue and the evaluation classifier.
struct ServerStatus: Codable {
    struct Queue: Codable {
        let workers: Int
        let running: Int
        let waiting: Int
        let maximumWaiting: Int
    }

    let queue: Queue
    let classifiers: [Inspectors.Status]
}

import CGAN
import Datasets
import Evaluation
import Foundation
import NN

/// Whether samples can be trusted: the classifier's confidence in the class asked for, and the nearest
/// of the training images (a sample that equals one is memorised, not generated).
///
/// `Inspectors` hands it the classifier once it is loaded (or trained), on a thread of its own, while requests
/// already use the inspector; until then confidences are nil. OpenBLAS must run with one thread (as
/// `CGANServer.run` sets): its threaded gemm deadlocks when called from two threads at once (products of
/// `Float`s go through oneDNN, which does not).
public final class SampleInspector: @unchecked Sendable {
    public struct Inspection: Encodable, Sendable {
        public let label: Int
        /// The classifier's probability of `label`, and the class it finds most likely.
        public let confidence: Double?
        public let predicted: Int?
        /// Index into the training images (the 50,000 G trained on), its class and its Euclidean distance in [0, 1] pixels.
        public let nearestIndex: Int
        public let nearestLabel: Int
        public let nearestDistance: Double
    }

    let data: MNISTFamilyDataset
    /// The images G trained on (the training set less the validation images).
    private let train: LabeledImages
    /// Training images [n, 784] in [0, 1] and their squared norms.
    private let images: Matrix
    private let norms: [Float]
    private let lock = NSLock()
    private var classifier: ImageClassifier?

    public init(data: MNISTFamilyDataset) {
        self.data = data
        train = data.trainWithoutValidation
        let images = train.matrix(scale: .unit)
        self.images = images
        norms = (0..<images.rows).map { r in
            let row = images.pointer + r * images.cols
            var s: Float = 0
            for j in 0..<images.cols { s += row[j] * row[j] }
            return s
        }
    }

    /// Judges samples with `classifier` from now on.
    public func use(_ classifier: ImageClassifier) {
        lock.lock(); self.classifier = classifier; lock.unlock()
    }

    /// The training image `index` as 8-bit gray pixels, and its label.
    public func trainingImage(_ index: Int) -> (pixels: [UInt8], label: Int)? {
        guard (0..<train.count).contains(index) else { return nil }
        return (Array(train.pixels[index * train.imageSize..<(index + 1) * train.imageSize]), Int(train.labels[index]))
    }

    public var trainingCount: Int { images.rows }

    /// `samples` [n, 784] in [0, 1], drawn for `labels`. The nearest neighbours come from one matrix product:
    /// |t - x|² = |t|² - 2 t·x + |x|² over all training images t at once.
    public func inspect(_ samples: Matrix, labels: [Int]) -> [Inspection] {
        let dots = Matrix(rows: images.rows, cols: samples.rows)
        gemm(images, samples, into: dots, transposeB: true)
        lock.lock()
        let probabilities = classifier?.probabilities(samples)
        lock.unlock()
        return (0..<samples.rows).map { s in
            var best = 0, bestValue = Float.infinity
            for t in 0..<images.rows {
                let v = norms[t] - 2 * dots[t, s]
                if v < bestValue { bestValue = v; best = t }
            }
            var own: Float = 0
            for j in 0..<samples.cols { own += samples[s, j] * samples[s, j] }
            let predicted = probabilities.map { p in (0..<p.cols).max { p[s, $0] < p[s, $1] }! }
            return Inspection(label: labels[s], confidence: probabilities.map { Double($0[s, labels[s]]) }, predicted: predicted,
                              nearestIndex: best, nearestLabel: Int(train.labels[best]),
                              nearestDistance: Double(max(bestValue + own, 0)).squareRoot())
        }
    }
}

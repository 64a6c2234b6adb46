import Files
import Datasets
import Foundation
import NN

/// A small convolutional classifier for images in [0, 1], trained by the tool itself: Conv C→32 and
/// 32→64 (kernel 4, stride 2, padding 1, ReLU) to [64, S/4, S/4] (for MNIST's 28x28 grey: [64, 7, 7]), then
/// Linear →256 (ReLU, dropout) → classes.
/// It judges whether generated images show the class asked for, and its 256 penultimate activations are
/// the feature space of FID. (Versions before v2 were an MLP, 784-512-256: 98.5% on MNIST's test set, too
/// lenient a judge of crisp but malformed digits; figures from it are marked as such in README.)
public final class ImageClassifier: Module {
    public static let version = "conv-32-64-256-v2"
    /// Epochs of the evaluation classifier: 99.3-99.4% on MNIST's test set (README).
    public static let defaultEpochs = 12
    /// Images per training step (fewer when there are fewer images).
    public static let batchSize = 100
    public let classCount: Int
    /// The images it reads (channel planes of rows), 1 x 28 x 28 for the MNIST family.
    public let shape: ImageShape
    let net: Sequential
    let rng: RandomGenerator
    /// Index of the layer whose output is the feature vector (ReLU after the hidden Linear).
    let featureLayer = 5
    public static let mnistShape = ImageShape(channels: 1, height: 28, width: 28)

    public init(classCount: Int = 10, shape: ImageShape = mnistShape, seed: UInt64 = 1) {
        self.classCount = classCount
        self.shape = shape
        rng = RandomGenerator(seed: seed)
        let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
        let conv1 = Conv2d(shape, outChannels: 32, window)
        let conv2 = Conv2d(conv1.output, outChannels: 64, window)
        let hidden = Linear(conv2.output.count, 256), output = Linear(256, classCount)
        net = Sequential(conv1, ReLU(), conv2, ReLU(), hidden, ReLU(), Dropout(0.3, rng: rng), output)
        for layer in net.modules(ofType: (any DefaultInitializable).self) { layer.initializeDefault(rng: rng) }
    }

    public var children: [(name: String, module: Module)] { [("net", net)] }

    /// Trains with Adam on softmax cross-entropy, every image shifted by up to `maxShift` pixels each time it
    /// is seen (the classifier must not depend on where a stroke starts, and generated digits are not
    /// centred as exactly as MNIST's). `log` receives one line per epoch.
    public func train(images: Matrix, labels: [Int32], epochs: Int = defaultEpochs, batchSize: Int = batchSize, learningRate: Float = 1e-3,
                      maxShift: Int = 2, log: (String) -> Void = { _ in }) {
        let batchSize = min(batchSize, labels.count)
        let adam = Adam(self)
        let sampler = MinibatchSampler(images: images, labels: labels, batchSize: batchSize, seed: rng.next())
        let x = Matrix(rows: batchSize, cols: images.cols), shifted = Matrix(rows: batchSize, cols: images.cols)
        let gradient = Matrix(rows: batchSize, cols: classCount)
        var y = [Int32](repeating: 0, count: batchSize)
        var step = 0
        for epoch in 0..<epochs {
            var loss = 0.0
            let hyperparameters = Hyperparameters(learningRate: learningRate * (epochs > 1 && epoch >= epochs * 3 / 4 ? 0.1 : 1), momentum: 0.9)
            for batch in 0..<sampler.batchesPerEpoch {
                y.withUnsafeMutableBufferPointer { sampler.fill(epoch: epoch, batch: batch, images: x, labels: $0) }
                shiftRandomly(x, by: maxShift, into: shifted)
                let logits = net.forward(shifted, mode: .training)
                loss += y.withUnsafeBufferPointer { softmaxCrossEntropy(logits, labels: $0, gradient: gradient) }
                _ = net.backward(gradient, needs: .parameters)
                step += 1
                adam.update(hyperparameters, step: step)
            }
            // About a dozen lines however many epochs a small set needs.
            if (epoch + 1) % max(1, epochs / 12) == 0 || epoch + 1 == epochs {
                log(String(format: "classifier epoch %d/%d: loss %.4f", epoch + 1, epochs, loss / Double(sampler.batchesPerEpoch)))
            }
        }
    }

    /// Each image (row) of `x` moved by a random (dx, dy) in ±`maxShift`, every channel alike. The uncovered
    /// border is black for grey images (the MNIST family's background, as the cached classifiers were trained)
    /// and repeats the nearest edge pixel for colour ones, so that a coloured background stays that colour.
    private func shiftRandomly(_ x: Matrix, by maxShift: Int, into out: Matrix) {
        let h = shape.height, w = shape.width, plane = shape.planeSize, black = shape.channels == 1
        for r in 0..<x.rows {
            let dx = rng.integer(below: 2 * maxShift + 1) - maxShift, dy = rng.integer(below: 2 * maxShift + 1) - maxShift
            for channel in 0..<shape.channels {
                let source = x.pointer + r * x.cols + channel * plane, target = out.pointer + r * out.cols + channel * plane
                for row in 0..<h {
                    let to = target + row * w, sourceRow = row - dy
                    if black && !(0..<h).contains(sourceRow) { to.update(repeating: 0, count: w); continue }
                    let from = source + min(max(sourceRow, 0), h - 1) * w
                    // Columns [lo, hi) come from the source row; the rest are border.
                    let lo = max(0, dx), hi = min(w, w + dx)
                    (to + lo).update(from: from + lo - dx, count: hi - lo)
                    to.update(repeating: black ? 0 : from[0], count: lo)
                    (to + hi).update(repeating: black ? 0 : from[w - 1], count: w - hi)
                }
            }
        }
    }

    /// Runs the net's layers `first...last` in inference mode, in chunks; returns [n, width].
    func activations(_ images: Matrix, from first: Int = 0, through last: Int) -> Matrix {
        var result: Matrix?
        var start = 0
        while start < images.rows {
            let end = min(start + 1000, images.rows)
            var h = images.rows(start..<end)
            for layer in net.layers[first...last] { h = layer.forward(h, mode: .inference) }
            if result == nil { result = Matrix(rows: images.rows, cols: h.cols) }
            result!.rows(start..<end).copy(from: h)
            start = end
        }
        return result ?? Matrix(rows: 0, cols: 0)
    }

    /// The predicted class of each image.
    public func predict(_ images: Matrix) -> [Int] {
        Self.argmax(activations(images, through: net.layers.count - 1))
    }

    /// `features` and `predict` of the same images from one pass through the shared layers.
    public func featuresAndPredictions(_ images: Matrix) -> (features: Matrix, predictions: [Int]) {
        let features = features(images)
        return (features, Self.argmax(activations(features, from: featureLayer + 1, through: net.layers.count - 1)))
    }

    static func argmax(_ logits: Matrix) -> [Int] {
        (0..<logits.rows).map { r in (0..<logits.cols).max { logits[r, $0] < logits[r, $1] }! }
    }

    /// Class probabilities [n, classes] (softmax of the logits): how sure the classifier is.
    public func probabilities(_ images: Matrix) -> Matrix {
        let logits = activations(images, through: net.layers.count - 1)
        let out = Matrix(rows: logits.rows, cols: classCount)
        for r in 0..<logits.rows {
            let top = (0..<classCount).map { logits[r, $0] }.max()!
            var sum: Float = 0
            for c in 0..<classCount { out[r, c] = exp(logits[r, c] - top); sum += out[r, c] }
            for c in 0..<classCount { out[r, c] /= sum }
        }
        return out
    }

    /// Penultimate-layer features [n, 256], the space FID is measured in.
    public func features(_ images: Matrix) -> Matrix { activations(images, through: featureLayer) }

    /// Share of `images` classified as `labels`.
    public func accuracy(_ images: Matrix, labels: [Int]) -> Double {
        let p = predict(images)
        return Double(zip(p, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }

    // MARK: Cache

    public func save(to path: String, metadata: [String: String]) throws {
        var m = metadata
        m["classifier"] = Self.version
        try AtomicFile.write(SafeTensors.encode(stateTensors(prefix: ""), metadata: m), to: path)
    }

    /// Loads a cached classifier; nil when the file is absent, stale or of another version.
    public static func load(from path: String, classCount: Int, shape: ImageShape = mnistShape,
                            expecting metadata: [String: String]) -> ImageClassifier? {
        guard let contents = try? SafeTensors.read(path), contents.metadata["classifier"] == version,
              metadata.allSatisfy({ contents.metadata[$0.key] == $0.value }) else { return nil }
        let c = ImageClassifier(classCount: classCount, shape: shape)
        var state = StateDict(contents.tensors, file: path)
        guard (try? state.load(c, prefix: "")) != nil, (try? state.checkEverythingUsed()) != nil else { return nil }
        return c
    }
}

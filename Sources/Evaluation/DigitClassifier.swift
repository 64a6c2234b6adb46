import Files
import Datasets
import Foundation
import NN

/// An MLP classifier for 28x28 images in [0, 1] (784-512-256-classes, ReLU, dropout), trained by the tool
/// itself. It judges whether generated images show the class asked for, and its 256 penultimate
/// activations are the feature space of FID.
public final class DigitClassifier: Module {
    public static let version = "mlp-784-512-256-v1"
    public let classCount: Int
    let hidden1 = Linear(784, 512), hidden2 = Linear(512, 256)
    let output: Linear
    let net: Sequential
    let rng: RandomGenerator
    /// Index of the layer whose output is the feature vector (ReLU after `hidden2`).
    let featureLayer = 4

    public init(classCount: Int = 10, seed: UInt64 = 1) {
        self.classCount = classCount
        rng = RandomGenerator(seed: seed)
        output = Linear(256, classCount)
        net = Sequential(hidden1, ReLU(), Dropout(0.2, rng: rng), hidden2, ReLU(), Dropout(0.2, rng: rng), output)
        for l in [hidden1, hidden2, output] { l.initializeDefault(rng: rng) }
    }

    public var children: [(name: String, module: Module)] { [("net", net)] }

    /// Trains with Adam on softmax cross-entropy. `log` receives one line per epoch.
    public func train(images: Matrix, labels: [Int32], epochs: Int = 8, batchSize: Int = 100, learningRate: Float = 1e-3,
                      log: (String) -> Void = { _ in }) {
        let adam = Adam(self)
        let sampler = MinibatchSampler(images: images, labels: labels, batchSize: batchSize, seed: rng.next())
        let x = Matrix(rows: batchSize, cols: images.cols), gradient = Matrix(rows: batchSize, cols: classCount)
        var y = [Int32](repeating: 0, count: batchSize)
        var step = 0
        for epoch in 0..<epochs {
            var loss = 0.0
            let hyperparameters = Hyperparameters(learningRate: learningRate * (epoch >= epochs * 3 / 4 ? 0.1 : 1), momentum: 0.9)
            for batch in 0..<sampler.batchesPerEpoch {
                y.withUnsafeMutableBufferPointer { sampler.fill(epoch: epoch, batch: batch, images: x, labels: $0) }
                let logits = net.forward(x, mode: .training)
                loss += y.withUnsafeBufferPointer { softmaxCrossEntropy(logits, labels: $0, gradient: gradient) }
                _ = net.backward(gradient, needs: .parameters)
                step += 1
                adam.update(hyperparameters, step: step)
            }
            log(String(format: "classifier epoch %d/%d: loss %.4f", epoch + 1, epochs, loss / Double(sampler.batchesPerEpoch)))
        }
    }

    /// Runs the net up to layer `last` (inclusive) in inference mode, in chunks; returns [n, width].
    func activations(_ images: Matrix, through last: Int) -> Matrix {
        var result: Matrix?
        var start = 0
        while start < images.rows {
            let end = min(start + 1000, images.rows)
            var h = images.rows(start..<end)
            for layer in net.layers[0...last] { h = layer.forward(h, mode: .inference) }
            if result == nil { result = Matrix(rows: images.rows, cols: h.cols) }
            result!.rows(start..<end).copy(from: h)
            start = end
        }
        return result ?? Matrix(rows: 0, cols: 0)
    }

    /// The predicted class of each image.
    public func predict(_ images: Matrix) -> [Int] {
        let logits = activations(images, through: net.layers.count - 1)
        return (0..<logits.rows).map { r in (0..<classCount).max { logits[r, $0] < logits[r, $1] }! }
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
    public static func load(from path: String, classCount: Int, expecting metadata: [String: String]) -> DigitClassifier? {
        guard let contents = try? SafeTensors.read(path), contents.metadata["classifier"] == version,
              metadata.allSatisfy({ contents.metadata[$0.key] == $0.value }) else { return nil }
        let c = DigitClassifier(classCount: classCount)
        var state = StateDict(contents.tensors, file: path)
        state.acceptsRowVectors = true  // caches written before biases were stored [n]
        guard (try? state.load(c, prefix: "")) != nil, (try? state.checkEverythingUsed()) != nil else { return nil }
        return c
    }
}

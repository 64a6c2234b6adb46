import NN

/// Shuffled minibatches of a data set, a fresh order each epoch, drawn without allocating.
///
/// The order of epoch e comes from a generator seeded with (seed, e) alone, so batch b of epoch e is the
/// same whether a run got there straight or resumed from a checkpoint.
public final class MinibatchSampler {
    public let images: Matrix
    public let labels: [Int32]
    public let batchSize: Int
    public let seed: UInt64
    private var order: [Int] = []
    private var orderEpoch = -1

    /// `images` [n, d] already scaled; the last partial batch of an epoch is dropped.
    public init(images: Matrix, labels: [Int32], batchSize: Int, seed: UInt64) {
        precondition(images.rows == labels.count && batchSize > 0 && batchSize <= labels.count,
                     "batch size \(batchSize) for \(labels.count) examples")
        self.images = images
        self.labels = labels
        self.batchSize = batchSize
        self.seed = seed
    }

    public var batchesPerEpoch: Int { labels.count / batchSize }

    /// Copies batch `batch` of epoch `epoch` into `x` [batchSize, d] and `y`.
    public func fill(epoch: Int, batch: Int, images x: Matrix, labels y: UnsafeMutableBufferPointer<Int32>) {
        if orderEpoch != epoch {
            order = RandomGenerator(seed: seed &+ 0x5DEE_CE66 &* UInt64(epoch + 1)).permutation(labels.count)
            orderEpoch = epoch
        }
        let d = images.cols
        for r in 0..<batchSize {
            let i = order[batch * batchSize + r]
            (x.pointer + r * d).update(from: images.pointer + i * d, count: d)
            y[r] = labels[i]
        }
    }
}

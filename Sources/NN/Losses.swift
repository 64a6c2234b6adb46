#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binary cross-entropy on logits: ℓ(l, t) = max(l, 0) - l·t + log(1 + e^-|l|), exact for any |l|.
///
/// Writes dLoss/dLogit = (σ(l) - t) / `normaliser` into `gradient` and returns Σℓ / `normaliser`.
/// `normaliser` is the batch size for a mean; a D pass over [real; fake] of 2B rows passes B, so that
/// the loss is BCE(real) + BCE(fake) as in the two-pass formulation.
@discardableResult
public func binaryCrossEntropyWithLogits(_ logits: Matrix, targets: Matrix, normaliser: Float,
                                         gradient: Matrix) -> Double {
    precondition(logits.count == targets.count && gradient.count == logits.count, "BCE shapes differ")
    let l = logits.pointer, t = targets.pointer, g = gradient.pointer
    var total = 0.0
    for i in 0..<logits.count {
        let x = l[i]
        total += Double(max(x, 0) - x * t[i] + log1pf(expf(-abs(x))))
        g[i] = (sigmoid(x) - t[i]) / normaliser
    }
    return total / Double(normaliser)
}

/// Softmax cross-entropy of `logits` [n, classes] against integer `labels`, averaged over rows.
/// Writes dLoss/dLogits = (softmax - onehot) / n into `gradient`. Returns the mean loss.
@discardableResult
public func softmaxCrossEntropy(_ logits: Matrix, labels: UnsafeBufferPointer<Int32>, gradient: Matrix) -> Double {
    precondition(labels.count == logits.rows && gradient.count == logits.count, "cross-entropy shapes differ")
    let k = logits.cols, n = logits.rows
    var total = 0.0
    for r in 0..<n {
        let row = logits.pointer + r * k, g = gradient.pointer + r * k
        var m = row[0]
        for c in 1..<k { m = max(m, row[c]) }
        var s: Float = 0
        for c in 0..<k { g[c] = expf(row[c] - m); s += g[c] }
        let label = Int(labels[r])
        total += Double(logf(s) + m - row[label])
        for c in 0..<k { g[c] = g[c] / s / Float(n) }
        g[label] -= 1 / Float(n)
    }
    return total / Double(n)
}

/// The hinge loss of a discriminator (Lim & Ye, 2017; Miyato et al., 2018) over logits of 2B rows, the first
/// `realRows` real and the rest generated: Σ max(0, 1 − l) over real rows + Σ max(0, 1 + l) over generated
/// ones, each divided by `normaliser` (B, so that it is the sum of the two means). Writes dLoss/dLogit into
/// `gradient` and returns the loss. Unlike cross-entropy it stops pushing a logit once it is past the margin.
@discardableResult
public func discriminatorHingeLoss(_ logits: Matrix, realRows: Int, normaliser: Float, gradient: Matrix) -> Double {
    precondition(gradient.count == logits.count && realRows <= logits.count, "hinge loss shapes differ")
    let l = logits.pointer, g = gradient.pointer, step = 1 / normaliser
    var total = 0.0
    for i in 0..<logits.count {
        let sign: Float = i < realRows ? -1 : 1       // real: max(0, 1 − l); generated: max(0, 1 + l)
        let margin = 1 + sign * l[i]
        total += Double(max(margin, 0))
        g[i] = margin > 0 ? sign * step : 0
    }
    return total / Double(normaliser)
}

/// The generator's side of the hinge loss: −mean(l) over D's logits for generated images. Writes
/// dLoss/dLogit = −1/B into `gradient` and returns the loss.
@discardableResult
public func generatorHingeLoss(_ logits: Matrix, gradient: Matrix) -> Double {
    precondition(gradient.count == logits.count, "hinge loss shapes differ")
    let n = Float(logits.count)
    var total = 0.0
    for i in 0..<logits.count { total -= Double(logits.pointer[i]) }
    gradient.fill(-1 / n)
    return total / Double(n)
}

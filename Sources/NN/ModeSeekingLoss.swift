/// The mode-seeking term of Mao et al. (2019, "Mode Seeking Generative Adversarial Networks for Diverse
/// Image Synthesis"): a generator that maps two noise vectors of the same condition to nearly the same image
/// has collapsed, so the term grows as their images come together.
///
/// Rows i and i + h of `outputs` [n, P] (h = n / 2; an odd last row is left out) are one pair, drawn from
/// `noise` [n, Z] rows i and i + h for the same condition. With the pair's distance ratio
/// rᵢ = dᵢ / mean_z |zᵢ − zᵢ₊ₕ| and R = mean_i rᵢ, the term is `weight` / (R + ε). The image distance dᵢ is
/// set by `distance`: mean_p |outᵢ − outᵢ₊ₕ| for `.pixels`, as in MSGAN, or over block means, so that G gains
/// nothing by speckle and is pushed to vary colours and layout instead. (MSGAN's own code
/// divides the batch means; a per-pair ratio keeps one far pair from hiding a collapsed one.)
/// Adds dTerm/dOutputs into `gradient` [n, P] (it already holds the adversarial gradient) and returns the term.
@discardableResult
public func addModeSeekingTerm(outputs: Matrix, noise: Matrix, weight: Float, gradient: Matrix,
                               distance: ModeSeekingDistance = .pixels) -> Double {
    precondition(outputs.rows == noise.rows && gradient.rows == outputs.rows && gradient.cols == outputs.cols,
                 "mode-seeking shapes differ")
    let h = outputs.rows / 2, p = outputs.cols, zc = noise.cols
    guard h > 0, weight != 0 else { return 0 }
    let planes: Int, height: Int, width: Int, block: Int
    switch distance {
    case .pixels:   // the 1 x P plane in blocks of one pixel
        (planes, height, width, block) = (1, 1, p, 1)
    case let .blockMeans(image, perSide):
        precondition(perSide > 0 && image.height == image.width && image.height % perSide == 0 && image.count == p,
                     "\(perSide) x \(perSide) blocks do not tile images of \(image) in rows of \(p)")
        (planes, height, width, block) = (image.channels, image.height, image.width, image.height / perSide)
    }
    let blockRows = height / block, blockCols = width / block, blockArea = Float(block * block)
    let epsilon: Float = 1e-5
    let o = outputs.pointer, z = noise.pointer, g = gradient.pointer
    // The pair's noise distance is a constant of the term; computed twice rather than stored, so that the
    // training step allocates nothing.
    func noiseDistance(_ i: Int) -> Float {
        var dz: Float = 0
        for k in 0..<zc { dz += abs(z[i * zc + k] - z[(i + h) * zc + k]) }
        return max(dz / Float(zc), epsilon)
    }
    /// Calls `body` with the offset of each block's first pixel in a row and the block's mean difference of pair i.
    func forEachBlock(ofPair i: Int, _ body: (_ start: Int, _ meanDifference: Float) -> Void) {
        for c in 0..<planes {
            for by in 0..<blockRows {
                for bx in 0..<blockCols {
                    let start = c * height * width + by * block * width + bx * block
                    var sum: Float = 0
                    for y in 0..<block {
                        let a = o + i * p + start + y * width, b = o + (i + h) * p + start + y * width
                        for x in 0..<block { sum += a[x] - b[x] }
                    }
                    body(start, sum / blockArea)
                }
            }
        }
    }
    var ratioSum: Float = 0
    for i in 0..<h {
        var dx: Float = 0
        forEachBlock(ofPair: i) { _, difference in dx += abs(difference) }
        ratioSum += dx / Float(planes * blockRows * blockCols) / noiseDistance(i)
    }
    let r = ratioSum / Float(h)
    // dTerm/dR = −w / (R + ε)²; dR/d outᵢₚ = sign(mean difference of p's block) / (h · P · dzᵢ) (the blocks'
    // count times their area is P), the opposite for row i + h.
    let outer = -weight / ((r + epsilon) * (r + epsilon))
    for i in 0..<h {
        let scale = outer / (Float(h) * Float(p) * noiseDistance(i))
        forEachBlock(ofPair: i) { start, difference in
            let s: Float = difference > 0 ? scale : (difference < 0 ? -scale : 0)
            for y in 0..<block {
                let a = g + i * p + start + y * width, b = g + (i + h) * p + start + y * width
                for x in 0..<block { a[x] += s; b[x] -= s }
            }
        }
    }
    return Double(weight / (r + epsilon))
}

/// How `addModeSeekingTerm` measures the distance between a pair's images.
public enum ModeSeekingDistance: Sendable, Equatable {
    /// The mean |difference| over the row's values, as MSGAN.
    case pixels
    /// The rows are square images of the given shape (channel-major); the distance is the mean over a
    /// `perSide` x `perSide` array of blocks per channel of |the block's mean difference|. `perSide` divides the side.
    case blockMeans(ImageShape, perSide: Int)
}

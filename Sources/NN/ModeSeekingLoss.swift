/// The mode-seeking term of Mao et al. (2019, "Mode Seeking Generative Adversarial Networks for Diverse
/// Image Synthesis"): a generator that maps two noise vectors of the same condition to nearly the same image
/// has collapsed, so the term grows as their images come together.
///
/// Rows i and i + h of `outputs` [n, P] (h = n / 2; an odd last row is left out) are one pair, drawn from
/// `noise` [n, Z] rows i and i + h for the same condition. With the pair's distance ratio
/// rᵢ = mean_p |outᵢ − outᵢ₊ₕ| / mean_z |zᵢ − zᵢ₊ₕ| and R = mean_i rᵢ, the term is `weight` / (R + ε). (MSGAN's
/// own code divides the batch means instead; a per-pair ratio keeps one far pair from hiding a collapsed one.)
/// Adds dTerm/dOutputs into `gradient` [n, P] (it already holds the adversarial gradient) and returns the term.
@discardableResult
public func addModeSeekingTerm(outputs: Matrix, noise: Matrix, weight: Float, gradient: Matrix) -> Double {
    precondition(outputs.rows == noise.rows && gradient.rows == outputs.rows && gradient.cols == outputs.cols,
                 "mode-seeking shapes differ")
    let h = outputs.rows / 2, p = outputs.cols, zc = noise.cols
    guard h > 0, weight != 0 else { return 0 }
    let epsilon: Float = 1e-5
    let o = outputs.pointer, z = noise.pointer, g = gradient.pointer
    // The pair's noise distance is a constant of the term; computed twice rather than stored, so that the
    // training step allocates nothing.
    func noiseDistance(_ i: Int) -> Float {
        var dz: Float = 0
        for k in 0..<zc { dz += abs(z[i * zc + k] - z[(i + h) * zc + k]) }
        return max(dz / Float(zc), epsilon)
    }
    var ratioSum: Float = 0
    for i in 0..<h {
        var dx: Float = 0
        for k in 0..<p { dx += abs(o[i * p + k] - o[(i + h) * p + k]) }
        ratioSum += dx / Float(p) / noiseDistance(i)
    }
    let r = ratioSum / Float(h)
    // dTerm/dR = −w / (R + ε)²; dR/d outᵢₖ = sign(outᵢₖ − outᵢ₊ₕ,ₖ) / (h · P · dzᵢ), the opposite for row i + h.
    let outer = -weight / ((r + epsilon) * (r + epsilon))
    for i in 0..<h {
        let scale = outer / (Float(h) * Float(p) * noiseDistance(i))
        for k in 0..<p {
            let d = o[i * p + k] - o[(i + h) * p + k]
            let s: Float = d > 0 ? scale : (d < 0 ? -scale : 0)
            g[i * p + k] += s
            g[(i + h) * p + k] -= s
        }
    }
    return Double(weight / (r + epsilon))
}

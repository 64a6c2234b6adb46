/// Writes one one-hot row per label into `out` ([labels.count, classes]); labels must be in 0..<classes.
public func oneHot(_ labels: UnsafeBufferPointer<Int32>, into out: Matrix) {
    precondition(out.rows == labels.count, "oneHot: \(labels.count) labels into \(out.shape)")
    out.fill(0)
    for (r, label) in labels.enumerated() {
        precondition(label >= 0 && Int(label) < out.cols, "label \(label) outside 0..<\(out.cols)")
        out[r, Int(label)] = 1
    }
}

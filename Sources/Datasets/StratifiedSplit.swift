extension LabeledImages {
    /// Splits off a validation set holding `valFraction` of each class (rounded, at least one example of a
    /// class with two or more), so that both parts keep the class balance of the whole. Which examples go
    /// to validation is a pseudo-random choice fixed by `seed`; both parts keep the original order.
    public func stratifiedSplit(valFraction: Double = 0.1, seed: UInt64 = 0) -> (train: LabeledImages, validation: LabeledImages) {
        precondition(valFraction >= 0 && valFraction < 1, "valFraction must be in [0, 1)")
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
        var isValidation = [Bool](repeating: false, count: count)
        var state = seed
        for members in byClass where members.count > 1 {
            let take = Self.heldOutCount(classSize: members.count, valFraction: valFraction)
            var shuffled = members
            // Partial Fisher-Yates with SplitMix64: the first `take` entries are the chosen ones.
            for k in 0..<take {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let pick = k + Int(z % UInt64(shuffled.count - k))
                shuffled.swapAt(k, pick)
                isValidation[shuffled[k]] = true
            }
        }
        func gather(_ wanted: Bool) -> LabeledImages {
            var p: [UInt8] = [], l: [Int32] = []
            p.reserveCapacity(imageSize * isValidation.count { $0 == wanted })
            for i in 0..<count where isValidation[i] == wanted {
                p.append(contentsOf: pixels[i * imageSize..<(i + 1) * imageSize])
                l.append(labels[i])
            }
            return LabeledImages(pixels: p, labels: l, imageSize: imageSize, classCount: classCount,
                                 channels: channels, side: side == 0 ? nil : side, classNames: classNames)
        }
        return (gather(false), gather(true))
    }

    /// How many of a class of `classSize` examples `stratifiedSplit` holds out.
    public static func heldOutCount(classSize: Int, valFraction: Double) -> Int {
        guard classSize > 1 else { return 0 }
        return Swift.max(valFraction > 0 ? 1 : 0, Swift.min(classSize - 1, Int((Double(classSize) * valFraction).rounded())))
    }

    /// The fewest examples a class needs for `stratifiedSplit` to hold out `wanted` of them; nil when a million
    /// are not enough (a fraction of 0, or one below about 1.5e-6 for 2).
    public static func classSize(holdingOut wanted: Int, valFraction: Double) -> Int? {
        (1...1_000_000).first { heldOutCount(classSize: $0, valFraction: valFraction) >= wanted }
    }
}

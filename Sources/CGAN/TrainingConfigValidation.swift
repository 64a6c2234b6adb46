extension TrainingConfig {
    /// Upper bounds that keep a hostile config or checkpoint from sizing huge buffers.
    public static let maximumClassCount = 1000, maximumNoiseSize = 10_000, maximumBatchSize = 65_536

    /// The first setting out of range, named as its `cgan train` option; nil when all are sound.
    public var problem: String? {
        func unit(_ x: Double) -> Bool { x >= 0 && x < 1 }
        func positive(_ x: Double) -> Bool { x.isFinite && x > 0 }
        let (d, m, o, a, c) = (data, model, optimization, additions, compute)
        let checks: [(Bool, String)] = [
            (!d.dataset.isEmpty, "--dataset must not be empty"),
            ((1...1_000_000).contains(o.epochs), "--epochs must be in 1...1000000"),
            ((2...Self.maximumBatchSize).contains(o.batchSize), "--batch-size must be in 2...\(Self.maximumBatchSize)"),
            ((1...ComputeSettings.maximumThreadCount).contains(c.threads), "--threads must be in 1...\(ComputeSettings.maximumThreadCount)"),
            (d.trainLimit.map { $0 >= 2 } ?? true, "--train-limit must be at least 2"),
            (d.channels == 1 || d.channels == 3, "--channels must be 1 or 3"),
            ((2...DataSettings.maximumSide).contains(d.imageSize), "--image-size must be in 2...\(DataSettings.maximumSide)"),
            (architecture != .dcgan || DataSettings.convolutionalSides.contains(d.imageSize),
             "dcgan takes --image-size \(DataSettings.convolutionalSides.sorted().map(String.init).joined(separator: ", ")) only (--arch mlp takes any size)"),
            (d.validationFraction.map { $0 >= 0 && $0 < 1 } ?? true, "--val-fraction must be in [0, 1)"),
            (d.classNames.map { (2...Self.maximumClassCount).contains($0.count) } ?? true, "class names must number 2...\(Self.maximumClassCount)"),
            ((1...Self.maximumNoiseSize).contains(m.noiseSize), "noise size must be in 1...\(Self.maximumNoiseSize)"),
            (positive(o.learningRate) && o.learningRate <= 100, "--lr must be a number in (0, 100]"),
            (o.learningRateDecay.isFinite && o.learningRateDecay >= 1, "learning-rate decay factor must be at least 1"),
            (o.learningRateFloor.isFinite && o.learningRateFloor >= 0, "learning-rate floor must be 0 or more"),
            (unit(o.momentumStart) && unit(o.momentumEnd), "--momentum must be in [0, 1)"),
            (o.momentumSaturateEpochs.isFinite && o.momentumSaturateEpochs >= 0, "--momentum-saturate-epochs must be 0 or more"),
            (unit(o.adamBeta1) && unit(o.adamBeta2), "Adam's betas must be in [0, 1)"),
            (unit(m.generatorDropout), "--g-dropout must be in [0, 1)"),
            (unit(m.discriminatorDropout), "--d-dropout must be in [0, 1)"),
            (unit(m.discriminatorInputDropout), "--d-input-dropout must be in [0, 1)"),
            (a.discriminatorHeadDropout.map(unit) ?? true, "--d-head-dropout must be in [0, 1)"),
            (a.discriminatorHeadDropout == nil || architecture == .dcgan, "--d-head-dropout applies to dcgan only"),
            (positive(m.generatorInitRange) && m.generatorInitRange <= 10, "--g-init-range must be in (0, 10]"),
            (positive(m.discriminatorInitRange) && m.discriminatorInitRange <= 10, "--d-init-range must be in (0, 10]"),
            (m.discriminatorMaxNorm.map(positive) ?? true, "--d-max-norm must be a positive number"),
            (unit(m.generatorOutputDropout), "--g-output-dropout must be in [0, 1)"),
            (m.widthMultiplier.isFinite && m.widthMultiplier >= 0.125 && m.widthMultiplier <= 8, "--width must be in 0.125...8"),
            (m.generatorWidthMultiplier.map { $0.isFinite && $0 >= 0.125 && $0 <= 8 } ?? true, "--g-width must be in 0.125...8"),
            (m.discriminatorWidthMultiplier.map { $0.isFinite && $0 >= 0.125 && $0 <= 8 } ?? true, "--d-width must be in 0.125...8"),
            (m.discriminator == nil || architecture != .dcgan, "--discriminator applies to the MLP models only, not dcgan"),
            (!a.projectionDiscriminator || architecture == .dcgan, "--projection applies to dcgan only"),
            (a.generatorAverageDecay >= 0 && a.generatorAverageDecay < 1, "--g-average must be in [0, 1) (0: off)"),
            (o.learningRateDecayStart.map { $0 >= 0 && $0 < 1 } ?? true, "--lr-decay-from must be in [0, 1)"),
            (o.learningRateDecayStart == nil || o.optimizer == .adam, "--lr-decay-from applies to the Adam models (mlp, mlp-bn, dcgan)"),
            (!a.spectralNorm || architecture == .dcgan, "--spectral-norm applies to dcgan only"),
            (a.spectralNorm || a.headSpectralNorm, "--no-head-spectral-norm applies with --spectral-norm only"),
            (m.discriminatorMaxNorm == nil || !a.spectralNorm, "--d-max-norm and --spectral-norm both limit D's weights; choose one"),
            (o.adversarialLoss == .crossEntropy || o.generatorLoss == .nonSaturating, "--g-loss applies to --loss bce only (the hinge loss has its own G loss)"),
            (a.modeSeekingWeight.isFinite && a.modeSeekingWeight >= 0 && a.modeSeekingWeight <= 100, "--mode-seeking must be in 0...100 (0: off)"),
            // Its gradient grows as 1/R² when a pair's images meet; Adam's step is bounded, plain SGD's at rate 0.1 is not.
            (a.modeSeekingWeight == 0 || o.optimizer == .adam, "--mode-seeking applies to the Adam models (mlp, mlp-bn, dcgan): with the paper's SGD its gradient blows up as G's pairs meet"),
            (a.modeSeekingGrid == 0 || a.modeSeekingWeight > 0, "--mode-seeking-grid applies with --mode-seeking"),
            (a.modeSeekingGrid >= 0 && d.imageSize % max(a.modeSeekingGrid, 1) == 0,
             "--mode-seeking-grid must be 0 (pixel by pixel) or divide --image-size \(d.imageSize)"),
            (a.classLossWeight.isFinite && a.classLossWeight >= 0 && a.classLossWeight <= 100, "--class-loss must be in 0...100 (0: off)"),
            (a.classLossWeight == 0 || a.projectionDiscriminator, "--class-loss needs dcgan's projection discriminator (it reads the features the projection head reads)"),
            (!a.classBatchNorm || architecture == .dcgan, "--class-batch-norm applies to dcgan only"),
            (positive(o.discriminatorLearningRateScale) && o.discriminatorLearningRateScale <= 100, "--d-lr-scale must be in (0, 100]"),
        ]
        return checks.first { !$0.0 }?.1
    }

    /// A setting the chosen model has no place for, named as its `cgan train` option, so that a new run
    /// refuses it rather than ignore it; nil when none. Not part of `problem`: runs stored before it existed
    /// may carry such a setting, which their models never used, and stay readable.
    public var unusedSetting: String? {
        let checks: [(Bool, String)] = [
            (!(model.generatorEmbedsApart || model.generatorBatchNorm || model.generatorReLU) || architecture == .mlp,
             "--g-embed-apart, --g-batch-norm and --g-relu apply to mlp's G only (mlp-bn's G has all three)"),
            (model.generatorDropout == 0 || architecture != .dcgan, "--g-dropout applies to the MLP models only (dcgan's G has batch norm, not dropout)"),
            (model.discriminatorInputDropout == 0 || (model.discriminator ?? ownDiscriminator)?.hasPaperLayout == true,
             "--d-input-dropout applies to the paper's D only (paper, or --discriminator maxout or paper-leaky)"),
            (model.discriminatorConditioning == nil || (model.discriminator ?? ownDiscriminator)?.hasPaperLayout == true,
             "--d-conditioning applies to the paper's D only (paper, or --discriminator maxout or paper-leaky)"),
            (optimization.momentumStart == 0.5 || optimization.optimizer == .sgd, "--momentum applies to the paper model's SGD (Adam's first beta plays its part)"),
            // A ramp of no length starts at its end: the starting momentum would never be used.
            (optimization.momentumStart == 0.5 || optimization.momentumSaturateEpochs > 0, "--momentum needs --momentum-saturate-epochs above 0"),
            (compute.conflict == nil, compute.conflict ?? ""),
            (model.generatorWidthMultiplier == nil || model.discriminatorWidthMultiplier == nil || model.widthMultiplier == 1,
             "--width has no effect when --g-width and --d-width are both given; leave it out"),
        ]
        return checks.first { !$0.0 }?.1
    }
}

import Datasets
import Foundation
import NN

/// The generator and discriminator of one architecture, built and initialised from a config.
public struct GANModels {
    public let generator: ConditionalNet
    public let discriminator: ConditionalNet
    /// The moving average of G's weights that samples are drawn from, when `generatorAverageDecay` is set;
    /// built like `generator` and starting from its weights.
    public let averageGenerator: ConditionalNet?
    /// Values per image (pixels x channels): G's output width and D's data input width.
    public let imageSize: Int
    /// The shape of one image, from the config's `data` settings.
    public let imageShape: ImageShape

    /// The image size of the MNIST family: 28 x 28.
    public static let defaultImageSize = 784

    /// The weights of G's fully connected layers for `config`: fewer than G holds in all, counted without
    /// building anything, so that a checkpoint's tensors can be checked against the model its config asks for.
    public static func generatorWeightLowerBound(config c: TrainingConfig, classCount ny: Int) -> Int {
        let w = { (n: Int) in ModelSettings.scaled(n, by: c.model.generatorWidth) }
        let nz = c.model.noiseSize, nx = c.data.valuesPerImage
        let layers: [(Int, Int)]
        switch c.architecture {
        case .paper: layers = [(nz, w(200)), (ny, w(1000)), (w(200) + w(1000), w(1200)), (w(1200), nx)]
        case .mlp: layers = [(nz + ny, w(256)), (w(256), w(512)), (w(512), w(1024)), (w(1024), nx)]
        case .mlpBN: layers = [(nz, w(256)), (ny, w(256)), (2 * w(256), w(512)), (w(512), w(1024)), (w(1024), nx)]
        case .dcgan:
            let plan = ConvolutionalPlan(side: c.data.imageSize)
            layers = [(nz + ny, w(plan.seedChannels) * plan.seedSide * plan.seedSide)]
        }
        return layers.reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Builds both nets. `dataMeanPixel` (per pixel, in [0, 1]) sets the paper G's output bias. The nets'
    /// products run with `matrixProducts` (a `TrainingStep` switches them to the config's precision for its steps).
    public init(config c: TrainingConfig, classCount: Int, dataMeanPixel: [Float]? = nil,
                matrixProducts: MatrixProducts = MatrixProducts()) {
        let gRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.generatorDropout), dRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.discriminatorDropout)
        let initRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.initialization)
        imageShape = ImageShape(channels: c.data.channels, height: c.data.imageSize, width: c.data.imageSize)
        let nz = c.model.noiseSize, ny = classCount, nx = imageShape.count
        imageSize = nx
        func drop(_ p: Double, _ rng: RandomGenerator) -> [Layer] { p > 0 ? [Dropout(Float(p), rng: rng)] : [] }
        let w = { (n: Int) in ModelSettings.scaled(n, by: c.model.generatorWidth) }
        switch c.architecture {
        case .paper:
            let out = Linear(w(1200), nx)
            generator = ConditionalNet(
                data: Sequential(Linear(nz, w(200)), ReLU()),
                label: Sequential(Linear(ny, w(1000)), ReLU()),
                trunk: Sequential(drop(c.model.generatorDropout, gRNG) + [Linear(w(200) + w(1000), w(1200)), ReLU()]
                                  + drop(c.model.generatorDropout, gRNG) + [out, Sigmoid()] + drop(c.model.generatorOutputDropout, gRNG)),
                rng: gRNG)
            for l in generator.modules(ofType: Linear.self) { l.initializeUniform(range: Float(c.model.generatorInitRange), rng: initRNG) }
            if c.model.generatorOutputBiasFromData, let mean = dataMeanPixel {
                for (i, m) in mean.enumerated() {
                    let p = min(max(m, 1e-3), 1 - 1e-3)
                    out.bias.value.pointer[i] = log(p / (1 - p))
                }
            }
        case .mlp:
            let gd = c.model.generatorDropout, m = c.model
            // in -> out hidden units: linear map, batch norm where asked, then the activation.
            func hidden(_ inputs: Int, _ units: Int) -> [Layer] {
                [Linear(inputs, units)] + (m.generatorBatchNorm ? [BatchNorm1d(units)] : [])
                    + [m.generatorReLU ? ReLU() : LeakyReLU(slope: 0.2)]
            }
            // [z, y] -> 256 -> 512 -> 1024 -> image; or apart, z -> 256 and y -> 256, then [512] -> 512 -> 1024 -> image.
            let apart = m.generatorEmbedsApart
            generator = ConditionalNet(
                data: apart ? Sequential(hidden(nz, w(256))) : Identity(), label: apart ? Sequential(hidden(ny, w(256))) : Identity(),
                trunk: Sequential((apart ? hidden(2 * w(256), w(512)) : hidden(nz + ny, w(256)) + drop(gd, gRNG) + hidden(w(256), w(512)))
                                  + drop(gd, gRNG) + hidden(w(512), w(1024)) + drop(gd, gRNG)
                                  + [Linear(w(1024), nx), Tanh()] + drop(c.model.generatorOutputDropout, gRNG)),
                rng: gRNG)
        case .mlpBN:
            let gd = c.model.generatorDropout
            generator = ConditionalNet(
                data: Sequential(Linear(nz, w(256)), BatchNorm1d(w(256)), ReLU()),
                label: Sequential(Linear(ny, w(256)), BatchNorm1d(w(256)), ReLU()),
                trunk: Sequential([Linear(2 * w(256), w(512)), BatchNorm1d(w(512)), ReLU()] + drop(gd, gRNG)
                                  + [Linear(w(512), w(1024)), BatchNorm1d(w(1024)), ReLU()] + drop(gd, gRNG)
                                  + [Linear(w(1024), nx), Tanh()] + drop(c.model.generatorOutputDropout, gRNG)),
                rng: gRNG)
        case .dcgan:
            // The PyTorch reference dcgan (torch_cgan.py): G [z, y] -> 6272 (BN, ReLU) = [128, 7, 7] -> ConvT 64 (BN, ReLU)
            // 14x14 -> ConvT 1 28x28 tanh; D: image + one-hot label planes (11 x 28 x 28) -> Conv 64 -> Conv 128 -> 1.
            // Its dcgan32 for 32x32: [256, 4, 4] -> 128 8x8 -> 64 16x16 -> C 32x32; each doubling of the side
            // adds one block to each net (`ConvolutionalPlan`).
            let plan = ConvolutionalPlan(side: imageShape.height)
            let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
            let seed = ImageShape(channels: w(plan.seedChannels), height: plan.seedSide, width: plan.seedSide)
            // With --class-batch-norm each batch norm's scale and shift come from the class instead.
            let conditional = c.additions.classBatchNorm
            func classAffine(_ shape: ImageShape) -> [Layer] { conditional ? [ClassAffine(shape, classes: ny)] : [] }
            let flat = ImageShape(channels: seed.count, height: 1, width: 1)
            var layers: [Layer] = [Linear(nz + ny, seed.count), BatchNorm1d(seed.count, affine: !conditional)] + classAffine(flat)
            var shape = seed
            for block in 1...plan.blocks {
                let last = block == plan.blocks
                let up = ConvTranspose2d(shape, outChannels: last ? imageShape.channels : w(plan.seedChannels >> block), window)
                layers += [ReLU(), up]
                if !last { layers += [BatchNorm2d(up.output, affine: !conditional)] + classAffine(up.output) }
                shape = up.output
            }
            precondition(shape == imageShape, "dcgan built \(shape), not \(imageShape)")
            generator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential(layers + [Tanh()] + drop(c.model.generatorOutputDropout, gRNG)),
                rng: gRNG)
        }
        discriminator = Self.discriminator(config: c, classCount: ny, image: imageShape, rng: dRNG,
                                           width: { ModelSettings.scaled($0, by: c.model.discriminatorWidth) })
        generator.matrixProducts = matrixProducts
        discriminator.matrixProducts = matrixProducts
        if (c.model.discriminator ?? c.ownDiscriminator)?.hasPaperLayout == true {
            for l in discriminator.modules(ofType: Linear.self) { l.initializeUniform(range: Float(c.model.discriminatorInitRange), rng: initRNG) }
            // A projection head in place of the paper's output layer starts as that layer does (±range), its class
            // embedding at zero: one factor changed, where the class enters.
            for head in discriminator.modules(ofType: ProjectionHead.self) {
                head.initializeUniform(range: Float(c.model.discriminatorInitRange), rng: initRNG)
            }
        }
        // PyTorch's default initialisation, in tree order, for the nets not initialised uniformly above.
        let defaultInitialized = (c.architecture == .paper ? [] : [generator])
            + ((c.model.discriminator ?? c.ownDiscriminator)?.hasPaperLayout == true ? [] : [discriminator])
        for layer in defaultInitialized.flatMap({ $0.modules(ofType: (any DefaultInitializable).self) }) {
            layer.initializeDefault(rng: initRNG)
        }
        if let limit = c.model.discriminatorMaxNorm {
            for l in discriminator.modules(ofType: Linear.self) { l.weight.maxRowNorm = Float(limit) }
        }
        if c.additions.generatorAverageDecay > 0 {
            var plain = c
            plain.additions.generatorAverageDecay = 0
            // The same config and seed: the same initial weights.
            averageGenerator = GANModels(config: plain, classCount: classCount, dataMeanPixel: dataMeanPixel,
                                         matrixProducts: matrixProducts).generator
        } else {
            averageGenerator = nil
        }
    }

    /// The generator that samples are drawn from: the average when there is one.
    public var samplingGenerator: ConditionalNet { averageGenerator ?? generator }

    /// D of `c`: the kind it names, or its architecture's own.
    private static func discriminator(config c: TrainingConfig, classCount ny: Int, image: ImageShape, rng: RandomGenerator,
                                      width w: (Int) -> Int) -> ConditionalNet {
        let nx = image.count
        func drop(_ p: Double) -> [Layer] { p > 0 ? [Dropout(Float(p), rng: rng)] : [] }
        let dd = c.model.discriminatorDropout
        switch (c.architecture, c.model.discriminator ?? c.ownDiscriminator) {
        case (_, let kind?) where kind.hasPaperLayout:
            // in -> `units` maxout units of `pieces`, or LeakyReLU units for paper-leaky.
            func units(_ inputs: Int, _ units: Int, pieces: Int) -> [Layer] {
                kind == .maxout ? [Maxout(inputs, units: units, pieces: pieces)] : [Linear(inputs, units), LeakyReLU(slope: 0.2)]
            }
            let inputDropout = drop(c.model.discriminatorInputDropout)
            // x [n, nx] -> 240 units -> 240 units -> 1; the class joins where `discriminatorConditioning` says.
            switch c.model.discriminatorConditioning ?? .hidden {
            case .hidden:
                return ConditionalNet(
                    data: Sequential(inputDropout + units(nx, w(240), pieces: 5)),
                    // A lone layer, not a Sequential, keeps the parameter names of the paper's runs.
                    label: kind == .maxout ? Maxout(ny, units: w(50), pieces: 5) : Sequential(units(ny, w(50), pieces: 5)),
                    trunk: Sequential(drop(dd) + units(w(240) + w(50), w(240), pieces: 4) + drop(dd) + [Linear(w(240), 1)]),
                    rng: rng)
            case .input, .embedding:
                let embedding = c.model.discriminatorConditioning == .embedding
                return ConditionalNet(
                    data: Sequential(inputDropout), label: embedding ? Linear(ny, w(50)) : Identity(),
                    trunk: Sequential(units(nx + (embedding ? w(50) : ny), w(240), pieces: 5) + drop(dd)
                                      + units(w(240), w(240), pieces: 4) + drop(dd) + [Linear(w(240), 1)]),
                    rng: rng)
            case .projection:
                return ConditionalNet(
                    data: Sequential(inputDropout + units(nx, w(240), pieces: 5)), label: Discard(),
                    trunk: Sequential(drop(dd) + units(w(240), w(240), pieces: 4) + drop(dd)),
                    head: ProjectionHead(features: w(240), classes: ny), rng: rng)
            }
        case (_, .leaky?):
            return ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential([Linear(nx + ny, w(1024)), LeakyReLU(slope: 0.2)] + drop(dd)
                                  + [Linear(w(1024), w(512)), LeakyReLU(slope: 0.2)] + drop(dd)
                                  + [Linear(w(512), w(256)), LeakyReLU(slope: 0.2)] + drop(dd)
                                  + [Linear(w(256), 1)]),
                rng: rng)
        case (.dcgan, nil):
            // D's first convolution reads the image and the label planes without building the planes.
            let plan = ConvolutionalPlan(side: image.height)
            let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
            // Spectral normalisation's power iterations start from a stream of their own, so the weights and
            // dropout masks of a run without it stay as they were.
            let normRNG = c.additions.spectralNorm ? RandomGenerator(seed: c.optimization.seed &+ SeedStream.spectralNorm) : nil
            func normalized(_ layer: any Layer & DefaultInitializable) -> Layer {
                normRNG.map { SpectralNorm(layer, rng: $0) } ?? layer
            }
            let first = LabelPlaneConv2d(image, classes: ny, outChannels: w(64), window)
            var features: [Layer] = [normalized(first), LeakyReLU(slope: 0.2)]
            var shape = first.output
            for block in 2...plan.blocks {
                features += drop(dd)
                let down = Conv2d(shape, outChannels: w(64 << (block - 1)), window)
                features += [normalized(down), LeakyReLU(slope: 0.2)]
                shape = down.output
            }
            features += drop(c.additions.discriminatorHeadDropout ?? dd)
            let featureCount = shape.count
            if c.additions.projectionDiscriminator {
                let headRNG = c.additions.headSpectralNorm ? normRNG : nil
                // The AC-GAN classifier is normalised as the head is: both read the same features.
                var classifier: Layer?
                if c.additions.classLossWeight > 0 {
                    let linear = Linear(featureCount, ny)
                    classifier = headRNG.map { SpectralNorm(linear, rng: $0) } ?? linear
                }
                return ConditionalNet(data: Identity(), label: Identity(), trunk: Sequential(features),
                                      head: ProjectionHead(features: featureCount, classes: ny, spectralNormRNG: headRNG),
                                      classifier: classifier, rng: rng)
            }
            return ConditionalNet(data: Identity(), label: Identity(),
                                  trunk: Sequential(features + [normalized(Linear(featureCount, 1))]), rng: rng)
        default: // mlp-bn's own: x and y embedded apart, then concatenated.
            return ConditionalNet(
                data: Sequential(Linear(nx, w(1024)), LeakyReLU(slope: 0.2)),
                label: Sequential(Linear(ny, w(1024)), LeakyReLU(slope: 0.2)),
                trunk: Sequential([Linear(2 * w(1024), w(512)), LeakyReLU(slope: 0.2)] + drop(dd)
                                  + [Linear(w(512), w(256)), LeakyReLU(slope: 0.2)] + drop(dd)
                                  + [Linear(w(256), 1)]),
                rng: rng)
        }
    }
}

/// The blocks of a dcgan for square images of one side: G starts from `seedChannels` planes of
/// `seedSide` x `seedSide` and doubles the side in each of its `blocks` transposed convolutions (halving
/// the channels); D mirrors it, from 64 channels up. 28 (the MNIST family) is 7 -> 14 -> 28 from 128
/// channels, as torch_cgan.py's dcgan; powers of 2 start at 4 x 4 (its dcgan32 for 32).
struct ConvolutionalPlan {
    let blocks: Int, seedSide: Int, seedChannels: Int

    init(side: Int) {
        precondition(DataSettings.convolutionalSides.contains(side), "dcgan has no design for \(side) x \(side) images")
        blocks = side == 28 ? 2 : side.trailingZeroBitCount - 2
        seedSide = side >> blocks
        seedChannels = 64 << (blocks - 1)
    }
}

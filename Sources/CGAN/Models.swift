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
    /// Pixels per image: G's output width and D's data input width.
    public let imageSize: Int

    /// The image size of the MNIST family: 28 x 28.
    public static let defaultImageSize = 784

    /// The weights of G's fully connected layers for `config`: fewer than G holds in all, counted without
    /// building anything, so that a checkpoint's tensors can be checked against the model its config asks for.
    public static func generatorWeightLowerBound(config c: TrainingConfig, classCount ny: Int, imageSize nx: Int = defaultImageSize) -> Int {
        let w = { (n: Int) in max(1, Int((Double(n) * c.model.widthMultiplier).rounded())) }
        let nz = c.model.noiseSize
        let layers: [(Int, Int)]
        switch c.architecture {
        case .paper: layers = [(nz, w(200)), (ny, w(1000)), (w(200) + w(1000), w(1200)), (w(1200), nx)]
        case .mlp: layers = [(nz + ny, w(256)), (w(256), w(512)), (w(512), w(1024)), (w(1024), nx)]
        case .mlpBN: layers = [(nz, w(256)), (ny, w(256)), (2 * w(256), w(512)), (w(512), w(1024)), (w(1024), nx)]
        case .dcgan:
            let side = Int(Double(nx).squareRoot())
            layers = [(nz + ny, w(128) * (side / 4) * (side / 4))]
        }
        return layers.reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Builds both nets. `dataMeanPixel` (per pixel, in [0, 1]) sets the paper G's output bias. The nets'
    /// products run with `matrixProducts` (a `TrainingStep` switches them to the config's precision for its steps).
    public init(config c: TrainingConfig, classCount: Int, imageSize: Int = defaultImageSize, dataMeanPixel: [Float]? = nil,
                matrixProducts: MatrixProducts = MatrixProducts()) {
        let gRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.generatorDropout), dRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.discriminatorDropout)
        let initRNG = RandomGenerator(seed: c.optimization.seed &+ SeedStream.initialization)
        let nz = c.model.noiseSize, ny = classCount, nx = imageSize
        self.imageSize = imageSize
        func drop(_ p: Double, _ rng: RandomGenerator) -> [Layer] { p > 0 ? [Dropout(Float(p), rng: rng)] : [] }
        let w = { (n: Int) in max(1, Int((Double(n) * c.model.widthMultiplier).rounded())) }
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
            let gd = c.model.generatorDropout
            generator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential([Linear(nz + ny, w(256)), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
                                  + [Linear(w(256), w(512)), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
                                  + [Linear(w(512), w(1024)), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
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
            let side = Int(Double(nx).squareRoot())
            precondition(side * side == nx && side % 4 == 0, "dcgan needs square images with a side divisible by 4")
            let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
            let seed = ImageShape(channels: w(128), height: side / 4, width: side / 4)
            let up1 = ConvTranspose2d(seed, outChannels: w(64), window)
            let up2 = ConvTranspose2d(up1.output, outChannels: 1, window)
            // With --class-batch-norm each batch norm's scale and shift come from the class instead.
            let conditional = c.additions.classBatchNorm
            func classAffine(_ shape: ImageShape) -> [Layer] { conditional ? [ClassAffine(shape, classes: ny)] : [] }
            let flat = ImageShape(channels: seed.count, height: 1, width: 1)
            generator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential([Linear(nz + ny, seed.count), BatchNorm1d(seed.count, affine: !conditional)] + classAffine(flat)
                                  + [ReLU(), up1, BatchNorm2d(up1.output, affine: !conditional)] + classAffine(up1.output)
                                  + [ReLU(), up2, Tanh()] + drop(c.model.generatorOutputDropout, gRNG)),
                rng: gRNG)
        }
        discriminator = Self.discriminator(config: c, classCount: ny, imageSize: nx, rng: dRNG, width: w)
        generator.matrixProducts = matrixProducts
        discriminator.matrixProducts = matrixProducts
        if c.model.discriminator ?? c.ownDiscriminator == .maxout {
            for l in discriminator.modules(ofType: Linear.self) { l.initializeUniform(range: Float(c.model.discriminatorInitRange), rng: initRNG) }
        }
        // PyTorch's default initialisation, in tree order, for the nets not initialised uniformly above.
        let defaultInitialized = (c.architecture == .paper ? [] : [generator])
            + (c.model.discriminator ?? c.ownDiscriminator == .maxout ? [] : [discriminator])
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
            averageGenerator = GANModels(config: plain, classCount: classCount, imageSize: imageSize, dataMeanPixel: dataMeanPixel,
                                         matrixProducts: matrixProducts).generator
        } else {
            averageGenerator = nil
        }
    }

    /// The generator that samples are drawn from: the average when there is one.
    public var samplingGenerator: ConditionalNet { averageGenerator ?? generator }

    /// D of `c`: the kind it names, or its architecture's own.
    private static func discriminator(config c: TrainingConfig, classCount ny: Int, imageSize nx: Int, rng: RandomGenerator,
                                      width w: (Int) -> Int) -> ConditionalNet {
        func drop(_ p: Double) -> [Layer] { p > 0 ? [Dropout(Float(p), rng: rng)] : [] }
        let dd = c.model.discriminatorDropout
        switch (c.architecture, c.model.discriminator ?? c.ownDiscriminator) {
        case (_, .maxout?):
            return ConditionalNet(
                data: Sequential(drop(c.model.discriminatorInputDropout) + [Maxout(nx, units: w(240), pieces: 5)]),
                label: Maxout(ny, units: w(50), pieces: 5),
                trunk: Sequential(drop(dd) + [Maxout(w(240) + w(50), units: w(240), pieces: 4)] + drop(dd) + [Linear(w(240), 1)]),
                rng: rng)
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
            let side = Int(Double(nx).squareRoot())
            let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
            let down1 = LabelPlaneConv2d(ImageShape(channels: 1, height: side, width: side), classes: ny, outChannels: w(64), window)
            let down2 = Conv2d(down1.output, outChannels: w(128), window)
            // Spectral normalisation's power iterations start from a stream of their own, so the weights and
            // dropout masks of a run without it stay as they were.
            let normRNG = c.additions.spectralNorm ? RandomGenerator(seed: c.optimization.seed &+ SeedStream.spectralNorm) : nil
            func normalized(_ layer: any Layer & DefaultInitializable) -> Layer {
                normRNG.map { SpectralNorm(layer, rng: $0) } ?? layer
            }
            let features: [Layer] = [normalized(down1), LeakyReLU(slope: 0.2)] + drop(dd)
                + [normalized(down2), LeakyReLU(slope: 0.2)] + drop(c.additions.discriminatorHeadDropout ?? dd)
            if c.additions.projectionDiscriminator {
                let headRNG = c.additions.headSpectralNorm ? normRNG : nil
                // The AC-GAN classifier is normalised as the head is: both read the same features.
                var classifier: Layer?
                if c.additions.classLossWeight > 0 {
                    let linear = Linear(down2.output.count, ny)
                    classifier = headRNG.map { SpectralNorm(linear, rng: $0) } ?? linear
                }
                return ConditionalNet(data: Identity(), label: Identity(), trunk: Sequential(features),
                                      head: ProjectionHead(features: down2.output.count, classes: ny, spectralNormRNG: headRNG),
                                      classifier: classifier, rng: rng)
            }
            return ConditionalNet(data: Identity(), label: Identity(),
                                  trunk: Sequential(features + [normalized(Linear(down2.output.count, 1))]), rng: rng)
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

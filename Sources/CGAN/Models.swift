import Datasets
import Foundation
import NN

/// The generator and discriminator of one architecture, built and initialised from a config.
public struct GANModels {
    public let generator: ConditionalNet
    public let discriminator: ConditionalNet
    /// Pixels per image: G's output width and D's data input width.
    public let imageSize: Int

    /// Builds both nets. `dataMeanPixel` (per pixel, in [0, 1]) sets the paper G's output bias.
    public init(config c: TrainingConfig, classCount: Int, imageSize: Int = 784, dataMeanPixel: [Float]? = nil) {
        let gRNG = RandomGenerator(seed: c.seed &+ 101), dRNG = RandomGenerator(seed: c.seed &+ 202)
        let initRNG = RandomGenerator(seed: c.seed &+ 303)
        let nz = c.noiseSize, ny = classCount, nx = imageSize
        self.imageSize = imageSize
        func drop(_ p: Double, _ rng: RandomGenerator) -> [Layer] { p > 0 ? [Dropout(Float(p), rng: rng)] : [] }
        switch c.architecture {
        case .paper:
            let out = Linear(1200, nx)
            generator = ConditionalNet(
                data: Sequential(Linear(nz, 200), ReLU()),
                label: Sequential(Linear(ny, 1000), ReLU()),
                trunk: Sequential(drop(c.generatorDropout, gRNG) + [Linear(1200, 1200), ReLU()]
                                  + drop(c.generatorDropout, gRNG) + [out, Sigmoid()]),
                rng: gRNG)
            discriminator = ConditionalNet(
                data: Sequential(drop(c.discriminatorInputDropout, dRNG) + [Maxout(nx, units: 240, pieces: 5)]),
                label: Maxout(ny, units: 50, pieces: 5),
                trunk: Sequential(drop(c.discriminatorDropout, dRNG) + [Maxout(290, units: 240, pieces: 4)]
                                  + drop(c.discriminatorDropout, dRNG) + [Linear(240, 1)]),
                rng: dRNG)
            for l in generator.modules(ofType: Linear.self) { l.initializeUniform(range: Float(c.generatorInitRange), rng: initRNG) }
            for l in discriminator.modules(ofType: Linear.self) { l.initializeUniform(range: Float(c.discriminatorInitRange), rng: initRNG) }
            if c.generatorOutputBiasFromData, let mean = dataMeanPixel {
                for (i, m) in mean.enumerated() {
                    let p = min(max(m, 1e-3), 1 - 1e-3)
                    out.bias.value.pointer[i] = log(p / (1 - p))
                }
            }
        case .mlp:
            let gd = c.generatorDropout, dd = c.discriminatorDropout
            generator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential([Linear(nz + ny, 256), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
                                  + [Linear(256, 512), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
                                  + [Linear(512, 1024), LeakyReLU(slope: 0.2)] + drop(gd, gRNG)
                                  + [Linear(1024, nx), Tanh()]),
                rng: gRNG)
            discriminator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential([Linear(nx + ny, 1024), LeakyReLU(slope: 0.2)] + drop(dd, dRNG)
                                  + [Linear(1024, 512), LeakyReLU(slope: 0.2)] + drop(dd, dRNG)
                                  + [Linear(512, 256), LeakyReLU(slope: 0.2)] + drop(dd, dRNG)
                                  + [Linear(256, 1)]),
                rng: dRNG)
        case .mlpBN:
            let gd = c.generatorDropout, dd = c.discriminatorDropout
            generator = ConditionalNet(
                data: Sequential(Linear(nz, 256), BatchNorm1d(256), ReLU()),
                label: Sequential(Linear(ny, 256), BatchNorm1d(256), ReLU()),
                trunk: Sequential([Linear(512, 512), BatchNorm1d(512), ReLU()] + drop(gd, gRNG)
                                  + [Linear(512, 1024), BatchNorm1d(1024), ReLU()] + drop(gd, gRNG)
                                  + [Linear(1024, nx), Tanh()]),
                rng: gRNG)
            discriminator = ConditionalNet(
                data: Sequential(Linear(nx, 1024), LeakyReLU(slope: 0.2)),
                label: Sequential(Linear(ny, 1024), LeakyReLU(slope: 0.2)),
                trunk: Sequential([Linear(2048, 512), LeakyReLU(slope: 0.2)] + drop(dd, dRNG)
                                  + [Linear(512, 256), LeakyReLU(slope: 0.2)] + drop(dd, dRNG)
                                  + [Linear(256, 1)]),
                rng: dRNG)
        case .dcgan:
            // ../shared/bench/torch_cgan.py's dcgan: G [z, y] -> 6272 (BN, ReLU) = [128, 7, 7] -> ConvT 64 (BN, ReLU)
            // 14x14 -> ConvT 1 28x28 tanh; D: image + one-hot label planes (11 x 28 x 28) -> Conv 64 -> Conv 128 -> 1.
            let side = Int(Double(nx).squareRoot())
            precondition(side * side == nx && side % 4 == 0, "dcgan needs square images with a side divisible by 4")
            let window = ConvolutionWindow(kernel: 4, stride: 2, padding: 1)
            let seed = ImageShape(channels: 128, height: side / 4, width: side / 4)
            let up1 = ConvTranspose2d(seed, outChannels: 64, window)
            let up2 = ConvTranspose2d(up1.output, outChannels: 1, window)
            generator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential(Linear(nz + ny, seed.count), BatchNorm1d(seed.count), ReLU(),
                                  up1, BatchNorm2d(up1.output), ReLU(), up2, Tanh()),
                rng: gRNG)
            // D's first convolution reads the image and the label planes without building the planes.
            let down1 = LabelPlaneConv2d(ImageShape(channels: 1, height: side, width: side), classes: ny, outChannels: 64, window)
            let down2 = Conv2d(down1.output, outChannels: 128, window)
            discriminator = ConditionalNet(
                data: Identity(), label: Identity(),
                trunk: Sequential(down1, LeakyReLU(slope: 0.2), down2, LeakyReLU(slope: 0.2), Linear(down2.output.count, 1)),
                rng: dRNG)
        }
        if c.architecture != .paper {
            // PyTorch's default initialisation, in tree order.
            for layer in generator.modules(ofType: (any DefaultInitializable).self)
                + discriminator.modules(ofType: (any DefaultInitializable).self) {
                layer.initializeDefault(rng: initRNG)
            }
        }
        if let limit = c.discriminatorMaxNorm {
            for l in discriminator.modules(ofType: Linear.self) { l.weight.maxRowNorm = Float(limit) }
        }
        // Dropout after G's output layer ruins training (the known pitfall): the last layer must be the output squash.
        precondition(generator.trunk.layers.last is Sigmoid || generator.trunk.layers.last is Tanh,
                     "G's last layer must be its output activation")
    }
}

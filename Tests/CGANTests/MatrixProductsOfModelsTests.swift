import CGAN
import NN
import TestSupport
import XCTest

/// How the models' products are set: once when the models are built, kept by a training step, and the
/// layers the generator's step back-propagates through in inference mode.
final class MatrixProductsOfModelsTests: XCTestCase {
    override class func setUp() { useFastBLASKernel() }

    func testModelsMultiplyWithTheProductsTheyWereBuiltWith() {
        var config = TrainingConfig(architecture: .dcgan)
        config.spectralNorm = true
        config.projectionDiscriminator = true
        config.generatorAverageDecay = 0.999
        let counter = GEMMCounter()
        let models = GANModels(config: config, classCount: 10, matrixProducts: MatrixProducts(backend: .openBLAS, counter: counter))
        for net in [models.generator, models.discriminator, models.averageGenerator!] {
            let users = net.matrixProductUsers
            XCTAssertFalse(users.isEmpty)
            for user in users {
                XCTAssertEqual(user.matrixProducts.backend, .openBLAS, "\(type(of: user))")
                XCTAssertTrue(user.matrixProducts.counter === counter, "\(type(of: user))")
            }
        }
        // Another model in the same process keeps its own.
        XCTAssertTrue(GANModels(config: config, classCount: 10).generator.matrixProductUsers.allSatisfy {
            $0.matrixProducts.backend == .oneDNN && $0.matrixProducts.counter == nil
        })
    }

    /// A step counts its products with the models' counter and leaves the nets' own settings in place.
    func testAStepCountsIntoTheModelsCounterAndKeepsTheirSettings() {
        var config = TrainingConfig(architecture: .mlp)
        config.batchSize = 8
        let counter = GEMMCounter()
        let models = GANModels(config: config, classCount: 10, matrixProducts: MatrixProducts(backend: .openBLAS, counter: counter))
        let step = TrainingStep(config: config, models: models, classCount: 10, stepsPerEpoch: 10)
        XCTAssertEqual(step.stepProducts.precision, config.precision)
        let shapes = counter.recordingShapes {
            _ = step.run(step: 0) { images, labels in
                images.fill(0.5)
                for i in 0..<labels.count { labels[i] = Int32(i % 10) }
            }
        }
        XCTAssertFalse(shapes.isEmpty)
        XCTAssertEqual(counter.flops, shapes.reduce(0) { $0 + $1.flops })
        XCTAssertTrue(models.generator.matrixProductUsers.allSatisfy { $0.matrixProducts.backend == .openBLAS })
    }

    /// G's step scores D in inference mode (dropout in G's step off): every D the models build has an
    /// inference-mode backward pass in every layer, so no step is refused.
    func testEveryDiscriminatorHasAnInferenceModeBackward() {
        for architecture in Architecture.allCases {
            for kind in [nil] + DiscriminatorKind.allCases.map(Optional.some) {
                var config = TrainingConfig(architecture: architecture)
                config.discriminator = kind
                let d = GANModels(config: config, classCount: 10).discriminator
                XCTAssertEqual(d.modulesWithoutInferenceBackward, [], "\(architecture) with D \(kind?.rawValue ?? "its own")")
            }
        }
        var config = TrainingConfig(architecture: .dcgan)
        config.spectralNorm = true
        config.headSpectralNorm = true
        config.projectionDiscriminator = true
        config.classLossWeight = 1
        XCTAssertEqual(GANModels(config: config, classCount: 10).discriminator.modulesWithoutInferenceBackward, [])
    }
}

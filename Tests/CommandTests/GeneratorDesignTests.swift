import CGAN
import NN
import XCTest
@testable import cgan

final class GeneratorDesignTests: XCTestCase {
    /// mlp's G with all three of mlp-bn's differences is mlp-bn's G: the same layers, parameter names and
    /// shapes, and from the same weights the same images.
    func testAllThreeFactorsMakeMLPBNsGenerator() throws {
        let mlp = try TrainCommand.parse(["--arch", "mlp", "--g-embed-apart", "--g-batch-norm", "--g-relu"]).makeConfig()
        XCTAssertNil(mlp.problem ?? mlp.unusedSetting)
        var bn = try TrainCommand.parse(["--arch", "mlp-bn", "--g-dropout", "0"]).makeConfig()
        bn.optimization.seed = mlp.optimization.seed
        let a = GANModels(config: mlp, classCount: 10).generator, b = GANModels(config: bn, classCount: 10).generator
        XCTAssertEqual(a.namedParameters.map(\.name), b.namedParameters.map(\.name))
        XCTAssertEqual(a.namedParameters.map(\.parameter.shape), b.namedParameters.map(\.parameter.shape))
        for (p, q) in zip(a.namedParameters, b.namedParameters) { q.parameter.value.copy(from: p.parameter.value) }
        let z = Matrix(rows: 4, cols: 100), y = Matrix(rows: 4, cols: 10)
        RandomGenerator(seed: 3).fillNormal(z)
        for r in 0..<4 { y[r, r] = 1 }
        XCTAssertEqual(a.forward(z, labels: y, mode: .inference).array, b.forward(z, labels: y, mode: .inference).array)
        // Each factor alone changes G's images from the same seed, and only mlp takes them.
        let plain = GANModels(config: TrainingConfig(architecture: .mlp), classCount: 10).generator.forward(z, labels: y, mode: .inference).array
        for flag in ["--g-embed-apart", "--g-batch-norm", "--g-relu"] {
            let c = try TrainCommand.parse(["--arch", "mlp", flag]).makeConfig()
            XCTAssertNotEqual(GANModels(config: c, classCount: 10).generator.forward(z, labels: y, mode: .inference).array, plain, flag)
        }
        XCTAssertThrowsError(try TrainCommand.parse(["--arch", "paper", "--g-relu"])) { error in
            XCTAssertTrue(TrainCommand.message(for: error).contains("apply to mlp's G only"), TrainCommand.message(for: error))
        }
    }
}

import CGAN
import Datasets
import Foundation

// Usage: TrainAndSample [MNIST directory] [run directory]
let arguments = CommandLine.arguments
let dataDirectory = arguments.count > 1 ? arguments[1] : "data/mnist"
let runDirectory = arguments.count > 2 ? arguments[2] : "runs/example"

// Train the mlp model for a short while (raise the epochs and drop the limit for a real run).
var config = TrainingConfig(architecture: .mlp)
config.epochs = 1
config.trainLimit = 2_000
let data = try MNISTFamilyDataset.load(DatasetRegistry.mnist, from: dataDirectory)
let run = try TrainingRun(config: config, data: data, directory: RunDirectory(runDirectory), resume: false)
try run.run { event in
    if case .message(let line) = event { print(line) }
}

// Load the checkpoint it wrote and draw 64 sevens.
let generator = try ConditionalGenerator(checkpoint: RunDirectory(runDirectory).latestCheckpoint)
let sevens = generator.generate(label: 7, count: 64, seed: 1)   // [64, 784], pixels in [0, 1]
try ImageGrid.writePNG(sevens, columns: 8, to: runDirectory + "/sevens.png")
print("wrote \(runDirectory)/sevens.png")

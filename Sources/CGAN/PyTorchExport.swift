import Files
import Foundation
import NN

/// Writes a checkpoint's G and D under the state-dict names of the PyTorch reference models
/// (Tests/Fixtures/torch_reference_models.py: PaperG/PaperD, MlpG/MlpD, MlpBnG/MlpBnD, DcganG/DcganD, and
/// Dcgan32G/Dcgan32D for 32 x 32 colour), so that `G.load_state_dict(..., strict=True)` accepts them: one
/// safetensors file, "G.*" and "D.*". A dcgan of another size is named as those modules would be with its
/// number of blocks.
public enum PyTorchExport {
    /// The PyTorch names of the modules that hold tensors, in the order of this tool's module tree.
    static func torchModuleNames(_ config: TrainingConfig) -> (generator: [String], discriminator: [String]) {
        switch config.architecture {
        case .paper:
            return (["z_fc", "y_fc", "fc", "out"], ["x_mo.lin", "y_mo.lin", "j_mo.lin", "out"])
        case .mlp:
            return (["net.0", "net.2", "net.4", "net.6"], ["net.0", "net.3", "net.6", "net.9"])
        case .mlpBN:
            return (["z_br.0", "z_br.1", "y_br.0", "y_br.1", "net.0", "net.1", "net.4", "net.5", "net.8"],
                    ["x_br.0", "y_br.0", "net.0", "net.3", "net.6"])
        case .dcgan:
            // G: fc = [Linear, BN1d, ReLU]; net = [ConvT, BN2d, ReLU] per block, the last [ConvT, Tanh].
            // D: net = [Conv, LeakyReLU] per block, Flatten, Linear.
            let blocks = ConvolutionalPlan(side: config.data.imageSize).blocks
            let generator = ["fc.0", "fc.1"] + (0..<blocks).flatMap { b in b == blocks - 1 ? ["net.\(3 * b)"] : ["net.\(3 * b)", "net.\(3 * b + 1)"] }
            return (generator, (0..<blocks).map { "net.\(2 * $0)" } + ["net.\(2 * blocks + 1)"])
        }
    }

    /// `net`'s tensors renamed: the k-th module holding tensors becomes `torchNames[k]`.
    static func renamed(_ net: Module, prefix: String, torchNames: [String]) -> [(name: String, tensor: Tensor)] {
        let holders = net.namedModules.filter { !$0.module.ownParameters.isEmpty }
        precondition(holders.count == torchNames.count, "PyTorchExport: \(holders.count) modules, \(torchNames.count) names")
        return zip(holders, torchNames).flatMap { holder, torchName in
            holder.module.ownParameters.map { (prefix + "." + torchName + "." + $0.name, $0.parameter.tensor) }
        }
    }

    /// The PyTorch state dicts of a trained pair, as "G.<name>" and "D.<name>".
    public static func tensors(of models: GANModels, config: TrainingConfig) -> [(name: String, tensor: Tensor)] {
        let names = torchModuleNames(config)
        return renamed(models.generator, prefix: "G", torchNames: names.generator)
            + renamed(models.discriminator, prefix: "D", torchNames: names.discriminator)
    }

    /// Reads `checkpoint`, checks its G and D, and writes them under PyTorch's names to `path` (atomically).
    public static func write(checkpoint: Checkpoint, to path: String) throws {
        let variants = checkpoint.config.variantOptions
        guard variants.isEmpty else {
            let additions = checkpoint.config.architecture == .dcgan ? "; `cgan train --arch dcgan --reference` trains the plain one, which exports" : ""
            throw FileError(checkpoint.path, "a model trained with \(variants.joined(separator: ", ")) has no PyTorch reference model to export to\(additions)")
        }
        let models = GANModels(config: checkpoint.config, classCount: checkpoint.classCount)
        var state = checkpoint.tensors
        try state.load(models.generator, prefix: "G")
        try state.load(models.discriminator, prefix: "D")
        let data = checkpoint.config.data
        let metadata = ["format": "pt", "arch": checkpoint.config.architecture.rawValue,
                        "image": "\(data.channels)x\(data.imageSize)x\(data.imageSize)",
                        "source": "swift-cgan " + checkpoint.path,
                        "config": String(decoding: try JSONEncoder().encode(checkpoint.config), as: UTF8.self)]
        try AtomicFile.write(SafeTensors.encode(tensors(of: models, config: checkpoint.config), metadata: metadata),
                             to: path)
    }
}

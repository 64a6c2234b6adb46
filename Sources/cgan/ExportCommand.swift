import ArgumentParser
import CGAN
import Files
import Foundation

struct ExportCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case pytorch }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's G and D for another framework.",
        discussion: """
        pytorch: one safetensors file whose "G.*" and "D.*" tensors are the state dicts of the reference models in \
        Tests/Fixtures/torch_reference_models.py (PaperG/PaperD, MlpG/MlpD, MlpBnG/MlpBnD, DcganG/DcganD, and \
        Dcgan32G/Dcgan32D for a dcgan on 32x32 colour images; a dcgan of another size is named as those with its \
        number of blocks); README shows how to load them with load_state_dict(strict=True).
        """)

    @Option(help: "A checkpoint written by cgan train.")
    var checkpoint: String

    @Option(help: "Target framework: pytorch.")
    var format: Format = .pytorch

    @Option(help: "Output file (a safetensors file).")
    var out: String

    func run() throws {
        ActiveTemporaries.removeOnTermination()
        try CheckpointPath.require(checkpoint)
        try AtomicFile.checkWritable(out)
        try FileIdentity.checkNotInput(out, inputs: [checkpoint])
        try PyTorchExport.write(checkpoint: try Checkpoint(path: checkpoint), to: out)
        print("wrote \(out)")
    }
}

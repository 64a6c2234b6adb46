import CGAN
import Foundation
import NN

/// A checkpoint file: the safetensors layout, then the checkpoint's metadata, then a strict load of G.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let contents = try? SafeTensors.decode(Data(bytes: bytes, count: count), file: "fuzz"),
          let checkpoint = try? Checkpoint(contents: contents, path: "fuzz") else { return 0 }
    let models = GANModels(config: checkpoint.config, classCount: checkpoint.classCount)
    var tensors = checkpoint.tensors
    _ = try? tensors.load(models.generator, prefix: "G")
    return 0
}

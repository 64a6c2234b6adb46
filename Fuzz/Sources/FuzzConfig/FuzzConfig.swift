import CGAN
import Foundation

/// The config JSON of config.json and checkpoints, its range checks, and the position record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    if let config = TrainingConfig.decode(data) {
        _ = config.problem
        _ = TrainingSchedule(config: config, stepsPerEpoch: 500).hyperparameters(atStep: 1000)
    }
    _ = try? JSONDecoder().decode(Checkpoint.Position.self, from: data)
    return 0
}

import Datasets
import Foundation

/// An IDX file as stored: gzip or raw, then the header and payload checks, then images and labels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = [UInt8](UnsafeBufferPointer(start: bytes, count: count))
    guard let raw = try? IDXReader.decompressed(input, file: "fuzz"), let contents = try? IDXReader.parse(raw, file: "fuzz") else {
        return 0
    }
    _ = try? IDXReader.images(in: contents, file: "fuzz")
    _ = try? IDXReader.labels(in: contents, file: "fuzz")
    return 0
}

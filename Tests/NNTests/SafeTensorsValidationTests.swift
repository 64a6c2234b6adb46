import Foundation
import NN
import TestSupport
import XCTest

/// A safetensors file is validated before anything is sized or copied from it.
final class SafeTensorsValidationTests: XCTestCase {
    /// A file with the given raw header (JSON text) and `body` bytes.
    func file(header: String, body: Int) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(Data(header.utf8))
        d.append(Data(repeating: 0, count: body))
        return d
    }

    func assertRefused(_ data: Data, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        assertOneLineError(SafeTensors.FormatError.self, fragment, file: file, line: line) {
            _ = try SafeTensors.decode(data, file: "t.safetensors")
        }
    }

    func testEveryBrokenHeaderIsRefusedWithOneLine() {
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, body: 12), "overlap")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#, body: 0), "invalid shape")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, body: 4), "invalid shape")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}"#, body: 4), "larger than the file")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, body: 8), "outside")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}"#, body: 8), "outside")
        assertRefused(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, body: 12), "does not match")
        assertRefused(file(header: #"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, body: 8), "dtype")
        assertRefused(file(header: #"{"__metadata__":{"n":5}}"#, body: 0), "metadata")
        assertRefused(file(header: #"[1,2]"#, body: 0), "not a JSON object")
        var nan = file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, body: 4)
        nan.replaceSubrange((nan.count - 4)..<nan.count, with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        assertRefused(nan, "NaN or infinity")
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        assertRefused(huge + Data(count: 8), "header length")
    }

    /// Random corruptions of a valid file never trap: each decode succeeds or throws `FormatError`.
    /// Seeded (`SeededRandom`): a failure names the seed that replays it.
    func testMutatedFilesNeverCrash() {
        let m = Matrix(rows: 3, cols: 4, values: (0..<12).map(Float.init))
        let valid = SafeTensors.encode([("w", Tensor(shape: [3, 4], values: m)), ("b", Tensor(shape: [4], values: m.rows(0..<1)))],
                                       metadata: ["k": "v"])
        var rng = SeededRandom(defaultSeed: 1)
        for i in 0..<3000 {
            var bytes = [UInt8](valid)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            do { _ = try SafeTensors.decode(Data(bytes), file: "m") } catch is SafeTensors.FormatError {} catch {
                XCTFail("mutation \(i), \(rng): unexpected \(error)")
            }
        }
    }
}

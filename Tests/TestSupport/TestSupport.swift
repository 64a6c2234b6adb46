import Datasets
import Foundation
import NN
import XCTest

/// Helpers shared by every test target.

/// The real MNIST files, when this machine has them: `$CGAN_TEST_MNIST`, else ../shared/data/mnist beside the
/// repository. Only the tests that check results on the real data need them; everything else runs on
/// `SyntheticData` (`CGAN_TEST_MNIST=/nonexistent swift test` shows what runs without them).
public let sharedMNIST = ProcessInfo.processInfo.environment["CGAN_TEST_MNIST"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

/// The real MNIST data set, loaded once for all tests.
public enum RealMNIST {
    public static let data: MNISTFamilyDataset? = try? MNISTFamilyDataset.load(DatasetRegistry.mnist, from: sharedMNIST)

    /// The data set, or a skip (not a failure) where ../shared/data/mnist is absent. `purpose` says why the
    /// test needs the real images rather than the synthetic set.
    public static func require(for purpose: String) throws -> MNISTFamilyDataset {
        useFastBLASKernel()
        guard let data else { throw XCTSkip("needs real MNIST at \(sharedMNIST) (\(purpose)); not found") }
        return data
    }
}

/// Every test class calls this first so the suite runs on OpenBLAS's fast kernel: where OpenBLAS fell back
/// to a slow one on a capable CPU, the test process runs itself again once with OPENBLAS_CORETYPE set, as
/// the `cgan` program does.
public func useFastBLASKernel() {
    let marker = "CGAN_BLAS_REEXEC"
    guard getenv("OPENBLAS_CORETYPE") == nil, getenv(marker) == nil,
          let better = BLASRuntime.betterCoreType(coreName: BLASRuntime.coreName, cpuFlags: BLASRuntime.cpuFlags) else { return }
    setenv("OPENBLAS_CORETYPE", better, 1)
    setenv(marker, BLASRuntime.coreName, 1)
    var args = CommandLine.arguments.map { strdup($0) }
    args.append(nil)
    execv("/proc/self/exe", &args)
    unsetenv("OPENBLAS_CORETYPE")  // execv failed: carry on with the slow kernel
}

/// A fresh temporary directory, removed when the test ends.
public func temporaryDirectory(_ test: XCTestCase) -> String {
    let d = NSTemporaryDirectory() + "cgan-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
    return d
}

/// Writes `bytes` to `path`.
public func write(_ bytes: [UInt8], _ path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// gzip-compresses `bytes` with the system's gzip (tests only; the product only decompresses).
public func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    let path = NSTemporaryDirectory() + "gz-" + UUID().uuidString
    write(bytes, path)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-n", "-f", path]
    try! p.run()
    p.waitUntilExit()
    let out = [UInt8](FileManager.default.contents(atPath: path + ".gz")!)
    try? FileManager.default.removeItem(atPath: path + ".gz")
    return out
}

/// Asserts that `body` throws an error of type `E` whose one-line message contains `fragment`.
public func assertOneLineError<E: Error & CustomStringConvertible>(
    _ type: E.Type, _ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error containing '\(fragment)'", file: file, line: line)
    } catch let error as E {
        XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        XCTAssertFalse(error.description.contains("\n"), "error is not one line", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(Swift.type(of: error)): \(error)", file: file, line: line)
    }
}

/// `cgan`, built beside the test bundle.
public func cganProgram() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let p = candidate.appendingPathComponent("cgan").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw XCTSkip("cgan binary not found beside \(CommandLine.arguments[0])")
}

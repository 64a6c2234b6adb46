// swift-tools-version:6.0
// libFuzzer targets for the parsers that read untrusted files. Build and run with Scripts/fuzz.sh
// (swift build --sanitize fuzzer: libFuzzer supplies main, so these are not part of the main package).
import PackageDescription

let package = Package(
    name: "Fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "swift-cgan", path: "..")],
    targets: [
        .executableTarget(name: "FuzzSafeTensors", dependencies: [.product(name: "CGAN", package: "swift-cgan")]),
        .executableTarget(name: "FuzzIDX", dependencies: [.product(name: "CGAN", package: "swift-cgan")]),
        .executableTarget(name: "FuzzConfig", dependencies: [.product(name: "CGAN", package: "swift-cgan")]),
    ]
)

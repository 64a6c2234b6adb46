// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-cgan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cgan", targets: ["cgan"]),
        // The library a Swift program imports: models, training, sampling (CGAN), data sets (Datasets),
        // scores (Evaluation), the numerics core (NN) and the safe file writer (Files).
        .library(name: "CGAN", targets: ["CGAN", "Datasets", "Evaluation", "NN", "Files"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
    ],
    targets: [
        // System libraries from Debian: libopenblas-dev, libdnnl-dev, zlib1g-dev, libpng-dev, libgif-dev.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // libdnnl-dev: oneDNN's matmul, faster than OpenBLAS here and the only bf16 product on Debian 12.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF"),

        .target(name: "Files"),
        .target(name: "NN", dependencies: ["CBLAS", "CDNNL"]),
        .target(name: "Datasets", dependencies: [
            "NN", "Files", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Evaluation", dependencies: ["NN", "Datasets", "Files"]),
        .target(name: "CGAN", dependencies: ["NN", "Datasets", "Evaluation", "Files", "CPNG", "CGIF"]),
        // The web page and its HTTP API (`cgan serve`): only the program imports it, so the CGAN library
        // stays free of Hummingbird and SwiftNIO.
        .target(name: "Server", dependencies: [
            "CGAN", "Datasets", "Evaluation", "NN", "Files",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], resources: [.copy("Page")]),
        .executableTarget(name: "cgan", dependencies: [
            "CGAN", "Datasets", "Evaluation", "NN", "Files", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["NN", "Datasets", "Files"], path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Files", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Datasets", "NN", "TestSupport"]),
        .testTarget(name: "CGANTests", dependencies: ["CGAN", "Datasets", "Evaluation", "NN", "Files", "TestSupport"]),
        // The `cgan` program's commands, parsed in-process.
        .testTarget(name: "CommandTests", dependencies: [
            "cgan", "CGAN", "NN", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "CGAN", "Datasets", "Evaluation", "NN", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-cgan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cgan", targets: ["cgan"]),
        .library(name: "CGAN", targets: ["CGAN"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // System libraries from Debian: libopenblas-dev, zlib1g-dev, libpng-dev, libgif-dev.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF"),

        .target(name: "NN", dependencies: ["CBLAS"]),
        .target(name: "Datasets", dependencies: [
            "NN", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Evaluation", dependencies: ["NN", "Datasets"]),
        .target(name: "CGAN", dependencies: ["NN", "Datasets", "Evaluation", "CPNG", "CGIF"]),
        .executableTarget(name: "cgan", dependencies: [
            "CGAN", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "CGANTests", dependencies: ["CGAN"]),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// Linux only (Debian 12), hence no `platforms` entry: the numerics read /proc (CPU features, the re-executed
// binary), run element-wise passes on libgomp's GOMP_parallel, and link Debian's OpenBLAS and oneDNN builds.
let package = Package(
    name: "swift-cgan",
    products: [
        .executable(name: "cgan", targets: ["cgan"]),
        // The library a Swift program imports: models, training, sampling (CGAN), data sets (Datasets),
        // scores (Evaluation), the numerics core (NN), PNG, GIF, plot and CSV files (Media) and the safe file
        // writer (Files). Experiments and Benchmark serve the program and stay out of it.
        .library(name: "CGAN", targets: ["CGAN", "Datasets", "Evaluation", "NN", "Media", "Files"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        // Named for the server's connection deadlines (a channel handler); Hummingbird already depends on both.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
    ],
    targets: [
        // System libraries from Debian: libopenblas-dev, libdnnl-dev, zlib1g-dev, libpng-dev, libgif-dev,
        // libjpeg62-turbo-dev.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        // libdnnl-dev: oneDNN's matmul, faster than OpenBLAS here and the only bf16 product on Debian 12.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF"),
        // libjpeg62-turbo-dev and libpng-dev behind a few C functions: JPEG decoding and encoding, and PNG
        // encoding of any bit depth and colour type, for image folders. C rather than a system library
        // because both libraries report errors by longjmp, which only C can catch.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]),

        .target(name: "Files"),
        .target(name: "NN", dependencies: ["CBLAS", "CDNNL"]),
        .target(name: "Datasets", dependencies: [
            "NN", "Files", "CZlib", "CPNG", "CImageCodecs", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Evaluation", dependencies: ["NN", "Datasets", "Files"]),
        // PNG and GIF encoding, line plots and CSV tables: files of pixels and numbers, nothing about GANs.
        .target(name: "Media", dependencies: ["Files", "CPNG", "CGIF"]),
        .target(name: "CGAN", dependencies: ["NN", "Datasets", "Evaluation", "Media", "Files"]),
        // `cgan experiment`'s definitions and reports, and `cgan bench`'s measurement: built on CGAN, which
        // knows nothing of them.
        .target(name: "Experiments", dependencies: ["CGAN", "Media", "Files"]),
        .target(name: "Benchmark", dependencies: ["CGAN", "Datasets", "NN"]),
        // The web page and its HTTP API (`cgan serve`): only the program imports it, so the CGAN library
        // stays free of Hummingbird and SwiftNIO.
        .target(name: "Server", dependencies: [
            "CGAN", "Datasets", "Evaluation", "NN", "Media", "Files",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ], resources: [.copy("Page")]),
        .executableTarget(name: "cgan", dependencies: [
            "CGAN", "Datasets", "Evaluation", "NN", "Media", "Files", "Experiments", "Benchmark", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["NN", "Datasets", "Files"], path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Files", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Datasets", "NN", "TestSupport"]),
        .testTarget(name: "CGANTests", dependencies: [
            "CGAN", "Experiments", "Media", "Datasets", "Evaluation", "NN", "Files", "TestSupport",
        ]),
        // The `cgan` program's commands, parsed in-process.
        .testTarget(name: "CommandTests", dependencies: [
            "cgan", "CGAN", "NN", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "CGAN", "Datasets", "Evaluation", "NN", "Media", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)

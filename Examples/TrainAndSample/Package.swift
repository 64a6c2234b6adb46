// swift-tools-version:6.0
// README's library example as a package of its own, depending on swift-cgan by path as a user's package
// would by URL. Scripts/test.sh builds it and runs it on a tiny budget.
import PackageDescription

let package = Package(
    name: "TrainAndSample",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "swift-cgan", path: "../..")],
    targets: [
        .executableTarget(name: "TrainAndSample", dependencies: [.product(name: "CGAN", package: "swift-cgan")]),
    ]
)

// swift-tools-version: 6.0
// The fuzz target, a package of its own so that the main build never sees -sanitize=fuzzer.
// tools/fuzz builds and runs it; `.deps/ripd` is a link to this repository that tools/fuzz makes.
import PackageDescription

let package = Package(
    name: "ripd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".deps/ripd"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "ripfuzz",
            dependencies: [
                .product(name: "RipTesting", package: "ripd"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)

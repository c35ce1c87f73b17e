// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ripd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ripd", targets: ["ripd"]),
        .executable(name: "ripctl", targets: ["ripctl"]),
        .executable(name: "ripbench", targets: ["ripbench"]),
        .library(name: "RipClient", targets: ["RipClient"]),
        .library(name: "RipTesting", targets: ["RipTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // Generated swift-protobuf code and the method catalog; tools/gen-proto rewrites it.
        .target(
            name: "RipProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // What every side shares and needs no I/O: RipError and status names, the protocol's
        // limits (RipLimits), default paths. ripctl and RipCore reach these without NIO.
        .target(name: "RipBase", dependencies: ["RipProto"]),
        // Frame codec, envelope helpers, peer credentials (NIO); re-exports RipBase.
        .target(
            name: "RipWire",
            dependencies: [
                "RipProto", "RipBase",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The deterministic state machine and domain rules. No I/O, no clock reads.
        .target(
            name: "RipCore",
            dependencies: [
                "RipProto", "RipBase",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The write-ahead log, group commit, snapshots, recovery and the data-directory lock.
        .target(
            name: "RipStorage",
            dependencies: [
                "RipCore", "RipWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // Unix-socket listener, connections, dispatch, streams, peer credentials.
        .target(
            name: "RipServer",
            dependencies: [
                "RipWire", "RipCore", "RipStorage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The Public Suffix List, from Debian's publicsuffix package (tools/update-public-suffix-list).
            resources: [.copy("Resources/public_suffix_list.dat")]
        ),
        // ripd's request path in one process (EmbeddedChannel, a memory journal): for tests of
        // protocol behaviour without a daemon, and for the fuzzer (Fuzz/).
        .target(
            name: "RipTesting",
            dependencies: [
                "RipServer", "RipStorage", "RipCore", "RipWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ripd",
            dependencies: [
                "RipServer", "RipStorage", "RipCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RipClient",
            dependencies: [
                "RipWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ripctl",
            dependencies: [
                "RipClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The soak test's load and check (tools/soak).
        .executableTarget(
            name: "ripsoak",
            dependencies: ["RipClient", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "ripbench",
            dependencies: [
                "RipClient", "RipCore", "RipServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "RipWireTests",
            dependencies: [
                "RipWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Fixtures/http-state: the IETF cookie suite, read from the source tree.
        .testTarget(name: "RipCoreTests", dependencies: ["RipCore", "RipBase"], exclude: ["Fixtures"]),
        // Fixtures/golden: a data directory written by an earlier build, recovered by every later one.
        .testTarget(
            name: "RipStorageTests",
            dependencies: [
                "RipStorage", "RipCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RipServerTests",
            dependencies: [
                "RipServer", "RipStorage", "RipCore", "RipWire", "RipTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Drives the real ripd and ripctl binaries over a real socket.
        .testTarget(name: "EndToEndTests", dependencies: ["RipClient", "ripd", "ripctl"]),
    ],
    swiftLanguageModes: [.v6]
)

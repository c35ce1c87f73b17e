// swift-tools-version: 6.0
import PackageDescription

/// A module of the protocol package (clients/swift: RipProto, RipBase, RipWire, RipClient).
func proto(_ module: String) -> Target.Dependency { .product(name: module, package: "swift") }

let package = Package(
    name: "ripd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ripd", targets: ["ripd"]),
        .executable(name: "ripctl", targets: ["ripctl"]),
        .executable(name: "ripbench", targets: ["ripbench"]),
        .library(name: "RipTesting", targets: ["RipTesting"]),
    ],
    dependencies: [
        // The protocol and the Swift client (RipProto, RipBase, RipWire, RipClient), a package
        // of their own so that client programs need nothing of the daemon's.
        .package(path: "clients/swift"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The deterministic state machine and domain rules. No I/O, no clock reads.
        .target(
            name: "RipCore",
            dependencies: [
                proto("RipProto"), proto("RipBase"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The state engine seam (read, commit, watch, snapshot; durability reported NIO-free)
        // and the embedded engine: state in memory, one writer, changes journaled.
        .target(name: "RipEngine", dependencies: ["RipCore", proto("RipProto")]),
        // The write-ahead log (the embedded engine's journal), group commit, snapshots,
        // recovery, the data-directory lock and the artifact blob files.
        // sync_file_range, which Swift's Glibc module does not export.
        .target(name: "CRipStorage"),
        .target(
            name: "RipStorage",
            dependencies: [
                "RipCore", "RipEngine", "CRipStorage", proto("RipWire"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // Unix-socket listener, connections, dispatch, streams, peer credentials.
        .target(
            name: "RipServer",
            dependencies: [
                proto("RipWire"), "RipCore", "RipEngine", "RipStorage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The Public Suffix List, from Debian's publicsuffix package (tools/update-public-suffix-list).
            resources: [.copy("Resources/public_suffix_list.dat")]
        ),
        // Completion hooks: POSTs a finished job's summary to its webhook URL, with retries.
        .target(
            name: "RipWebhooks",
            dependencies: [
                "RipCore", "RipEngine", proto("RipProto"), proto("RipBase"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The shared store: the engine's changes in one ordered log in PostgreSQL, which every
        // daemon on it applies; write turns, catch-up, migrations.
        .target(
            name: "RipPostgres",
            dependencies: [
                "RipCore", "RipEngine", proto("RipProto"), proto("RipBase"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // ripd's request path in one process (EmbeddedChannel, a memory journal): for tests of
        // protocol behaviour without a daemon, and for the fuzzer (Fuzz/).
        .target(
            name: "RipTesting",
            dependencies: [
                "RipServer", "RipEngine", "RipStorage", "RipCore", proto("RipWire"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ripd",
            dependencies: [
                "RipServer", "RipEngine", "RipStorage", "RipCore", "RipWebhooks", "RipPostgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ripctl",
            dependencies: [
                proto("RipClient"),
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
            dependencies: [proto("RipClient"), .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "ripbench",
            dependencies: [
                proto("RipClient"), "RipCore", "RipEngine", "RipServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "RipWireTests",
            dependencies: [
                proto("RipWire"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Fixtures/http-state: the IETF cookie suite, read from the source tree.
        .testTarget(name: "RipCoreTests", dependencies: ["RipCore", proto("RipBase")], exclude: ["Fixtures"]),
        // Fixtures/golden: a data directory written by an earlier build, recovered by every later one.
        // The engine conformance tests run against the shared engine too (RipPostgres).
        .testTarget(
            name: "RipStorageTests",
            dependencies: [
                "RipStorage", "RipEngine", "RipCore", "RipPostgres", proto("RipBase"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RipServerTests",
            dependencies: [
                "RipServer", "RipEngine", "RipStorage", "RipCore", proto("RipWire"), "RipTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Drives the real ripd and ripctl binaries over a real socket.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                proto("RipClient"), "ripd", "ripctl", .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)

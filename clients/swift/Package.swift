// swift-tools-version: 6.0
import PackageDescription

// The client side of ripd's protocol, on its own so that a program which only talks to ripd
// resolves swift-nio and swift-protobuf and nothing of the daemon's. ripd's own package
// (../../Package.swift) builds on these modules too.
let package = Package(
    name: "RipClient",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RipClient", targets: ["RipClient"]),
        .library(name: "RipProto", targets: ["RipProto"]),
        .library(name: "RipBase", targets: ["RipBase"]),
        .library(name: "RipWire", targets: ["RipWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
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
        // sendmsg/recvmsg with one file descriptor attached (SCM_RIGHTS), which Swift's C
        // import cannot spell (CMSG_* are macros).
        .target(name: "CRipDescriptors"),
        // Frame codec, envelope helpers, peer credentials (NIO), the descriptor socket's blocking
        // frames; re-exports RipBase.
        .target(
            name: "RipWire",
            dependencies: [
                "RipProto", "RipBase", "CRipDescriptors",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // async/await client: one connection, calls matched by id, streams as AsyncSequence.
        .target(
            name: "RipClient",
            dependencies: [
                "RipWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

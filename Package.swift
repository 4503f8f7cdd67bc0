// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Concord: a multi-datacenter federation controller. See README.md and docs/.
/// In release builds every function gets its own section, so the linker drops the unused ones and
/// can lay out the rest in the order `memberLinking` names.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

/// How a release `concord` is linked, so that an idle member control plane maps few pages:
/// - lld with packed relative relocations (DT_RELR, glibc 2.36+): the dynamic loader reads a few
///   KiB of relocations at start instead of 2 MiB;
/// - no dynamic export of Concord's own symbols (`--static-swift-stdlib` asks for it; nothing looks
///   them up), so symbol lookups at start do not walk a 3 MiB symbol table;
/// - the functions a member runs first (Sources/concord/member.order, from
///   hack/bench/member-order.sh) are laid out together, so the kernel maps them in a few runs of
///   pages instead of touching pages all over the binary.
let memberLinking: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--no-export-dynamic",
        "-Xlinker", "--symbol-ordering-file=" + URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/concord/member.order").path,
        "-Xlinker", "--no-warn-symbol-ordering",
    ], .when(configuration: .release)),
]

/// A target that depends on Foundation alone: it may name other such targets, never a package product.
/// KubernetesAPI, FederationAPI and FederationCore are built this way.
func foundationOnly(_ name: String, dependencies: [String] = []) -> Target {
    .target(name: name, dependencies: dependencies.map { .target(name: $0) }, swiftSettings: strict)
}

let package = Package(
    name: "Concord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "concord", targets: ["concord"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // The Kubernetes types Concord uses: object metadata, core kinds, JSON, CRD schemas.
        foundationOnly("KubernetesAPI"),
        // Codable types and CRDs of the four federation kinds.
        foundationOnly("FederationAPI", dependencies: ["KubernetesAPI"]),
        // Pure decisions: no I/O, no clocks, no logging.
        foundationOnly("FederationCore", dependencies: ["FederationAPI"]),
        // REST client for any Kubernetes API server.
        .target(
            name: "KubeClient",
            dependencies: [
                "KubernetesAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // Informers, work queue, reconcilers, manager. Knows nothing of federation.
        .target(
            name: "ControllerRuntime",
            dependencies: [
                "KubernetesAPI", "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // The reconcilers: read → plan → write → status.
        .target(
            name: "FederationControllers",
            dependencies: [
                "FederationAPI", "FederationCore", "KubeClient", "ControllerRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The embedded Kubernetes-compatible API server on SQLite or etcd.
        .target(
            name: "ControlPlane",
            dependencies: [
                "KubernetesAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Subcommands, kept in a library so tests can drive them.
        .target(
            name: "ConcordCLI",
            dependencies: [
                "FederationAPI", "FederationCore", "KubeClient", "ControllerRuntime",
                "FederationControllers", "ControlPlane",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict,
            plugins: ["BuildCommit"]
        ),
        // Generates BuildCommit.swift (the git commit of the build) for `concord version`.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(
            name: "concord", dependencies: ["ConcordCLI"], exclude: ["member.order"], swiftSettings: strict, linkerSettings: memberLinking),
        // Times the ActiveActive division and planning in the core (hack/bench/placement.sh); Foundation only, so a release build is quick.
        .executableTarget(name: "placement-bench", dependencies: ["FederationCore", "FederationAPI"], path: "Sources/PlacementBench", swiftSettings: strict),
        // Times the replication planner in the core (hack/bench/replication-plan.sh); Foundation only, so a release build is quick.
        .executableTarget(name: "replication-plan-bench", dependencies: ["FederationCore", "FederationAPI"], path: "Sources/ReplicationPlanBench", swiftSettings: strict),
        // Test support shared by the test targets: fixtures, in-process control plane, manual clock.
        .target(
            name: "ConcordTesting",
            dependencies: [
                "FederationAPI", "KubeClient", "ControlPlane",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "FederationAPITests", dependencies: ["FederationAPI", "KubernetesAPI", .product(name: "Yams", package: "Yams")], swiftSettings: strict),
        .testTarget(name: "FederationCoreTests", dependencies: ["FederationCore", "FederationAPI"], swiftSettings: strict),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubernetesAPI", "ConcordTesting", "ControlPlane"], swiftSettings: strict),
        .testTarget(name: "ControllerRuntimeTests", dependencies: ["ControllerRuntime", "KubeClient", "KubernetesAPI", "ConcordTesting"], swiftSettings: strict),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "KubernetesAPI", "FederationAPI", "ConcordTesting"], swiftSettings: strict),
        .testTarget(name: "FederationControllersTests", dependencies: ["FederationControllers", "FederationCore", "FederationAPI", "KubeClient", "ControllerRuntime", "ConcordTesting"], swiftSettings: strict),
        .testTarget(name: "ConcordCLITests", dependencies: ["ConcordCLI", "FederationAPI", "ConcordTesting"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["FederationAPI", "KubeClient", "ConcordTesting"], swiftSettings: strict),
    ]
)

// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cloudmesh-worker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cloudmesh-worker", targets: ["CloudMeshWorkerCLI"]),
        .library(name: "Solana", targets: ["Solana"]),
        .library(name: "CloudMesh", targets: ["CloudMesh"]),
        .library(name: "IPFS", targets: ["IPFS"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "Dependencies", targets: ["Dependencies"]),
        .library(name: "Worker", targets: ["Worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Credentials out of URLs, alone or in free text (logs, errors, descriptions, result documents).
        .target(name: "Redaction"),
        // One retry vocabulary: the Duration-based backoff with jitter and the Retry-After parser of every layer.
        .target(name: "Retry"),
        // Solana primitives: base58, keys, PDAs, messages, transactions, JSON-RPC client.
        .target(
            name: "Solana",
            dependencies: [
                "Redaction", "Retry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The CloudMesh program binding: Borsh, the Job account and its filters, instructions, Anchor errors,
        // reading jobs (JobCatalog) and sending signed instructions (SignedInstructions).
        .target(
            name: "CloudMesh",
            dependencies: [
                "Solana",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // IPFS: CIDs, UnixFS/dag-pb, CAR, verified retrieval, publishing.
        .target(
            name: "IPFS",
            dependencies: [
                "Redaction", "Retry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libseccomp, which builds the sandbox's seccomp filter (Debian: libseccomp-dev).
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // Starting a child with clone(CLONE_VM | CLONE_VFORK), as posix_spawn does, applying what posix_spawn
        // cannot (resource limits, cgroup membership, a switch of user) by raw system calls before execve.
        .target(name: "CLaunch"),
        // Running untrusted Python under bubblewrap with a seccomp filter and resource limits.
        .target(
            name: "Sandbox",
            dependencies: [
                "CLaunch", "CSeccomp", "Retry",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A job's PEP 723 dependencies: the inline metadata (with its TOML), PEP 440 requires-python, wheels-only
        // environments resolved and installed by uv, cached by lock.
        .target(
            name: "Dependencies",
            dependencies: [
                "Redaction",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The worker: configuration, discovery, scheduling, pipeline, journal, metrics.
        .target(
            name: "Worker",
            dependencies: [
                "Solana", "CloudMesh", "IPFS", "Sandbox", "Redaction", "Retry", "Dependencies",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Benchmark: a trivial job through the sandbox against bare python3 (bench/sandbox).
        .executableTarget(
            name: "sandbox-bench",
            dependencies: [
                "Sandbox", "Retry",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/sandbox"
        ),
        // What the commands show and check, kept out of the executable so that it is unit-tested: job tables and
        // JSON, the journal as `show` words it, result documents read back, SOL amounts, the airdrop policy,
        // verified code uploads.
        .target(
            name: "WorkerCLISupport",
            dependencies: ["Worker", "CloudMesh", "Solana", "IPFS"],
            packageAccess: false
        ),
        // The command-line front end.
        .executableTarget(
            name: "CloudMeshWorkerCLI",
            dependencies: [
                "Worker", "WorkerCLISupport", "Solana", "CloudMesh", "IPFS", "Sandbox", "Redaction", "Dependencies",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            packageAccess: false
        ),
        // Test support: starts the Python devnet for integration tests.
        .target(
            name: "DevnetSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Tests/DevnetSupport"
        ),
        // Test support: the golden vectors' shared helpers (loading, hex, a seeded generator).
        .target(name: "GoldenVectorSupport", path: "Tests/GoldenVectorSupport"),
        // Test support for the worker: in-memory fakes of every stage and of the chain, a harness wiring a worker to
        // them, journal fixtures; and the end-to-end stack (a devnet plus real worker processes).
        .target(
            name: "WorkerTesting",
            dependencies: [
                "Worker", "Solana", "DevnetSupport", "Retry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/WorkerTesting"
        ),
        .testTarget(
            name: "SolanaTests",
            dependencies: [
                "Solana", "Retry", "DevnetSupport", "GoldenVectorSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CloudMeshTests", dependencies: ["CloudMesh", "DevnetSupport", "GoldenVectorSupport"],
            resources: [.copy("Golden")]),
        .testTarget(
            name: "IPFSTests",
            dependencies: [
                "IPFS", "DevnetSupport", "GoldenVectorSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"]),
        .testTarget(name: "RetryTests", dependencies: ["Retry"]),
        .testTarget(
            name: "DependenciesTests", dependencies: ["Dependencies", "GoldenVectorSupport"],
            resources: [.copy("Golden"), .copy("Fixtures")]),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "WorkerTesting", "IPFS", "DevnetSupport", "Redaction", "Retry", "Dependencies",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WorkerCLISupportTests", dependencies: ["WorkerCLISupport", "WorkerTesting", "Worker"]),
        // The end-to-end tier: the real worker binary against devnets (skipped unless CLOUDMESH_END_TO_END=1).
        .testTarget(
            name: "WorkerEndToEndTests",
            dependencies: [
                "Worker", "WorkerTesting", "DevnetSupport", "Solana", "Dependencies",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Every command run as a subprocess (skipped unless CLOUDMESH_END_TO_END=1).
        .testTarget(name: "CLITests", dependencies: ["DevnetSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

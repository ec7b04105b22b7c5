// swift-tools-version:6.1
//
// nmsweep: a distributed sweep coordinator for Noisy Model Learning studies.
// Layout and the reasons for it: docs/architecture.md.

import Foundation
import PackageDescription

/// The vector ISA the numeric code is compiled for.
///
/// `native` (the default) targets the build machine's CPU (AVX-512 on Zen 4, AVX2+FMA elsewhere).
/// Portable images set `NMSWEEP_MARCH=x86-64-v3` (AVX2+FMA, any x86-64 CPU since 2015). Without
/// an explicit target, `SIMD16<Float>.addingProduct` lowers to per-lane library calls and the
/// compute core runs below 1 GFLOP/s, so there is no "generic" setting.
let march = ProcessInfo.processInfo.environment["NMSWEEP_MARCH"] ?? "native"

let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=\(march)"]),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")

var targets: [Target] = [
    // C libraries: a module map and a shim header each, nothing else.
    .systemLibrary(
        name: "CZeroMQ", pkgConfig: "libzmq",
        providers: [.apt(["libzmq3-dev"])]),
    .systemLibrary(
        name: "CLibPQ", pkgConfig: "libpq",
        providers: [.apt(["libpq-dev"])]),
    // zlib: gzip and zlib decoding for StudyData's readers.
    .systemLibrary(
        name: "CLibZ", pkgConfig: "zlib",
        providers: [.apt(["zlib1g-dev"])]),
    // FreeType: renders the glyph data set (GlyphData).
    .systemLibrary(
        name: "CFreeType", pkgConfig: "freetype2",
        providers: [.apt(["libfreetype-dev"])]),
    // OpenBLAS / LAPACK: the yardstick of the benchmarks, linked into nmsweep-bench alone.
    .systemLibrary(
        name: "COpenBLAS", pkgConfig: "openblas",
        providers: [.apt(["libopenblas-dev"])]),

    // Elementwise kernels that need vector square roots (Swift's lower to scalar libm calls);
    // no fused multiply-adds, so they round exactly as the Swift formula would.
    .target(name: "CVectorMath",
            cSettings: [.unsafeFlags(["-O3", "-march=\(march)", "-fno-math-errno", "-ffp-contract=off"])]),

    // Libraries.
    .target(name: "NoisyCore", dependencies: ["CVectorMath"]),
    // The data layer: data files, their readers and formats, the catalogue, fetching, checksums.
    .target(name: "StudyData", dependencies: [
        "NoisyCore", "CLibZ", .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
    ]),
    // Rendered glyphs (FreeType): the many-class pre-training source and the Latin glyph tasks.
    .target(name: "GlyphData", dependencies: ["NoisyCore", "StudyData", "CFreeType"]),
    // Runs one cell: loads its data (StudyData, GlyphData), computes (NoisyCore).
    .target(name: "StudyRunner", dependencies: ["NoisyCore", "StudyData", "GlyphData"]),
    // all-MiniLM-L6-v2 on NoisyCore's GEMM: safetensors, WordPiece tokenizer, BERT forward.
    .target(name: "TextEncoder", dependencies: ["NoisyCore", "StudyData"]),
    // The WordNet text tasks and their encoder features (cells with features: {encoder: …}).
    .target(name: "TextTasks", dependencies: ["NoisyCore", "StudyData", "StudyRunner", "TextEncoder"]),
    .target(name: "SweepKit", dependencies: ["NoisyCore", "StudyData", .product(name: "Yams", package: "Yams")]),
    .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
    // What both services run on: wake pipe, stop signals, monotonic clock, process supervisor.
    .target(name: "SweepRuntime"),
    .target(name: "Postgres", dependencies: ["CLibPQ"]),
    .target(name: "SweepStore", dependencies: ["Postgres", "NoisyCore", "SweepKit", "SweepRuntime", logging]),
    .target(name: "SweepCoordinator", dependencies: ["SweepKit", "ZeroMQ", "SweepRuntime", "SweepStore", "BuildInfo", logging, metrics]),
    .target(name: "SweepWorker", dependencies: ["SweepKit", "ZeroMQ", "SweepRuntime", "NoisyCore", "StudyData", "StudyRunner", "TextTasks", "BuildInfo", logging, metrics]),
    // HTTP for the services (docs/http.md): Hummingbird on an event loop of its own, the bearer
    // token, and the Prometheus backend of swift-metrics behind `/metrics`.
    .target(name: "SweepHTTP", dependencies: [
        logging, metrics,
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Prometheus", package: "swift-prometheus"),
    ]),
    // The coordinator's live page and JSON API: reads the coordinator's published snapshot, never its loop.
    .target(name: "SweepDashboard", dependencies: ["SweepHTTP", "SweepCoordinator", "SweepStore", "SweepKit", logging,
                                                   .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.embedInCode("Page/index.html"), .embedInCode("Page/dashboard.css"), .embedInCode("Page/dashboard.js")]),
    // The release, result format and git revision a binary was built from (--version); the
    // revision is written before each build by RevisionPlugin ("unknown" outside git).
    .target(name: "BuildInfo", dependencies: ["SweepKit"], plugins: ["RevisionPlugin"]),
    .plugin(name: "RevisionPlugin", capability: .buildTool()),
    // What the three binaries share: exit 2 on bad usage, --version, --log-level, endpoint checks.
    .target(name: "CommandSupport", dependencies: ["BuildInfo", "SweepKit", argumentParser, logging]),

    // Executables: parse arguments, wire services, exit codes.
    .executableTarget(
        name: "nmsweep-coordinator",
        dependencies: ["SweepCoordinator", "SweepDashboard", "SweepHTTP", "SweepStore", "SweepKit", "SweepRuntime", "CommandSupport", argumentParser, logging]),
    .executableTarget(
        name: "nmsweep-worker",
        dependencies: ["SweepWorker", "SweepHTTP", "SweepKit", "StudyData", "CommandSupport", argumentParser, logging]),
    .executableTarget(
        name: "nmsweep",
        dependencies: ["NoisyCore", "StudyData", "StudyRunner", "TextEncoder", "TextTasks", "GlyphData", "SweepKit", "SweepStore", "Postgres", "ZeroMQ", "CommandSupport", argumentParser, logging]),
    .executableTarget(
        name: "nmsweep-bench",
        dependencies: ["NoisyCore", "StudyData", "TextEncoder", "COpenBLAS", "Postgres", "SweepStore", "SweepKit", "ZeroMQ", "SweepHTTP", argumentParser]),

    // Tests.
    .target(name: "TestSupport", dependencies: ["NoisyCore", "Postgres", "SweepStore"], path: "Tests/TestSupport"),
    .testTarget(name: "NoisyCoreTests", dependencies: ["NoisyCore", "TestSupport"]),
    // The data layer and the cell runner: every test that reads the data folder.
    .testTarget(name: "StudyTests", dependencies: ["StudyData", "StudyRunner", "NoisyCore", "TestSupport"]),
    .testTarget(name: "TextEncoderTests", dependencies: ["TextEncoder", "NoisyCore", "StudyData", "TestSupport"], exclude: ["minilm-reference.json"]),
    .testTarget(name: "GlyphDataTests", dependencies: ["GlyphData", "NoisyCore", "StudyData", "StudyRunner", "SweepKit", "TestSupport"]),
    .testTarget(name: "TextTasksTests", dependencies: ["TextTasks", "NoisyCore", "StudyData", "StudyRunner", "TestSupport"]),
    .testTarget(name: "SweepKitTests", dependencies: ["SweepKit", "StudyData", "TestSupport"]),
    .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "TestSupport"]),
    .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
    .testTarget(name: "SweepStoreTests", dependencies: ["SweepStore", "NoisyCore", "Postgres", "TestSupport"]),
    // The coordinator's session and parts, and the worker's slots and cache, in process (no sockets).
    .testTarget(name: "SweepCoordinatorTests", dependencies: ["SweepCoordinator", "SweepKit", "SweepStore", "NoisyCore", logging]),
    .testTarget(name: "SweepWorkerTests", dependencies: ["SweepWorker", "SweepKit", "NoisyCore", "StudyRunner", "StudyData", "ZeroMQ", "SweepRuntime"]),
    .testTarget(name: "SweepRuntimeTests", dependencies: ["SweepRuntime"]),
    // The HTTP side in process: snapshot box, JSON, token check, the Prometheus text.
    .testTarget(name: "SweepDashboardTests", dependencies: ["SweepDashboard", "SweepHTTP", "SweepCoordinator", "SweepStore", "SweepKit", "TestSupport", logging]),
    .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "NoisyCore", "StudyData", "StudyRunner", "SweepKit", "TextTasks", "ZeroMQ", "SweepHTTP"]),
]

for index in targets.indices where targets[index].type != .system && targets[index].type != .plugin {
    targets[index].swiftSettings = (targets[index].swiftSettings ?? []) + swiftSettings
}

let package = Package(
    name: "nmsweep",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nmsweep-coordinator", targets: ["nmsweep-coordinator"]),
        .executable(name: "nmsweep-worker", targets: ["nmsweep-worker"]),
        .executable(name: "nmsweep", targets: ["nmsweep"]),
        .executable(name: "nmsweep-bench", targets: ["nmsweep-bench"]),
        .library(name: "NoisyCore", targets: ["NoisyCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // The HTTP side (SweepDashboard); its swift-configuration support is not used.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already Hummingbird's: named for the HTTP side's own event loop (NIOPosix).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: targets
)

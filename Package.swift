// swift-tools-version: 6.0
// Pareto: optimize machine-learning models for where they will really run.
// Module layout and dependency rules: docs/ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "Pareto",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Pareto", targets: ["Pareto"]),
        .library(name: "ParetoTunePostgres", targets: ["ParetoTunePostgres"]),
        .executable(name: "pareto", targets: ["ParetoCLI"]),
        .executable(name: "pareto-bench", targets: ["ParetoBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Runtime only: the ONNX message types are generated once and committed
        // (scripts/generate_onnx_proto.sh), so the build never runs the plugin.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // Pareto's own dense kernels (GEMM, half-precision conversions) in C, each
        // compiled per instruction-set level and chosen at run time: host-tuned
        // code with no compiler flags (docs/ARCHITECTURE.md, "Host-tuned code").
        .target(name: "CParetoKernels"),
        .target(name: "ParetoCore", dependencies: ["CParetoKernels"]),
        .target(name: "ParetoData", dependencies: ["ParetoCore"]),
        .target(name: "ParetoTrees", dependencies: ["CParetoKernels", "ParetoCore", "ParetoData"]),
        .target(name: "ParetoEval", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoFeatures", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoLinear", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoNeural", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoTune", dependencies: ["ParetoCore"]),
        // Study storages in databases: kept out of ParetoTune so that it stays dependency-free.
        .target(name: "ParetoTuneSQLite", dependencies: ["ParetoTune", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "ParetoTunePostgres", dependencies: ["ParetoTune", .product(name: "PostgresNIO", package: "postgres-nio")]),
        // Search-space files in YAML (and JSON) with errors naming the line: Yams stays out of ParetoTune.
        .target(name: "ParetoTuneYAML", dependencies: ["ParetoTune", .product(name: "Yams", package: "Yams")]),
        .target(name: "ParetoReport", dependencies: ["ParetoCore"]),
        .target(name: "ParetoDeploy", dependencies: ["ParetoCore", "ParetoData", "ParetoTrees", "ParetoEval",
                                                     "ParetoFeatures", "ParetoLinear", "ParetoNeural",
                                                     .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["Generated/onnx-ml.proto"]),
        .target(name: "ParetoOptimize", dependencies: ["ParetoCore", "ParetoData", "ParetoTrees", "ParetoEval",
                                                       "ParetoFeatures", "ParetoLinear", "ParetoNeural", "ParetoTune",
                                                       "ParetoReport", "ParetoDeploy"]),
        .target(name: "Pareto", dependencies: ["ParetoCore", "ParetoData", "ParetoTrees", "ParetoEval", "ParetoFeatures",
                                               "ParetoLinear", "ParetoNeural", "ParetoTune", "ParetoTuneSQLite", "ParetoReport",
                                               "ParetoDeploy", "ParetoOptimize"]),
        // Test support: checks every learner must pass (not part of the umbrella).
        .target(name: "ParetoTesting", dependencies: ["ParetoCore", "ParetoData"]),
        .executableTarget(
            name: "ParetoCLI",
            dependencies: [
                "Pareto", "ParetoTunePostgres", "ParetoTuneYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "ParetoBench", dependencies: ["Pareto"]),
        .testTarget(name: "ParetoCoreTests", dependencies: ["ParetoCore"], exclude: ["reference"]),
        .testTarget(
            name: "ParetoDataTests", dependencies: ["ParetoData"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoTreesTests", dependencies: ["ParetoTrees", "ParetoTesting"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoEvalTests", dependencies: ["ParetoEval"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoFeaturesTests", dependencies: ["ParetoFeatures", "ParetoEval"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoLinearTests", dependencies: ["ParetoLinear", "ParetoFeatures", "ParetoTesting"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ParetoReportTests", dependencies: ["ParetoReport", "ParetoTesting"]),
        .testTarget(name: "ParetoOptimizeTests", dependencies: ["ParetoOptimize", "ParetoTesting"]),
        .testTarget(
            name: "ParetoDeployTests", dependencies: [
                "ParetoDeploy", "ParetoFeatures", "ParetoLinear", "ParetoNeural",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ParetoCLITests", dependencies: ["ParetoCLI"]),
        .testTarget(
            name: "ParetoTuneTests", dependencies: [
                "ParetoTune", "ParetoTuneSQLite", "ParetoTunePostgres", "ParetoTuneWorker", "ParetoTuneYAML",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]),
        // A child process for the storages' multi-process tests (not a product).
        .executableTarget(name: "ParetoTuneWorker", dependencies: ["ParetoTune", "ParetoTuneSQLite", "ParetoTunePostgres"]),
        .testTarget(
            name: "ParetoNeuralTests", dependencies: ["ParetoNeural", "ParetoTesting"],
            resources: [.copy("Fixtures")]),
    ]
)

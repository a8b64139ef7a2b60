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
    ],
    targets: [
        .target(name: "ParetoCore"),
        .target(name: "ParetoData", dependencies: ["ParetoCore"]),
        .target(name: "ParetoTrees", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoEval", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoFeatures", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoLinear", dependencies: ["ParetoCore", "ParetoData"]),
        .target(name: "ParetoTune", dependencies: ["ParetoCore"]),
        // Study storages in databases: kept out of ParetoTune so that it stays dependency-free.
        .target(name: "ParetoTuneSQLite", dependencies: ["ParetoTune", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "ParetoTunePostgres", dependencies: ["ParetoTune", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .target(name: "Pareto", dependencies: ["ParetoCore", "ParetoData", "ParetoTrees", "ParetoEval", "ParetoFeatures",
                                               "ParetoLinear", "ParetoTune", "ParetoTuneSQLite"]),
        // Test support: checks every learner must pass (not part of the umbrella).
        .target(name: "ParetoTesting", dependencies: ["ParetoCore", "ParetoData"]),
        .executableTarget(
            name: "ParetoCLI",
            dependencies: [
                "Pareto", "ParetoTunePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "ParetoBench", dependencies: ["Pareto"]),
        .testTarget(name: "ParetoCoreTests", dependencies: ["ParetoCore"], exclude: ["reference"]),
        .testTarget(
            name: "ParetoDataTests", dependencies: ["ParetoData"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ParetoTreesTests", dependencies: ["ParetoTrees", "ParetoTesting"]),
        .testTarget(
            name: "ParetoEvalTests", dependencies: ["ParetoEval"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoFeaturesTests", dependencies: ["ParetoFeatures", "ParetoEval"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ParetoLinearTests", dependencies: ["ParetoLinear", "ParetoFeatures", "ParetoTesting"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ParetoCLITests", dependencies: ["ParetoCLI"]),
        .testTarget(
            name: "ParetoTuneTests", dependencies: [
                "ParetoTune", "ParetoTuneSQLite", "ParetoTunePostgres", "ParetoTuneWorker",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]),
        // A child process for the storages' multi-process tests (not a product).
        .executableTarget(name: "ParetoTuneWorker", dependencies: ["ParetoTune", "ParetoTuneSQLite"]),
    ]
)

// swift-tools-version:6.2
import PackageDescription

/// Cairn's benchmarks: a separate package so `swift build` and CI of Cairn never compile the
/// benchmark tool. Run with `swift package benchmark` from this directory.
let package = Package(
    name: "CairnBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Cairn", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CairnCore", package: "Cairn"),
                .product(name: "CairnStorage", package: "Cairn"),
            ],
            path: "Benchmarks/StorageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "QueryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CairnCore", package: "Cairn"),
                .product(name: "CairnStorage", package: "Cairn"),
                .product(name: "CairnQuery", package: "Cairn"),
            ],
            path: "Benchmarks/QueryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.2
import PackageDescription

/// Settings for every Cairn target: Swift 6, strict imports, warnings as errors (our targets only).
let cairnSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cairn", targets: ["CairnCLI"]),
        .library(name: "CairnCore", targets: ["CairnCore"]),
        .library(name: "CairnCompression", targets: ["CairnCompression"]),
        .library(name: "CairnStorage", targets: ["CairnStorage"]),
        .library(name: "CairnSQL", targets: ["CairnSQL"]),
        .library(name: "CairnQuery", targets: ["CairnQuery"]),
        .library(name: "CairnService", targets: ["CairnService"]),
        .library(name: "CairnServer", targets: ["CairnServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CairnCore", swiftSettings: cairnSettings),
        .target(
            name: "CairnCompression",
            dependencies: ["CZstd", "CLZ4", "CZlib"],
            swiftSettings: cairnSettings
        ),
        .target(
            name: "CairnStorage",
            dependencies: ["CairnCore", "CairnCompression"],
            exclude: ["Docs.docc"],
            swiftSettings: cairnSettings
        ),
        .target(name: "CairnSQL", dependencies: ["CairnCore"], swiftSettings: cairnSettings),
        .target(
            name: "CairnQuery",
            dependencies: ["CairnCore", "CairnSQL", "CairnStorage"],
            swiftSettings: cairnSettings
        ),
        .target(
            name: "CairnService",
            dependencies: [
                "CairnCore", "CairnCompression", "CairnStorage", "CairnSQL", "CairnQuery",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: cairnSettings
        ),
        .target(
            name: "CairnServer",
            dependencies: [
                "CairnService", "CairnCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: cairnSettings
        ),
        .executableTarget(
            name: "CairnCLI",
            dependencies: [
                "CairnCore", "CairnCompression", "CairnStorage", "CairnSQL", "CairnQuery", "CairnService",
                "CairnServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: cairnSettings
        ),
        .target(
            name: "CairnTestSupport",
            dependencies: ["CairnCore", "CairnStorage"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnCoreTests",
            dependencies: ["CairnCore", "CairnTestSupport"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnCompressionTests",
            dependencies: ["CairnCompression"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnStorageTests",
            dependencies: ["CairnCore", "CairnCompression", "CairnStorage", "CairnTestSupport"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnSQLTests",
            dependencies: ["CairnSQL"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnQueryTests",
            dependencies: ["CairnCore", "CairnSQL", "CairnQuery", "CairnStorage", "CairnTestSupport"],
            exclude: ["Oracle/duckdb_oracle.py"],
            resources: [.copy("Golden")],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnServiceTests",
            dependencies: ["CairnCore", "CairnStorage", "CairnQuery", "CairnService", "CairnTestSupport"],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnServerTests",
            dependencies: [
                "CairnCore", "CairnService", "CairnServer", "CairnTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: cairnSettings
        ),
        .testTarget(
            name: "CairnCLITests",
            dependencies: ["CairnCore", "CairnTestSupport"],
            swiftSettings: cairnSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "PeriodPipeline",
    products: [
        .executable(name: "get-predictions", targets: ["GetPredictions"]),
        .executable(name: "load-ground-truth", targets: ["LoadGroundTruth"]),
        .executable(name: "check-model", targets: ["CheckModel"]),
        .executable(name: "cml-local", targets: ["CMLLocal"]),
        // The three jobs in one binary, for the CML bundle (scripts/package-cml links the job names to it).
        .executable(name: "monitor-job", targets: ["MonitorJob"]),
        .library(name: "PeriodArgs", targets: ["PeriodArgs"]),
        .library(name: "MonitorData", targets: ["MonitorData"]),
        .library(name: "CMLAPI", targets: ["CMLAPI"]),
        .library(name: "JobClient", targets: ["JobClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Without their Foundation (and swift-configuration) traits: FoundationEssentials only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Linux (glibc) only: the C library, the write loop, the thread start, the one-line escaper, number formatting.
        .target(name: "Platform", swiftSettings: swiftSettings),
        .target(
            name: "PeriodArgs",
            dependencies: ["Platform", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .target(name: "MonitorData", dependencies: ["Platform", "CZlib"], swiftSettings: swiftSettings),
        .target(name: "MonitorStore", dependencies: ["Platform", "MonitorPolicy"], swiftSettings: swiftSettings),
        .target(name: "MonitorPolicy", dependencies: ["Platform"], swiftSettings: swiftSettings),
        .target(name: "MonitorReport", dependencies: ["Platform", "MonitorStore", "MonitorPolicy"], swiftSettings: swiftSettings),
        .target(name: "MonitorImport", dependencies: ["Platform", "MonitorData", "CZlib"], swiftSettings: swiftSettings),
        // A libstdc++ function newer than glibc 2.31 systems have, for the CML bundle (scripts/package-cml).
        .target(name: "CxxCompat"),
        // libcurl through dlopen, for https (no libcurl headers or link needed at build time).
        .target(name: "CCurlShim"),
        // CML API v2's wire models, encoded as a real server encodes them: the client's and the launcher's server's.
        .target(name: "CMLAPI", dependencies: ["Platform"], swiftSettings: swiftSettings),
        .target(name: "JobClient", dependencies: ["Platform", "CMLAPI", "CCurlShim"], swiftSettings: swiftSettings),
        .target(
            name: "MonitorJobs",
            dependencies: [
                "Platform", "PeriodArgs", "MonitorData", "MonitorStore", "MonitorPolicy", "JobClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Launcher",
            dependencies: [
                "Platform", "CMLAPI", "JobClient", "PeriodArgs", "MonitorData", "MonitorStore", "MonitorPolicy", "MonitorReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GetPredictions",
            dependencies: ["MonitorJobs", "CxxCompat", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LoadGroundTruth",
            dependencies: ["MonitorJobs", "CxxCompat", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CheckModel",
            dependencies: ["MonitorJobs", "CxxCompat", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MonitorJob",
            dependencies: ["MonitorJobs", "CxxCompat", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CMLLocal",
            dependencies: [
                "Platform", "Launcher", "JobClient", "MonitorReport", "MonitorImport", "CxxCompat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "TestSupport", dependencies: ["Platform", "JobClient"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "DataBench",
            dependencies: ["Platform", "MonitorData"],
            path: "Sources/DataBench",
            swiftSettings: swiftSettings
        ),
        // Fuzz targets (scripts/fuzz builds them with -sanitize=fuzzer,address -DFUZZING; a
        // normal build makes replay tools that run the inputs given as files or folders).
        .target(name: "FuzzSupport", dependencies: ["Platform", "CZlib"], path: "Sources/Fuzz/FuzzSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "PeriodFuzzer", dependencies: ["FuzzSupport", "PeriodArgs"], path: "Sources/Fuzz/PeriodFuzzer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CSVFuzzer", dependencies: ["Platform", "FuzzSupport", "MonitorData"], path: "Sources/Fuzz/CSVFuzzer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "HTTPFuzzer", dependencies: ["FuzzSupport", "JobClient"], path: "Sources/Fuzz/HTTPFuzzer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GzipFuzzer", dependencies: ["Platform", "FuzzSupport", "MonitorData"], path: "Sources/Fuzz/GzipFuzzer",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"], swiftSettings: swiftSettings),
        .testTarget(name: "PeriodArgsTests", dependencies: ["PeriodArgs"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorDataTests", dependencies: ["MonitorData", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorStoreTests", dependencies: ["MonitorStore", "MonitorPolicy"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorPolicyTests", dependencies: ["MonitorPolicy", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorReportTests", dependencies: ["MonitorReport", "MonitorStore", "MonitorPolicy"], swiftSettings: swiftSettings),
        // Runs the built jobs on every data set it imports, and `cml-local import` itself.
        .testTarget(
            name: "MonitorImportTests",
            dependencies: ["MonitorImport", "MonitorData", "TestSupport", "GetPredictions", "LoadGroundTruth", "CMLLocal"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JobClientTests",
            dependencies: ["Platform", "CMLAPI", "JobClient", "Launcher", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonitorJobsTests",
            dependencies: [
                "MonitorJobs", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LauncherTests", dependencies: ["Platform", "Launcher", "CMLAPI", "JobClient", "PeriodArgs"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DeployTests",
            dependencies: ["Launcher", "CMLAPI", "JobClient", "CMLLocal", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "Platform", "GetPredictions", "LoadGroundTruth", "CheckModel", "CMLLocal", "TestSupport", "MonitorStore",
                "PeriodArgs", "JobClient", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Platform", "GetPredictions", "LoadGroundTruth", "CheckModel", "CMLLocal", "TestSupport"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)

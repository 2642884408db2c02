// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "grafana-jit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grafana-jit", targets: ["grafana-jit"]),
        .executable(name: "grafana-jit-bench", targets: ["grafana-jit-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "HTTPClient", dependencies: ["CCurl"], swiftSettings: strict),
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: strict),
        .target(name: "AccessModel", dependencies: ["YAML"], swiftSettings: strict),
        .target(name: "AccessRequests", dependencies: ["AccessModel"], swiftSettings: strict),
        .target(name: "Metrics", swiftSettings: strict),
        .target(
            name: "Controller", dependencies: ["AccessModel", "GrafanaAPI", "HTTPClient", "Metrics"],
            swiftSettings: strict),
        .target(name: "AccessReview", dependencies: ["Controller", "AccessModel"], swiftSettings: strict),
        .target(name: "GrafanaAPI", dependencies: ["HTTPClient"], swiftSettings: strict),
        .target(name: "HTTPServer", swiftSettings: strict),
        .target(name: "GrafanaSimulator", dependencies: ["HTTPServer", "YAML"], swiftSettings: strict),
        .executableTarget(
            name: "grafana-jit",
            dependencies: [
                "AccessReview", "Controller", "AccessModel", "AccessRequests", "GrafanaAPI", "GrafanaSimulator",
                "HTTPClient", "HTTPServer", "Metrics",
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "grafana-jit-bench", dependencies: ["Controller", "GrafanaAPI", "GrafanaSimulator", "HTTPServer"],
            swiftSettings: strict),
        .target(
            name: "TestSupport", dependencies: ["Controller", "GrafanaAPI", "GrafanaSimulator", "HTTPServer"],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: strict),
        .testTarget(name: "AccessModelTests", dependencies: ["AccessModel"], swiftSettings: strict),
        .testTarget(name: "AccessRequestsTests", dependencies: ["AccessRequests"], swiftSettings: strict),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AccessReviewTests", dependencies: ["AccessReview", "Controller"], swiftSettings: strict),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HTTPClientTests", dependencies: ["HTTPClient", "HTTPServer", "GrafanaSimulator", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "GrafanaSimulatorTests", dependencies: ["GrafanaSimulator", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "GrafanaAPITests", dependencies: ["GrafanaAPI", "HTTPServer", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests", dependencies: ["grafana-jit", "HTTPClient", "TestSupport"], swiftSettings: strict),
    ]
)

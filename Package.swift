// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "lookout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lookout", targets: ["lookout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "LookoutConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "LookoutModel",
            dependencies: ["LookoutConfig"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lookout",
            dependencies: [
                "LookoutConfig",
                "LookoutModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LookoutConfigTests",
            dependencies: ["LookoutConfig"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LookoutModelTests",
            dependencies: ["LookoutModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "lookoutTests",
            dependencies: ["lookout"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)

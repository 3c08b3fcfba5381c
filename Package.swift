// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    // One release build serves the tests, `scripts/start` and the package: the tests'
    // `@testable import` needs our own modules compiled for testing in release too (SwiftPM
    // adds the flag by itself only in debug). Dependencies are built as usual.
    .unsafeFlags(["-enable-testing"], .when(configuration: .release)),
]

/// Test targets: not optimised in the release build either (they are run, not shipped, and -O
/// on their macro-expanded code was most of the build's time).
let testSettings: [SwiftSetting] = strict + [
    .unsafeFlags(["-Onone"], .when(configuration: .release)),
]

let package = Package(
    name: "lookout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lookout", targets: ["lookout"]),
    ],
    // Every package of the graph at an exact version, the indirect ones too (swift-atomics,
    // swift-collections, swift-system: NIO's and swift-crypto's), so that a dependency's new
    // release cannot change a build overnight. Package.resolved stays untracked.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-atomics.git", exact: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
    ],
    targets: [
        // The config file.
        .target(
            name: "LookoutConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // AWS: SigV4, libcurl, the client.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        // The signal handlers: they only record a signal (or exit at once on a second one).
        .target(name: "CSignals", path: "Sources/CSignals"),
        // The C allocator's figures (in use against held) and its trim: the console's memory over hours.
        .target(name: "CHeap", path: "Sources/CHeap"),
        .target(
            name: "SigV4",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // A secret held in memory only, redacted wherever it could be printed.
        .target(name: "LookoutSecrets", swiftSettings: strict),
        .target(
            name: "LookoutAWS",
            // Crypto: SHA-1 names the AWS CLI's SSO token cache files.
            dependencies: ["CCurl", "SigV4", "LookoutSecrets", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Kafka: generated messages and codec; the admin client.
        .target(
            name: "KafkaProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "LookoutKafka",
            dependencies: [
                "KafkaProtocol",
                // SecretValue: the SASL password and the client key stay redacted.
                "LookoutSecrets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Certificates: PEM, summaries, chains.
        .target(
            name: "LookoutX509",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        // Observations, the evaluator, the snapshot's renderings.
        .target(
            name: "LookoutModel",
            dependencies: ["LookoutConfig"],
            swiftSettings: strict
        ),
        // Endpoint probes: DNS, TCP, TLS (the served chain), a Kafka round trip.
        .target(
            name: "LookoutProbes",
            dependencies: [
                "LookoutConfig", "LookoutModel", "LookoutX509",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        // An environment's clients, built in one place for polling and actions alike.
        .target(
            name: "LookoutEnvironment",
            dependencies: ["LookoutConfig", "LookoutAWS", "LookoutKafka"],
            swiftSettings: strict
        ),
        // Sources and polling.
        .target(
            // One folder per source: how it is read, merged, judged and shown (see Registry/Registry.swift).
            name: "LookoutSources",
            dependencies: [
                "LookoutConfig", "LookoutModel", "LookoutAWS", "LookoutKafka", "LookoutProbes", "LookoutX509", "LookoutEnvironment", "LookoutSecrets",
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LookoutPolling",
            dependencies: [
                "LookoutConfig", "LookoutEnvironment", "LookoutModel", "LookoutSources", "LookoutAWS", "LookoutKafka",
            ],
            swiftSettings: strict
        ),
        // `lookout serve`: the exporter's answers and its HTTP listener (SwiftNIO, swift-nio-ssl),
        // gzip through zlib.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "LookoutServe",
            dependencies: [
                "CZlib", "LookoutModel", "LookoutSources",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The console: pure layout and rendering, and ncurses in one thin layer (Terminal/).
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(
            name: "LookoutUI",
            // LookoutActions: the actions' one path, which the console's action keys take as the command line does.
            dependencies: ["CNcurses", "CHeap", "LookoutConfig", "LookoutModel", "LookoutSources", "LookoutPolling", "LookoutActions"],
            swiftSettings: strict
        ),
        // Actions: plans, guards, locks, the audit log, the roll.
        .target(
            name: "LookoutActions",
            // LookoutEnvironment: the environment's clients as the pollers build them, so the broker
            // gate connects as the cluster is secured.
            // LookoutProbes: the TLS phase that reports the served chain (a reissue's last check).
            // X509, _CryptoExtras: a reissue's key (RSA or EC, made locally) and its CSR.
            dependencies: [
                "CSignals",
                "LookoutConfig", "LookoutModel", "LookoutSources", "LookoutAWS", "LookoutKafka", "LookoutEnvironment", "LookoutProbes", "LookoutX509",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lookout",
            dependencies: [
                "LookoutConfig",
                "LookoutModel",
                "LookoutSources",
                "LookoutPolling",
                "LookoutUI",
                "LookoutActions",
                "LookoutServe",
                "LookoutEnvironment",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // libFuzzer targets: scripts/fuzz builds them with -sanitize=fuzzer -DFUZZING in a scratch
        // path of their own; a plain build of one replays inputs (`FuzzKafka --seeds DIR` writes seeds).
        .executableTarget(
            name: "FuzzKafka",
            dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")],
            path: "Fuzz/Kafka", exclude: ["corpus"], swiftSettings: strict
        ),
        // Instrumented alone, in the tests' own release build: its dependencies (BoringSSL among
        // them) are reused as built there, not built again with the sanitizer.
        .executableTarget(
            name: "FuzzX509",
            dependencies: ["LookoutX509", .product(name: "X509", package: "swift-certificates")],
            path: "Fuzz/X509", exclude: ["corpus"],
            swiftSettings: strict + [.unsafeFlags(["-sanitize=fuzzer"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        ),
        // As FuzzX509: AWS's JSON answers through the decoders AWSClient uses (LookoutAWS reused as built).
        .executableTarget(
            name: "FuzzJSON",
            dependencies: ["LookoutAWS"],
            path: "Fuzz/JSON", exclude: ["corpus"],
            swiftSettings: strict + [.unsafeFlags(["-sanitize=fuzzer"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: ["LookoutConfig"],
            path: "Fuzz/Config", exclude: ["corpus"], swiftSettings: strict
        ),
        // Shared by the test targets: where the sandbox is, whether it is required, tools by PATH.
        .target(
            name: "LookoutTestSupport",
            path: "Tests/LookoutTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "LookoutConfigTests",
            dependencies: ["LookoutConfig"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutAWSTests",
            dependencies: ["LookoutTestSupport", "LookoutAWS", "SigV4", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutKafkaTests",
            dependencies: [
                "LookoutKafka",
                "LookoutSecrets",
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutKafkaIntegrationTests",
            dependencies: ["LookoutTestSupport", 
                "LookoutKafka",
                "LookoutAWS",
                "LookoutConfig",
                "LookoutEnvironment",
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutModelTests",
            dependencies: ["LookoutModel"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutSourcesTests",
            dependencies: ["LookoutSources", "LookoutModel", "LookoutConfig"],
            exclude: ["Golden"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutPollingTests",
            dependencies: ["LookoutPolling", "LookoutModel", "LookoutSources", "LookoutEnvironment"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutServeTests",
            dependencies: ["LookoutServe", "LookoutModel", "LookoutSources"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutUITests",
            dependencies: ["LookoutUI", "LookoutConfig", "LookoutModel", "LookoutSources", "LookoutPolling", "LookoutActions"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "LookoutActionsTests",
            dependencies: [
                "LookoutActions", "LookoutConfig", "LookoutKafka", "LookoutAWS", "LookoutModel",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "lookoutTests",
            dependencies: ["LookoutTestSupport", "lookout"],
            exclude: ["Fixtures", "Support/boto3_reads.py", "Support/change_secret.py", "Support/kafka_login.py", "Support/put_new_cert.py", "Support/actions_state.py", "Support/aws_recorder.py", "Support/secure_values.py", "Support/cert_pair.py", "Support/secret_put_back.py", "Support/scenario.py"],
            swiftSettings: testSettings
        ),
    ]
)

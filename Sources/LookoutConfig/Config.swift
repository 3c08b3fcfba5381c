import Foundation

/// The whole config file, decoded and checked.
public struct Config: Sendable {
    /// The file it was read from, as given.
    public var file: String
    public var refresh: ConfigDuration
    /// A theme name from `Themes/` or a path (made absolute against the config's folder).
    public var theme: String
    public var auditLog: String
    /// How long lookout waits: a source's poll, an action's roll, and the pause between an
    /// action's reads of what it waits for. The same values are copied into every environment.
    public var timeouts: Timeouts = Timeouts()
    public var environments: [EnvironmentConfig]

    public func environment(named name: String) -> EnvironmentConfig? {
        environments.first { $0.name == name }
    }
}

/// `timeouts:` in the config file. The defaults suit real AWS and Kafka; the tests' config sets
/// them short so that a black-holed source or a roll costs the tests seconds, not minutes.
public struct Timeouts: Sendable, Hashable {
    /// `source`: each source of each poll (ECS, SSM, Kafka, ...), per environment.
    public var source = ConfigDuration(milliseconds: 10_000)
    /// `action`: the default of an action's `--timeout`, and the console's actions: how long a
    /// roll may take to complete before the action stops.
    public var action = ConfigDuration(milliseconds: 300_000)
    /// `action_poll`: the pause between an action's reads of a deployment, a certificate request
    /// or an endpoint it waits for.
    public var actionPoll = ConfigDuration(milliseconds: 1000)

    public init() {}
}

public struct EnvironmentConfig: Sendable {
    public var name: String
    /// The config's `timeouts` (top level), copied here for the pollers and actions.
    public var timeouts: Timeouts = Timeouts()
    public var protected: Bool
    public var readOnly: Bool
    public var aws: AWSConfig
    public var ecs: ECSConfig?
    public var autoscaling: AutoScalingConfig?
    public var kafka: KafkaConfig?
    public var certificates: CertificatesConfig?
    public var endpoints: [EndpointConfig]
    public var secrets: [SecretConfig]
}

public struct AWSConfig: Sendable {
    public var region: String
    public var profile: String?
    public var roleARN: ARN?
    /// One endpoint for every AWS service (a proxy or a local moto), or nil for AWS's own.
    public var endpoint: URL?
}

public struct ECSConfig: Sendable {
    public var cluster: String
    /// The services to watch; nil means all services of the cluster.
    public var services: [String]?
    /// Which Kafka broker id each service runs.
    public var brokers: [String: Int]
}

public struct AutoScalingConfig: Sendable {
    public var groups: [String]
}

public struct KafkaConfig: Sendable {
    public var bootstrap: [Address]
    public var tls: TLSConfig?
    public var sasl: SASLConfig?
    public var lag: LagConfig
}

public struct TLSConfig: Sendable {
    /// Absolute path of the trust anchors' PEM file.
    public var caFile: String?
    public var caPCA: ARN?
    public var clientCertSSM: String?
    public var clientKeySSM: String?
}

public enum SASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"
}

public struct SASLConfig: Sendable {
    public var mechanism: SASLMechanism
    public var username: String
    public var passwordSSM: String
}

public struct LagConfig: Sendable {
    /// Group id patterns; `*` matches any run of characters.
    public var groups: [String] = ["*"]
    public var warn: Int?
    public var crit: Int?
    public var warnSeconds: Int?
    public var critSeconds: Int?
    /// How many polls the group status is judged over.
    public var window: Int = 10
    public var minSamples: Int = 3
    public var allowance: Int = 0

    public init() {}
}

public struct CertificatesConfig: Sendable {
    public var warnDays: Int = 30
    public var critDays: Int = 7
    public var pca: ARN?
    public var tracked: [TrackedCertificateConfig] = []

    public init() {}
}

public struct TrackedCertificateConfig: Sendable {
    public var name: String
    public var commonName: String
    public var sans: [String]
    public var certSSM: String
    public var keySSM: String
    public var restart: [String]
}

public struct EndpointConfig: Sendable {
    public var name: String
    public var address: Address
    public var tls: Bool
    public var kafka: Bool
    public var route53HealthCheck: String?
    public var timeout: ConfigDuration
    public var warnMs: Int?
}

public struct SecretConfig: Sendable {
    public var name: String
    public var ssm: String
    public var restart: [String]
    public var generate: GenerateConfig
}

public struct GenerateConfig: Sendable {
    public enum Alphabet: String, Sendable, CaseIterable {
        case alnum, hex, base64url, printable
    }

    public var length: Int = 32
    public var alphabet: Alphabet = .alnum

    public init() {}
}

import Foundation
import LookoutConfig

/// One environment, judged: what `snapshot`, `check` and the console show.
public struct EnvironmentSnapshot: Sendable {
    public var name: String
    public var protected: Bool
    public var readOnly: Bool
    public var status: Status
    public var sources: [SourceState]
    /// Every problem found, worst first.
    public var findings: [Finding]
    public var ecs: JudgedECS?
    public var autoscaling: AutoScalingObservation?
    public var secrets: [JudgedSecret]?
    public var certificates: [JudgedCertificate]?
    public var healthChecks: [JudgedHealthCheck]?
    public var kafka: KafkaObservation?
    /// The watched consumer groups, judged; nil when they could not be read (or no Kafka is configured).
    public var groups: [JudgedGroup]?
    public var endpoints: [JudgedEndpoint]?
    /// The thresholds the groups were judged against, for perfdata.
    public var lagConfig: LagConfig?

    /// The worst problem in words, for a one-line summary.
    public var headline: String? {
        findings.first.map { "\($0.source) \($0.object): \($0.message)" }
    }
}

public struct JudgedECS: Sendable {
    public var observation: ECSObservation
    public var serviceStatus: [String: Status]
}

public struct JudgedSecret: Sendable {
    public var observation: SecretObservation
    public var ageDays: Int
    /// Nil when the tasks' start times cannot be known (ECS unknown, no running task).
    public var rollPending: Bool?
    public var status: Status
}

public struct JudgedCertificate: Sendable {
    public var observation: CertificateObservation
    public var daysLeft: Int
    public var rollPending: Bool?
    public var status: Status
}

public struct JudgedEndpoint: Sendable {
    public var observation: EndpointObservation
    /// The Route53 health check that names this endpoint, when there is one.
    public var route53: JudgedHealthCheck?
    public var status: Status
}

public struct JudgedHealthCheck: Sendable {
    public var observation: HealthCheckObservation
    public var status: Status
}

/// The whole poll: every environment at one moment.
public struct Snapshot: Sendable {
    public var generatedAt: Date
    public var environments: [EnvironmentSnapshot]

    public init(generatedAt: Date, environments: [EnvironmentSnapshot]) {
        self.generatedAt = generatedAt
        self.environments = environments
    }

    public var status: Status { Status.worst(environments.map(\.status)) }
}

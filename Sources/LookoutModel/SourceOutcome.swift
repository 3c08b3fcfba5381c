import Foundation

/// What one source of one environment gave at its latest poll: its value (possibly from an earlier,
/// good poll), how long the poll took, and the error if the latest poll failed.
public struct SourceOutcome<Value: Sendable>: Sendable {
    public var name: String
    /// The latest good value; after a failure, the one before it (stale), or nil.
    public var value: Value?
    /// When `value` was fetched.
    public var fetchedAt: Date?
    /// How long the latest poll took, failed or not.
    public var durationMs: Int
    /// Why the latest poll failed; nil when it succeeded.
    public var error: String?
    /// Since when this source has been failing.
    public var errorSince: Date?

    public init(name: String, value: Value?, fetchedAt: Date?, durationMs: Int, error: String? = nil, errorSince: Date? = nil) {
        self.name = name
        self.value = value
        self.fetchedAt = fetchedAt
        self.durationMs = durationMs
        self.error = error
        self.errorSince = errorSince
    }

    public static func failed(_ name: String, error: String, at time: Date, durationMs: Int) -> SourceOutcome {
        SourceOutcome(name: name, value: nil, fetchedAt: nil, durationMs: durationMs, error: error, errorSince: time)
    }

    /// The next outcome after a new poll: a failure keeps the last good value and the first failure's time.
    public func updated(with next: SourceOutcome) -> SourceOutcome {
        guard next.error != nil else { return next }
        var result = next
        result.value = value
        result.fetchedAt = fetchedAt
        result.errorSince = error != nil ? (errorSince ?? next.errorSince) : next.errorSince
        return result
    }
}

/// The state of one source as the snapshot reports it.
public struct SourceState: Sendable, Equatable {
    public var name: String
    public var status: Status
    public var fetchedAt: Date?
    public var ageSeconds: Int?
    public var durationMs: Int
    public var error: String?
    public var errorSince: Date?
}

/// Everything the sources of one environment gave; a nil outcome is a source not configured,
/// which the snapshot leaves out.
public struct EnvironmentObservations: Sendable {
    public var ecs: SourceOutcome<ECSObservation>?
    public var autoscaling: SourceOutcome<AutoScalingObservation>?
    public var secrets: SourceOutcome<[SecretObservation]>?
    public var certificates: SourceOutcome<[CertificateObservation]>?
    public var route53: SourceOutcome<[HealthCheckObservation]>?
    public var kafka: SourceOutcome<KafkaObservation>?
    /// Consumer groups and their offsets: a source of its own, so that failing group reads leave the metadata standing.
    public var groups: SourceOutcome<GroupsObservation>?
    public var endpoints: SourceOutcome<[EndpointObservation]>?

    public init(ecs: SourceOutcome<ECSObservation>? = nil, autoscaling: SourceOutcome<AutoScalingObservation>? = nil,
                secrets: SourceOutcome<[SecretObservation]>? = nil, certificates: SourceOutcome<[CertificateObservation]>? = nil,
                route53: SourceOutcome<[HealthCheckObservation]>? = nil, kafka: SourceOutcome<KafkaObservation>? = nil,
                groups: SourceOutcome<GroupsObservation>? = nil, endpoints: SourceOutcome<[EndpointObservation]>? = nil) {
        self.ecs = ecs
        self.autoscaling = autoscaling
        self.secrets = secrets
        self.certificates = certificates
        self.route53 = route53
        self.kafka = kafka
        self.groups = groups
        self.endpoints = endpoints
    }
}

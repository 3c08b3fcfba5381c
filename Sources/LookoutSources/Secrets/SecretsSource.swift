import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let secrets = SourceID("secrets")
}

/// The configured secrets' SSM metadata (never their values), and whether a roll is pending.
public enum SecretsSource: Source {
    public static let id = SourceID.secrets
    public static let configKey = "secrets"
    public static let placement = OutputPlacement(json: 6, table: 2, metrics: 3, perfdata: nil, overview: 6, environmentView: 7)
    public static let console = ConsoleEntry(column: "SECRETS", label: "SSM secrets", view: "secrets")

    public static func input(_ config: EnvironmentConfig) -> [SecretConfig]? { config.secrets.isEmpty ? nil : config.secrets }

    public static func fetch(_ input: [SecretConfig], _ context: FetchContext) async throws -> [SecretObservation] {
        try await SecretsFetch(client: context.aws, secrets: input).fetch()
    }

    /// Reads the ECS tasks' start times, judged before it.
    public static func judge(_ observed: [SecretObservation], _ judging: inout Judging) -> [Finding] {
        let ecs = judging.observations.ecs?.value
        let config = judging.config
        let now = judging.now
        let judged = observed.map { secret in
            let restart = config.secrets.first { $0.name == secret.name }?.restart ?? []
            let pending = Evaluator.rollPending(changedAt: secret.lastModified, restart: restart, ecs: ecs)
            return JudgedSecret(observation: secret, ageDays: Evaluator.days(from: secret.lastModified, to: now),
                                rollPending: pending, status: pending == true ? .warn : .ok)
        }
        judging.snapshot.secrets = judged
        return judged.filter { $0.rollPending == true }.map {
            Finding(status: .warn, source: id.rawValue, object: $0.observation.name,
                    message: "changed at \(rfc3339($0.observation.lastModified)) (version \($0.observation.version)) after its services' tasks started: a roll is pending")
        }
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("secrets", environment.secrets.map { .array($0.map(\.json)) } ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let secrets = environment.secrets else { return "" }
        return Snapshot.format(rows: [["SECRET", "SSM", "VERSION", "AGE", "ROLL PENDING"]] + secrets.map { secret in
            [secret.observation.name, secret.observation.ssm, "\(secret.observation.version)", "\(secret.ageDays)d",
             secret.rollPending.map { $0 ? "yes" : "no" } ?? "unknown"]
        })
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        let secrets = snapshot.environments.flatMap { e in (e.secrets ?? []).map { (e.name, $0) } }
        return [
            MetricFamily("lookout_secret_age_seconds", "Time since a secret last changed in SSM.",
                         secrets.map { e, s in ([("environment", e), ("secret", s.observation.name)], max(0, snapshot.generatedAt.timeIntervalSince(s.observation.lastModified)).rounded()) }),
            MetricFamily("lookout_secret_version", "The SSM version of a secret.",
                         secrets.map { e, s in ([("environment", e), ("secret", s.observation.name)], Double(s.observation.version)) }),
            MetricFamily("lookout_secret_roll_pending", "1 when a secret changed after its services' tasks started (absent when unknown).",
                         secrets.compactMap { e, s in s.rollPending.map { ([("environment", e), ("secret", s.observation.name)], $0 ? 1 : 0) } }),
        ]
    }
}

public struct JudgedSecret: Sendable {
    public var observation: SecretObservation
    public var ageDays: Int
    /// Nil when the tasks' start times cannot be known (ECS unknown, no running task).
    public var rollPending: Bool?
    public var status: Status
}

extension EnvironmentObservations {
    public var secrets: SourceOutcome<[SecretObservation]>? {
        get { self[.secrets, as: [SecretObservation].self] }
        set { self[.secrets, as: [SecretObservation].self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var secrets: [JudgedSecret]? {
        get { self[part: "secrets", as: [JudgedSecret].self] }
        set { self[part: "secrets", as: [JudgedSecret].self] = newValue }
    }
}

extension JudgedSecret {
    var json: JSONValue {
        .object([
            ("name", .string(observation.name)),
            ("ssm", .string(observation.ssm)),
            ("version", .int(observation.version)),
            ("last_modified", .date(observation.lastModified)),
            ("age_days", .int(ageDays)),
            ("roll_pending", rollPending.map { .bool($0) } ?? .null),
            ("status", .string(status.rawValue)),
        ])
    }
}

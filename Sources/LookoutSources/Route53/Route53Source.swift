import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let route53 = SourceID("route53")
}

/// The Route53 health checks the endpoints name: healthy when more than half the checkers say so.
public enum Route53Source: Source {
    public static let id = SourceID.route53
    public static let configKey = "endpoints[].route53_health_check"
    public static let placement = OutputPlacement(json: 3, table: 4, metrics: nil, perfdata: nil, overview: nil, environmentView: 5)
    public static let console = ConsoleEntry(column: nil, label: "Route53 health checks", view: "endpoints")

    public static func input(_ config: EnvironmentConfig) -> [EndpointConfig]? {
        let checked = config.endpoints.filter { $0.route53HealthCheck != nil }
        return checked.isEmpty ? nil : checked
    }

    public static func fetch(_ input: [EndpointConfig], _ context: FetchContext) async throws -> [HealthCheckObservation] {
        try await Route53Fetch(client: context.aws, endpoints: input).fetch()
    }

    public static func judge(_ observed: [HealthCheckObservation], _ judging: inout Judging) -> [Finding] {
        let judged = observed.map { check in
            let healthy = check.totalObservations > 0 && check.healthyObservations * 2 > check.totalObservations
            return JudgedHealthCheck(observation: check, status: check.totalObservations == 0 ? .unknown : (healthy ? .ok : .crit))
        }
        judging.snapshot.healthChecks = judged
        return judged.filter { $0.status != .ok }.map {
            Finding(status: $0.status, source: id.rawValue, object: $0.observation.endpoint,
                    message: "health check \($0.observation.id): \($0.observation.healthyObservations) of \($0.observation.totalObservations) checkers see it healthy")
        }
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("health_checks", environment.healthChecks.map { .array($0.map(\.json)) } ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let checks = environment.healthChecks else { return "" }
        return Snapshot.format(rows: [["HEALTH CHECK", "ENDPOINT", "STATUS", "HEALTHY"]] + checks.map { check in
            [check.observation.id, check.observation.endpoint, check.status.rawValue,
             "\(check.observation.healthyObservations)/\(check.observation.totalObservations)"]
        })
    }
}

public struct JudgedHealthCheck: Sendable {
    public var observation: HealthCheckObservation
    public var status: Status
}

extension EnvironmentObservations {
    public var route53: SourceOutcome<[HealthCheckObservation]>? {
        get { self[.route53, as: [HealthCheckObservation].self] }
        set { self[.route53, as: [HealthCheckObservation].self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var healthChecks: [JudgedHealthCheck]? {
        get { self[part: "route53", as: [JudgedHealthCheck].self] }
        set { self[part: "route53", as: [JudgedHealthCheck].self] = newValue }
    }
}

extension JudgedHealthCheck {
    var json: JSONValue {
        .object([
            ("id", .string(observation.id)),
            ("endpoint", .string(observation.endpoint)),
            ("status", .string(status.rawValue)),
            ("healthy_observations", .int(observation.healthyObservations)),
            ("total_observations", .int(observation.totalObservations)),
        ])
    }
}

import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let endpoints = SourceID("endpoints")
}

/// What a client meets at each endpoint, phase by phase (DNS, TCP, TLS, a Kafka round trip), and
/// the certificate it serves. Judged after the certificates and the health checks, which it uses.
public enum EndpointsSource: Source {
    public static let id = SourceID.endpoints
    public static let configKey = "endpoints"
    public static let placement = OutputPlacement(json: 4, table: nil, metrics: 6, perfdata: 0, overview: 5, environmentView: 6)
    public static let console = ConsoleEntry(column: "ENDPTS", label: "endpoint probes", view: "endpoints")

    public static func input(_ config: EnvironmentConfig) -> [EndpointConfig]? { config.endpoints.isEmpty ? nil : config.endpoints }

    public static func fetch(_ input: [EndpointConfig], _ context: FetchContext) async throws -> [EndpointObservation] {
        try await EndpointsFetch(client: context.aws, environment: context.config).fetch()
    }

    public static func judge(_ observed: [EndpointObservation], _ judging: inout Judging) -> [Finding] {
        var found: [Finding] = []
        let now = judging.now
        let thresholds = judging.config.certificates ?? CertificatesConfig()
        let trackedSerials = (judging.observations.certificates?.value ?? []).filter { $0.source == .tracked }.map(\.serial)
        let healthChecks = judging.snapshot.healthChecks
        var served: [JudgedCertificate] = []
        judging.snapshot.endpoints = observed.map { endpoint in
            var status = Status.ok
            func add(_ s: Status, _ message: String) {
                status = max(status, s)
                found.append(Finding(status: s, source: id.rawValue, object: endpoint.name, message: message))
            }
            for (phase, result) in [("dns", endpoint.dns), ("tcp", endpoint.tcp), ("tls", endpoint.tls), ("kafka", endpoint.kafka)] where result.outcome == .failed {
                add(.crit, "\(phase) failed at \(endpoint.address): \(result.error ?? "no detail")")
            }
            if endpoint.kafka.outcome == .ok, let warn = endpoint.warnMs, let took = endpoint.kafka.durationMs, took > warn {
                add(.warn, "Kafka round trip took \(took) ms, above warn_ms \(warn)")
            }
            if let certificate = endpoint.served {
                var certificateStatus = Status.ok
                func flag(_ s: Status, _ message: String) {
                    certificateStatus = max(certificateStatus, s)
                    status = max(status, s)
                    found.append(Finding(status: s, source: CertificatesSource.id.rawValue, object: "served \(endpoint.name)", message: message))
                }
                let left = Evaluator.days(from: now, to: certificate.notAfter)
                if certificate.notAfter <= now {
                    flag(.crit, "the served certificate expired at \(rfc3339(certificate.notAfter))")
                } else if left <= thresholds.critDays {
                    flag(.crit, "the served certificate expires in \(left) days, at or below crit_days \(thresholds.critDays)")
                } else if left <= thresholds.warnDays {
                    flag(.warn, "the served certificate expires in \(left) days, at or below warn_days \(thresholds.warnDays)")
                }
                if certificate.chainsToAnchors == false {
                    flag(.crit, "the served chain does not lead to the environment's trust anchors (issuer \(certificate.issuer))")
                }
                if !certificate.nameMatches {
                    flag(.crit, "the served certificate's names (\(certificate.sans.joined(separator: ", "))) do not cover \(endpoint.address)")
                }
                if !trackedSerials.isEmpty, !trackedSerials.contains(certificate.serial) {
                    flag(.warn, "serves serial \(certificate.serial), but SSM holds \(trackedSerials.joined(separator: ", ")): a roll is pending or did not finish")
                }
                served.append(JudgedCertificate(
                    observation: CertificateObservation(name: endpoint.name, source: .served, subject: certificate.subject, serial: certificate.serial,
                                                        notBefore: nil, notAfter: certificate.notAfter, chainsToCA: certificate.chainsToAnchors,
                                                        caStatus: nil, location: endpoint.address),
                    daysLeft: left, rollPending: nil, status: certificateStatus))
            }
            let check = healthChecks?.first { $0.observation.endpoint == endpoint.name }
            return JudgedEndpoint(observation: endpoint, route53: check, status: status)
        }
        // The served certificates are listed with the others.
        if !served.isEmpty { judging.snapshot.certificates = (judging.snapshot.certificates ?? []) + served }
        return found
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("endpoints", environment.endpoints.map { .array($0.map(\.json)) } ?? .null)]
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        let endpoints = snapshot.environments.flatMap { e in (e.endpoints ?? []).map { (e.name, $0) } }
        return [
            MetricFamily("lookout_endpoint_status", "Status of an endpoint: 0 ok, 1 warn, 2 crit, 3 unknown.",
                         endpoints.map { e, endpoint in ([("environment", e), ("endpoint", endpoint.observation.name)], Double(endpoint.status.nagiosCode)) }),
            MetricFamily("lookout_endpoint_phase_seconds", "How long one phase of an endpoint probe took (phases that ran).",
                         endpoints.flatMap { e, endpoint in
                             [("dns", endpoint.observation.dns), ("tcp", endpoint.observation.tcp), ("tls", endpoint.observation.tls), ("kafka", endpoint.observation.kafka)]
                                 .compactMap { phase, result in result.durationMs.map { ([("environment", e), ("endpoint", endpoint.observation.name), ("phase", phase)], Double($0) / 1000) } }
                         }),
        ]
    }

    public static func perfdata(_ environment: EnvironmentSnapshot) -> [String] {
        (environment.endpoints ?? []).compactMap { endpoint in
            endpoint.observation.latencyMs.map {
                "'\(environment.name)_\(endpoint.observation.name)_latency'=\($0)ms;\(endpoint.observation.warnMs.map(String.init) ?? "");;0;"
            }
        }
    }
}

public struct JudgedEndpoint: Sendable {
    public var observation: EndpointObservation
    /// The Route53 health check that names this endpoint, when there is one.
    public var route53: JudgedHealthCheck?
    public var status: Status
}

extension EnvironmentObservations {
    public var endpoints: SourceOutcome<[EndpointObservation]>? {
        get { self[.endpoints, as: [EndpointObservation].self] }
        set { self[.endpoints, as: [EndpointObservation].self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var endpoints: [JudgedEndpoint]? {
        get { self[part: "endpoints", as: [JudgedEndpoint].self] }
        set { self[part: "endpoints", as: [JudgedEndpoint].self] = newValue }
    }
}

extension JudgedEndpoint {
    var json: JSONValue {
        func phase(_ result: PhaseResult) -> JSONValue {
            .object([("status", .string(result.outcome.rawValue)), ("duration_ms", .optional(result.durationMs)), ("error", .optional(result.error))])
        }
        let route53Phase: JSONValue = route53.map { check in
            .object([("status", .string(check.status == .ok ? "ok" : "failed")), ("duration_ms", .null),
                     ("error", check.status == .ok ? .null : .string("\(check.observation.healthyObservations) of \(check.observation.totalObservations) checkers see it healthy"))])
        } ?? phase(PhaseResult(.off))
        return .object([
            ("name", .string(observation.name)),
            ("address", .string(observation.address)),
            ("status", .string(status.rawValue)),
            ("latency_ms", .optional(observation.latencyMs)),
            ("served_serial", .optional(observation.served?.serial)),
            ("resolved", .array(observation.resolved.map { .string($0) })),
            ("tls_version", .optional(observation.tlsVersion)),
            ("checks", .object([
                ("dns", phase(observation.dns)), ("tcp", phase(observation.tcp)), ("tls", phase(observation.tls)),
                ("kafka", phase(observation.kafka)), ("route53", route53Phase),
            ])),
        ])
    }
}

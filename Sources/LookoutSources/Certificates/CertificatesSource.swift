import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let certificates = SourceID("certificates")
}

/// The Private CA and the tracked certificates in SSM: expiry, chain, and whether a roll is pending.
/// (The certificates the endpoints serve are judged by the endpoints and listed beside these.)
public enum CertificatesSource: Source {
    public static let id = SourceID.certificates
    public static let configKey = "certificates"
    public static let placement = OutputPlacement(json: 2, table: 3, metrics: 2, perfdata: 2, overview: 4, environmentView: 4)
    public static let console = ConsoleEntry(column: "CERTS", label: "certificates", view: "certs")

    public static func input(_ config: EnvironmentConfig) -> CertificatesConfig? { config.certificates }

    public static func fetch(_ input: CertificatesConfig, _ context: FetchContext) async throws -> [CertificateObservation] {
        var fetch = CertificatesFetch(client: context.aws, config: input, caFile: context.config.kafka?.tls?.caFile, memory: context.memory)
        if let kafka = context.config.kafka, kafka.tls != nil { fetch.bootstrap = kafka.bootstrap }
        return try await fetch.fetch()
    }

    /// Reads the ECS tasks' start times, judged before it.
    public static func judge(_ observed: [CertificateObservation], _ judging: inout Judging) -> [Finding] {
        var found: [Finding] = []
        let config = judging.config
        let now = judging.now
        let ecs = judging.observations.ecs?.value
        let thresholds = config.certificates ?? CertificatesConfig()
        judging.snapshot.certificates = observed.map { certificate in
            let left = Evaluator.days(from: now, to: certificate.notAfter)
            var status = Status.ok
            func add(_ s: Status, _ message: String) {
                status = max(status, s)
                found.append(Finding(status: s, source: id.rawValue, object: "\(certificate.source.rawValue) \(certificate.name)", message: message))
            }
            if certificate.notAfter <= now {
                add(.crit, "expired at \(rfc3339(certificate.notAfter))")
            } else if left <= thresholds.critDays {
                add(.crit, "expires in \(left) days (\(rfc3339(certificate.notAfter))), at or below crit_days \(thresholds.critDays)")
            } else if left <= thresholds.warnDays {
                add(.warn, "expires in \(left) days (\(rfc3339(certificate.notAfter))), at or below warn_days \(thresholds.warnDays)")
            }
            if certificate.chainsToCA == false {
                add(.crit, "its chain does not lead to the environment's CA")
            }
            if let caStatus = certificate.caStatus, caStatus != "ACTIVE" {
                add(.crit, "the Private CA is \(caStatus), not ACTIVE")
            }
            var pending: Bool?
            if certificate.source == .tracked, let tracked = config.certificates?.tracked.first(where: { $0.name == certificate.name }) {
                if let servedAt = Self.served(for: tracked, in: judging) {
                    // What is served decides: every TLS address was read.
                    let stale = servedAt.filter { $0.serial != certificate.serial }
                    pending = !stale.isEmpty
                    if !stale.isEmpty {
                        add(.warn, "\(stale.map { "\($0.address) serves serial \($0.serial)" }.joined(separator: ", ")), not SSM's \(certificate.serial): a roll is pending")
                    }
                } else if let changed = certificate.lastModified {
                    pending = Evaluator.rollPending(changedAt: changed, restart: tracked.restart, ecs: ecs)
                    if pending == true { add(.warn, "changed in SSM after its services' tasks started: a roll is pending") }
                }
            }
            return JudgedCertificate(observation: certificate, daysLeft: left, rollPending: pending, status: status)
        }
        return found
    }

    /// What every TLS address of the environment serves for `tracked` (PRODUCT.md's `roll_pending`):
    /// the Kafka bootstrap addresses when Kafka is TLS, and every `tls: true` endpoint; nil when
    /// there is none, or when any was not read in this poll (the time rule then stands). With
    /// several tracked certificates, an address is the one's whose common name it serves.
    static func served(for tracked: TrackedCertificateConfig, in judging: Judging) -> [(address: String, serial: String)]? {
        let config = judging.config
        var addresses: [String] = []
        if let kafka = config.kafka, kafka.tls != nil { addresses += kafka.bootstrap.map { "\($0.host):\($0.port)" } }
        addresses += config.endpoints.filter(\.tls).map(\.address.description)
        guard !addresses.isEmpty else { return nil }
        var read: [String: (serial: String, names: String)] = [:]
        // Read in this poll only: a source that failed keeps its last good answer, which may be old.
        let certificatesRead = judging.observations.certificates?.error == nil ? judging.observations.certificates?.value ?? [] : []
        for certificate in certificatesRead where certificate.source == .served {
            read[certificate.location] = (certificate.serial, certificate.subject)
        }
        for endpoint in judging.observations.endpoints?.value ?? [] {
            guard judging.observations.endpoints?.error == nil, let served = endpoint.served else { continue }
            read[endpoint.address] = (served.serial, served.subject + " " + served.sans.joined(separator: " "))
        }
        guard addresses.allSatisfy({ read[$0] != nil }) else { return nil }
        let several = (config.certificates?.tracked.count ?? 0) > 1
        let mine = addresses.filter { address in
            !several || read[address]!.names.contains(tracked.commonName)
        }
        guard !mine.isEmpty else { return nil }
        return mine.map { ($0, read[$0]!.serial) }
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("certificates", environment.certificates.map { .array($0.map(\.json)) } ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let certificates = environment.certificates else { return "" }
        return Snapshot.format(rows: [["CERTIFICATE", "SOURCE", "STATUS", "DAYS LEFT", "NOT AFTER", "SERIAL", "SUBJECT"]] + certificates.map { certificate in
            [certificate.observation.name, certificate.observation.source.rawValue, certificate.status.rawValue, "\(certificate.daysLeft)",
             rfc3339(certificate.observation.notAfter), certificate.observation.serial, certificate.observation.subject]
        })
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        let certificates = snapshot.environments.flatMap { e in (e.certificates ?? []).map { (e.name, $0) } }
        func labels(_ e: String, _ c: JudgedCertificate) -> [(String, String)] {
            [("environment", e), ("name", c.observation.name), ("source", c.observation.source.rawValue)]
        }
        return [
            MetricFamily("lookout_certificate_not_after_timestamp_seconds", "When a certificate expires, as a Unix time.",
                         certificates.map { e, c in (labels(e, c), c.observation.notAfter.timeIntervalSince1970) }),
            MetricFamily("lookout_certificate_status", "Status of a certificate: 0 ok, 1 warn, 2 crit, 3 unknown.",
                         certificates.map { e, c in (labels(e, c), Double(c.status.nagiosCode)) }),
        ]
    }

    public static func perfdata(_ environment: EnvironmentSnapshot) -> [String] {
        guard let nearest = environment.certificates?.map(\.daysLeft).min() else { return [] }
        return ["'\(environment.name)_cert_days_left'=\(nearest);;;;"]
    }
}

public struct JudgedCertificate: Sendable {
    public var observation: CertificateObservation
    public var daysLeft: Int
    public var rollPending: Bool?
    public var status: Status
}

extension EnvironmentObservations {
    public var certificates: SourceOutcome<[CertificateObservation]>? {
        get { self[.certificates, as: [CertificateObservation].self] }
        set { self[.certificates, as: [CertificateObservation].self] = newValue }
    }
}

extension EnvironmentSnapshot {
    /// The CA, the tracked certificates, and the ones the endpoints serve.
    public var certificates: [JudgedCertificate]? {
        get { self[part: "certificates", as: [JudgedCertificate].self] }
        set { self[part: "certificates", as: [JudgedCertificate].self] = newValue }
    }
}

extension JudgedCertificate {
    var json: JSONValue {
        .object([
            ("name", .string(observation.name)),
            ("source", .string(observation.source.rawValue)),
            ("subject", .string(observation.subject)),
            ("serial", .string(observation.serial)),
            ("not_after", .date(observation.notAfter)),
            ("days_left", .int(daysLeft)),
            ("status", .string(status.rawValue)),
            ("chains_to_ca", observation.chainsToCA.map { .bool($0) } ?? .null),
            ("location", .string(observation.location)),
            ("roll_pending", rollPending.map { .bool($0) } ?? .null),
        ])
    }
}

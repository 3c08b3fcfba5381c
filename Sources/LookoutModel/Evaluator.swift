import Foundation
import LookoutConfig

/// The one judge of what the sources saw, shared by the console, `snapshot` and `check`.
/// Pure: the same observations, config and time give the same verdict.
public enum Evaluator {
    public static func evaluate(_ observations: EnvironmentObservations, config: EnvironmentConfig, now: Date) -> EnvironmentSnapshot {
        var findings: [Finding] = []
        var sources: [SourceState] = []

        func record<V>(_ outcome: SourceOutcome<V>?, _ judge: (V) -> [Finding]) {
            guard let outcome else { return }
            var status = Status.ok
            if let value = outcome.value {
                let found = judge(value)
                findings += found
                status = Status.worst(found.map(\.status))
            }
            if let error = outcome.error {
                status = .unknown
                var message = error
                if let fetchedAt = outcome.fetchedAt {
                    message += "; showing data from \(Int(now.timeIntervalSince(fetchedAt)))s ago"
                }
                findings.append(Finding(status: .unknown, source: outcome.name, object: config.name, message: message))
            } else if outcome.value == nil {
                status = .unknown
            }
            sources.append(SourceState(
                name: outcome.name, status: status, fetchedAt: outcome.fetchedAt,
                ageSeconds: outcome.fetchedAt.map { max(0, Int(now.timeIntervalSince($0))) },
                durationMs: outcome.durationMs, error: outcome.error, errorSince: outcome.errorSince))
        }

        let ecs = observations.ecs?.value
        var judgedECS: JudgedECS?
        record(observations.ecs) { ecs in
            let found = judgeECS(ecs)
            var statuses: [String: Status] = [:]
            for service in ecs.services {
                statuses[service.name] = Status.worst(found.filter { $0.object == service.name }.map(\.status))
            }
            judgedECS = JudgedECS(observation: ecs, serviceStatus: statuses)
            return found
        }
        record(observations.autoscaling) { judgeAutoScaling($0) }

        var secrets: [JudgedSecret]?
        record(observations.secrets) { observed in
            let judged = observed.map { secret in
                let restart = config.secrets.first { $0.name == secret.name }?.restart ?? []
                let pending = rollPending(changedAt: secret.lastModified, restart: restart, ecs: ecs)
                return JudgedSecret(observation: secret, ageDays: days(from: secret.lastModified, to: now),
                                    rollPending: pending, status: pending == true ? .warn : .ok)
            }
            secrets = judged
            return judged.filter { $0.rollPending == true }.map {
                Finding(status: .warn, source: "secrets", object: $0.observation.name,
                        message: "changed at \(rfc3339($0.observation.lastModified)) (version \($0.observation.version)) after its services' tasks started: a roll is pending")
            }
        }

        var certificates: [JudgedCertificate]?
        record(observations.certificates) { observed in
            var found: [Finding] = []
            let thresholds = config.certificates ?? CertificatesConfig()
            certificates = observed.map { certificate in
                let left = days(from: now, to: certificate.notAfter)
                var status = Status.ok
                func add(_ s: Status, _ message: String) {
                    status = max(status, s)
                    found.append(Finding(status: s, source: "certificates", object: "\(certificate.source.rawValue) \(certificate.name)", message: message))
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
                if certificate.source == .tracked, let changed = certificate.lastModified {
                    let restart = config.certificates?.tracked.first { $0.name == certificate.name }?.restart ?? []
                    pending = rollPending(changedAt: changed, restart: restart, ecs: ecs)
                    if pending == true { add(.warn, "changed in SSM after its services' tasks started: a roll is pending") }
                }
                return JudgedCertificate(observation: certificate, daysLeft: left, rollPending: pending, status: status)
            }
            return found
        }

        var healthChecks: [JudgedHealthCheck]?
        record(observations.route53) { observed in
            let judged = observed.map { check in
                let healthy = check.totalObservations > 0 && check.healthyObservations * 2 > check.totalObservations
                return JudgedHealthCheck(observation: check, status: check.totalObservations == 0 ? .unknown : (healthy ? .ok : .crit))
            }
            healthChecks = judged
            return judged.filter { $0.status != .ok }.map {
                Finding(status: $0.status, source: "route53", object: $0.observation.endpoint,
                        message: "health check \($0.observation.id): \($0.observation.healthyObservations) of \($0.observation.totalObservations) checkers see it healthy")
            }
        }

        record(observations.kafka) { judgeKafka($0) }

        var groups: [JudgedGroup]?
        record(observations.groups) { observed in
            let judged = GroupEvaluator.judge(observed, config: config.kafka?.lag ?? LagConfig())
            groups = judged
            return GroupEvaluator.findings(judged)
        }

        var endpoints: [JudgedEndpoint]?
        record(observations.endpoints) { observed in
            var found: [Finding] = []
            let thresholds = config.certificates ?? CertificatesConfig()
            let trackedSerials = (observations.certificates?.value ?? []).filter { $0.source == .tracked }.map(\.serial)
            var served: [JudgedCertificate] = []
            endpoints = observed.map { endpoint in
                var status = Status.ok
                func add(_ s: Status, _ message: String) {
                    status = max(status, s)
                    found.append(Finding(status: s, source: "endpoints", object: endpoint.name, message: message))
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
                        found.append(Finding(status: s, source: "certificates", object: "served \(endpoint.name)", message: message))
                    }
                    let left = days(from: now, to: certificate.notAfter)
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
            if !served.isEmpty { certificates = (certificates ?? []) + served }
            return found
        }

        findings.sort { $0.status > $1.status }
        return EnvironmentSnapshot(
            name: config.name, protected: config.protected, readOnly: config.readOnly,
            status: Status.worst(sources.map(\.status)), sources: sources, findings: findings,
            ecs: judgedECS, autoscaling: observations.autoscaling?.value,
            secrets: secrets, certificates: certificates, healthChecks: healthChecks,
            kafka: observations.kafka?.value, groups: groups, endpoints: endpoints, lagConfig: config.kafka?.lag)
    }

    static func judgeECS(_ ecs: ECSObservation) -> [Finding] {
        var found: [Finding] = []
        for service in ecs.services {
            if let problem = service.problem {
                found.append(Finding(status: .unknown, source: "ecs", object: service.name, message: "could not be read: \(problem)"))
                continue
            }
            if service.desired > 0, service.running == 0 {
                found.append(Finding(status: .crit, source: "ecs", object: service.name, message: "no task running (desired \(service.desired))"))
            } else if service.running < service.desired {
                found.append(Finding(status: .warn, source: "ecs", object: service.name, message: "\(service.running) of \(service.desired) tasks running"))
            }
            if service.deployment?.rolloutState == "FAILED" {
                found.append(Finding(status: .crit, source: "ecs", object: service.name, message: "deployment \(service.deployment?.id ?? "") failed"))
            }
            let unhealthy = ecs.tasks.filter { $0.service == service.name && $0.lastStatus == "RUNNING" && $0.health == "UNHEALTHY" }
            if !unhealthy.isEmpty {
                found.append(Finding(status: .warn, source: "ecs", object: service.name, message: "\(unhealthy.count) running task(s) unhealthy"))
            }
        }
        return found
    }

    static func judgeKafka(_ kafka: KafkaObservation) -> [Finding] {
        var found: [Finding] = []
        if let controller = kafka.controller {
            if !kafka.brokers.contains(where: { $0.id == controller }) {
                found.append(Finding(status: .crit, source: "kafka", object: "controller", message: "controller \(controller) is not among the live brokers"))
            }
        } else {
            found.append(Finding(status: .crit, source: "kafka", object: "controller", message: "the cluster reports no controller"))
        }
        for topic in kafka.topics {
            if topic.offline > 0 {
                found.append(Finding(status: .crit, source: "kafka", object: topic.name, message: "\(topic.offline) of \(topic.partitions) partitions offline (no live leader)"))
            }
            if topic.underReplicated > 0 {
                found.append(Finding(status: .warn, source: "kafka", object: topic.name, message: "\(topic.underReplicated) of \(topic.partitions) partitions under-replicated"))
            }
        }
        return found
    }

    static func judgeAutoScaling(_ observation: AutoScalingObservation) -> [Finding] {
        var found: [Finding] = []
        for group in observation.groups {
            if group.desired > 0, group.inService == 0 {
                found.append(Finding(status: .crit, source: "autoscaling", object: group.name, message: "no instance in service (desired \(group.desired))"))
            } else if group.inService < group.desired {
                found.append(Finding(status: .warn, source: "autoscaling", object: group.name, message: "\(group.inService) of \(group.desired) instances in service"))
            }
            for instance in group.instances where instance.health != "Healthy" {
                found.append(Finding(status: .warn, source: "autoscaling", object: group.name, message: "instance \(instance.id) is \(instance.health) (\(instance.lifecycleState))"))
            }
        }
        return found
    }

    /// Whether something changed at `changedAt` after the oldest running task of the services that
    /// read it started; a task without a start time counts from its service's PRIMARY deployment.
    static func rollPending(changedAt: Date, restart: [String], ecs: ECSObservation?) -> Bool? {
        guard !restart.isEmpty, let ecs else { return nil }
        var starts: [Date] = []
        for name in restart {
            let service = ecs.services.first { $0.name == name }
            for task in ecs.tasks where task.service == name && task.lastStatus == "RUNNING" {
                guard let start = task.startedAt ?? service?.deployment?.createdAt else { return nil }
                starts.append(start)
            }
        }
        guard let oldest = starts.min() else { return nil }
        return changedAt > oldest
    }

    /// Whole days from one time to another, rounded down (negative when `to` is earlier).
    /// Dates come from AWS (any number of seconds since 1970): clamped to ±a million years.
    static func days(from: Date, to: Date) -> Int {
        let days = (to.timeIntervalSince(from) / 86_400).rounded(.down)
        guard days.isFinite else { return days > 0 ? 365_000_000 : -365_000_000 }
        return Int(min(max(days, -365_000_000), 365_000_000))
    }
}

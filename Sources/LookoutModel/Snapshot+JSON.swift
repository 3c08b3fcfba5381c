import Foundation

extension Snapshot {
    /// The document of `snapshot --format json`, exactly as `schema/snapshot.schema.json` describes it.
    public var json: JSONValue {
        .object([
            ("generated_at", .date(generatedAt)),
            ("status", .string(status.rawValue)),
            ("environments", .array(environments.map(\.json))),
        ])
    }
}

extension EnvironmentSnapshot {
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("protected", .bool(protected)),
            ("status", .string(status.rawValue)),
            ("errors", .array(sources.compactMap { source in
                guard let error = source.error else { return nil }
                return .object([("source", .string(source.name)), ("message", .string(error)), ("since", .optional(source.errorSince))])
            })),
            ("sources", .array(sources.map { source in
                .object([
                    ("name", .string(source.name)),
                    ("status", .string(source.status.rawValue)),
                    ("fetched_at", .optional(source.fetchedAt)),
                    ("age_seconds", .optional(source.ageSeconds)),
                    ("duration_ms", .int(source.durationMs)),
                ])
            })),
            ("findings", .array(findings.map { finding in
                .object([("status", .string(finding.status.rawValue)), ("source", .string(finding.source)),
                         ("object", .string(finding.object)), ("message", .string(finding.message))])
            })),
        ]
        if sources.contains(where: { $0.name == "ecs" }) { pairs.append(("ecs", ecs?.json ?? .null)) }
        if sources.contains(where: { $0.name == "autoscaling" }) { pairs.append(("autoscaling", autoscaling?.json ?? .null)) }
        if sources.contains(where: { $0.name == "certificates" }) {
            pairs.append(("certificates", certificates.map { .array($0.map(\.json)) } ?? .null))
        }
        if sources.contains(where: { $0.name == "route53" }) {
            pairs.append(("health_checks", healthChecks.map { .array($0.map(\.json)) } ?? .null))
        }
        if sources.contains(where: { $0.name == "endpoints" }) {
            pairs.append(("endpoints", endpoints.map { .array($0.map(\.json)) } ?? .null))
        }
        if sources.contains(where: { $0.name == "kafka" }) {
            let groups: JSONValue? = sources.contains { $0.name == "groups" } ? self.groups.map { .array($0.map(\.json)) } ?? .null : nil
            pairs.append(("kafka", kafka?.json(groups: groups) ?? .null))
        }
        if sources.contains(where: { $0.name == "secrets" }) {
            pairs.append(("secrets", secrets.map { .array($0.map(\.json)) } ?? .null))
        }
        return .object(pairs)
    }
}

extension JudgedECS {
    var json: JSONValue {
        .object([
            ("cluster", .string(observation.cluster)),
            ("services", .array(observation.services.map { service in
                // An unreadable service: its counts null (never a silent zero) and its error.
                let known = service.problem == nil
                return .object([
                    ("name", .string(service.name)),
                    ("status", .string((serviceStatus[service.name] ?? .ok).rawValue)),
                    ("desired", known ? .int(service.desired) : .null),
                    ("running", known ? .int(service.running) : .null),
                    ("pending", known ? .int(service.pending) : .null),
                    ("deployment", service.deployment.map { deployment in
                        .object([("id", .string(deployment.id)), ("rollout_state", .optional(deployment.rolloutState)),
                                 ("created_at", .optional(deployment.createdAt))])
                    } ?? .null),
                ] + (service.problem.map { [("error", .string($0))] } ?? []))
            })),
            ("tasks", .array(observation.tasks.map { task in
                .object([
                    ("arn", .string(task.arn)),
                    ("service", .optional(task.service)),
                    ("last_status", .string(task.lastStatus)),
                    ("health", .optional(task.health)),
                    ("started_at", .optional(task.startedAt)),
                    ("started_by", .optional(task.startedBy)),
                ])
            })),
        ])
    }
}

extension AutoScalingObservation {
    var json: JSONValue {
        .object([("groups", .array(groups.map { group in
            .object([
                ("name", .string(group.name)),
                ("min", .int(group.min)),
                ("max", .int(group.max)),
                ("desired", .int(group.desired)),
                ("in_service", .int(group.inService)),
                ("instances", .array(group.instances.map { instance in
                    .object([("id", .string(instance.id)), ("lifecycle_state", .string(instance.lifecycleState)),
                             ("health", .string(instance.health))])
                })),
            ])
        }))])
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

extension KafkaObservation {
    /// - Parameter groups: the judged groups (null when unknown), or nil to leave the key out.
    func json(groups: JSONValue?) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("cluster_id", .optional(clusterId)),
            ("controller", .optional(controller)),
            ("brokers", .array(brokers.map { .object([("id", .int($0.id)), ("host", .string($0.host)), ("port", .int($0.port))]) })),
            ("topics", .array(topics.map { topic in
                .object([("name", .string(topic.name)), ("partitions", .int(topic.partitions)),
                         ("under_replicated", .int(topic.underReplicated)), ("offline", .int(topic.offline)),
                         ("partition_details", .array(topic.partitionList.map(\.json)))])
            })),
        ]
        if let groups { pairs.append(("groups", groups)) }
        return .object(pairs)
    }
}

extension KafkaObservation.Partition {
    var json: JSONValue {
        .object([
            ("partition", .int(id)), ("leader", .optional(leader)),
            ("replicas", .array(replicas.map { .int($0) })), ("isr", .array(isr.map { .int($0) })),
            ("under_replicated", .bool(underReplicated)), ("offline", .bool(offline)),
        ])
    }
}

extension JudgedGroup {
    var json: JSONValue {
        .object([
            ("id", .string(observation.id)),
            ("state", .optional(observation.state)),
            ("members", .optional(observation.members)),
            ("lag", .optional(lag)),
            ("lag_seconds", .optional(lagSeconds.map(Self.milliseconds))),
            ("status", .string(status.rawValue)),
            ("severity", .string(severity.rawValue)),
            ("samples", .int(samples)),
            ("reason", .string(reason)),
            ("topics", .array(topics.map { topic in
                .object([
                    ("topic", .string(topic.topic)),
                    ("lag", .optional(topic.lag)),
                    ("lag_seconds", .optional(topic.lagSeconds.map(Self.milliseconds))),
                    ("partitions", .array(topic.partitions.map { partition in
                        .object([
                            ("partition", .int(partition.offsets.partition)),
                            ("committed", .optional(partition.offsets.committed)),
                            ("end", .optional(partition.offsets.end)),
                            ("lag", .optional(partition.offsets.lag)),
                            ("lag_seconds", .optional(partition.lagSeconds.map(Self.milliseconds))),
                            ("status", .optional(partition.verdict?.rawValue)),
                        ])
                    })),
                ])
            })),
        ])
    }

    /// Seconds to the millisecond: the samples' times are no finer.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
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

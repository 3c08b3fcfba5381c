import Foundation

extension Snapshot {
    /// The same evaluation in the Prometheus text exposition format (version 0.0.4).
    /// Statuses are numbers: 0 ok, 1 warn, 2 crit, 3 unknown (the Nagios codes).
    public var prometheus: String {
        var families: [MetricFamily] = []
        func family(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            families.append(MetricFamily(name: name, help: help, samples: samples))
        }
        let environments = self.environments
        family("lookout_environment_status", "Worst status of the environment: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.map { ([("environment", $0.name)], Double($0.status.nagiosCode)) })
        family("lookout_source_status", "Status of one source of one environment: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], Double($0.status.nagiosCode)) } })
        family("lookout_source_up", "1 when the source's latest poll succeeded, 0 when it failed.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], $0.error == nil ? 1 : 0) } })
        family("lookout_source_duration_seconds", "How long the source's latest poll took.",
               environments.flatMap { e in e.sources.map { ([("environment", e.name), ("source", $0.name)], Double($0.durationMs) / 1000) } })
        family("lookout_source_age_seconds", "Age of the source's last good data (absent when it never answered).",
               environments.flatMap { e in e.sources.compactMap { s in s.ageSeconds.map { ([("environment", e.name), ("source", s.name)], Double($0)) } } })
        family("lookout_ecs_service_desired_tasks", "Desired tasks of an ECS service.",
               environments.flatMap { e in (e.ecs?.observation.services ?? []).filter { $0.problem == nil }.map { ([("environment", e.name), ("service", $0.name)], Double($0.desired)) } })
        family("lookout_ecs_service_running_tasks", "Running tasks of an ECS service, counted from its tasks.",
               environments.flatMap { e in (e.ecs?.observation.services ?? []).filter { $0.problem == nil }.map { ([("environment", e.name), ("service", $0.name)], Double($0.running)) } })
        family("lookout_autoscaling_in_service_instances", "Instances in service in an Auto Scaling group.",
               environments.flatMap { e in (e.autoscaling?.groups ?? []).map { ([("environment", e.name), ("group", $0.name)], Double($0.inService)) } })
        family("lookout_certificate_not_after_timestamp_seconds", "When a certificate expires, as a Unix time.",
               environments.flatMap { e in (e.certificates ?? []).map { ([("environment", e.name), ("name", $0.observation.name), ("source", $0.observation.source.rawValue)], $0.observation.notAfter.timeIntervalSince1970) } })
        family("lookout_certificate_status", "Status of a certificate: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.flatMap { e in (e.certificates ?? []).map { ([("environment", e.name), ("name", $0.observation.name), ("source", $0.observation.source.rawValue)], Double($0.status.nagiosCode)) } })
        family("lookout_secret_age_seconds", "Time since a secret last changed in SSM.",
               environments.flatMap { e in (e.secrets ?? []).map { ([("environment", e.name), ("secret", $0.observation.name)], max(0, generatedAt.timeIntervalSince($0.observation.lastModified)).rounded()) } })
        family("lookout_secret_version", "The SSM version of a secret.",
               environments.flatMap { e in (e.secrets ?? []).map { ([("environment", e.name), ("secret", $0.observation.name)], Double($0.observation.version)) } })
        family("lookout_secret_roll_pending", "1 when a secret changed after its services' tasks started (absent when unknown).",
               environments.flatMap { e in (e.secrets ?? []).compactMap { s in s.rollPending.map { ([("environment", e.name), ("secret", s.observation.name)], $0 ? 1 : 0) } } })
        family("lookout_kafka_brokers", "Brokers in the cluster's metadata.",
               environments.compactMap { e in e.kafka.map { ([("environment", e.name)], Double($0.brokers.count)) } })
        family("lookout_kafka_under_replicated_partitions", "Partitions with fewer replicas in sync than assigned, per topic.",
               environments.flatMap { e in (e.kafka?.topics ?? []).map { ([("environment", e.name), ("topic", $0.name)], Double($0.underReplicated)) } })
        family("lookout_kafka_offline_partitions", "Partitions without a live leader, per topic.",
               environments.flatMap { e in (e.kafka?.topics ?? []).map { ([("environment", e.name), ("topic", $0.name)], Double($0.offline)) } })
        let groups = environments.flatMap { e in (e.groups ?? []).map { (e.name, $0) } }
        family("lookout_kafka_group_status", "Status of a consumer group: 0 ok, 1 warn, 2 crit, 3 unknown; the label `status` says which rule decided.",
               groups.map { e, g in ([("environment", e), ("group", g.observation.id), ("status", g.status.rawValue)], Double(g.severity.nagiosCode)) })
        family("lookout_kafka_group_members", "Members of a consumer group (absent when unknown).",
               groups.compactMap { e, g in g.observation.members.map { ([("environment", e), ("group", g.observation.id)], Double($0)) } })
        family("lookout_kafka_group_lag", "Lag of a consumer group in messages, summed over its partitions with a commit.",
               groups.compactMap { e, g in g.lag.map { ([("environment", e), ("group", g.observation.id)], Double($0)) } })
        family("lookout_kafka_group_lag_seconds", "Lag of a consumer group in time: its slowest partition's, estimated from end offsets sampled at each poll.",
               groups.compactMap { e, g in g.lagSeconds.map { ([("environment", e), ("group", g.observation.id)], $0) } })
        family("lookout_kafka_group_topic_lag", "Lag of a consumer group on one topic, in messages.",
               groups.flatMap { e, g in g.topics.compactMap { t in t.lag.map { ([("environment", e), ("group", g.observation.id), ("topic", t.topic)], Double($0)) } } })
        family("lookout_kafka_group_partition_lag", "Lag of a consumer group on one partition, in messages (absent without a commit).",
               groups.flatMap { e, g in g.topics.flatMap { t in t.partitions.compactMap { p in p.offsets.lag.map {
                   ([("environment", e), ("group", g.observation.id), ("topic", t.topic), ("partition", String(p.offsets.partition))], Double($0))
               } } } })
        family("lookout_endpoint_status", "Status of an endpoint: 0 ok, 1 warn, 2 crit, 3 unknown.",
               environments.flatMap { e in (e.endpoints ?? []).map { ([("environment", e.name), ("endpoint", $0.observation.name)], Double($0.status.nagiosCode)) } })
        family("lookout_endpoint_phase_seconds", "How long one phase of an endpoint probe took (phases that ran).",
               environments.flatMap { e in (e.endpoints ?? []).flatMap { endpoint in
                   [("dns", endpoint.observation.dns), ("tcp", endpoint.observation.tcp), ("tls", endpoint.observation.tls), ("kafka", endpoint.observation.kafka)]
                       .compactMap { phase, result in result.durationMs.map { ([("environment", e.name), ("endpoint", endpoint.observation.name), ("phase", phase)], Double($0) / 1000) } }
               } })
        return families.filter { !$0.samples.isEmpty }.map(\.text).joined()
    }
}

struct MetricFamily {
    let name: String
    let help: String
    let samples: [([(String, String)], Double)]

    var text: String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for (labels, value) in samples {
            let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            out += "\(name){\(rendered)} \(Self.format(value))\n"
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let groups = SourceID("groups")
}

/// The watched consumer groups: their offsets, read after the cluster's metadata over its
/// connection, kept over a window of polls and judged by `GroupEvaluator`.
public enum GroupsSource: Source {
    public static let id = SourceID.groups
    public static let configKey = "kafka.lag"
    public static let after: SourceID? = .kafka
    public static let placement = OutputPlacement(json: nil, table: 6, metrics: 5, perfdata: 1, overview: 3, environmentView: 3)
    public static let console = ConsoleEntry(column: "LAG", label: "consumer groups and lag", view: "groups")

    public static func input(_ config: EnvironmentConfig) -> KafkaConfig? { config.kafka }

    public static func fetch(_ input: KafkaConfig, _ context: FetchContext) async throws -> GroupsObservation {
        guard let client = context.kafka else { throw SourceProblem("no Kafka connection was built for \(context.config.name)") }
        return try await GroupsFetch(client: client, config: input).fetch()
    }

    public static func notRead(environment: String, because error: String) -> String {
        "\(environment) groups: not read, as the cluster's metadata could not be read (\(error))"
    }

    /// A poll that read the groups joins the window of polls; one that failed keeps the last.
    public static func merge(_ old: SourceOutcome<GroupsObservation>, _ new: SourceOutcome<GroupsObservation>) -> SourceOutcome<GroupsObservation> {
        var merged = old.updated(with: new)
        if new.error == nil, let value = new.value, let earlier = old.value?.history {
            merged.value = value.following(earlier)
        }
        return merged
    }

    public static func judge(_ observed: GroupsObservation, _ judging: inout Judging) -> [Finding] {
        let lag = judging.config.kafka?.lag ?? LagConfig()
        let judged = GroupEvaluator.judge(observed, config: lag)
        judging.snapshot.groups = judged
        judging.snapshot.lagConfig = judging.config.kafka?.lag
        return GroupEvaluator.findings(judged)
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let groups = environment.groups else { return "" }
        var rows = [["GROUP", "STATUS", "STATE", "MEMBERS", "LAG", "LAG S", "DRAIN S", "SAMPLES", "REASON"]]
        for group in groups {
            let observed = group.observation
            let members = observed.members.map(String.init) ?? "-"
            rows.append([observed.id, group.status.rawValue, observed.state ?? "-", members, Snapshot.cell(group.lag),
                         Snapshot.cell(group.lagSeconds), Snapshot.cell(group.timeToDrain), String(group.samples), group.reason])
            for topic in group.topics {
                rows.append(["  " + topic.topic, "", "", "", Snapshot.cell(topic.lag), Snapshot.cell(topic.lagSeconds), "", "", ""])
            }
        }
        return Snapshot.format(rows: rows, indent: 4)
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        let groups = snapshot.environments.flatMap { e in (e.groups ?? []).map { (e.name, $0) } }
        return [
            MetricFamily("lookout_kafka_group_status", "Status of a consumer group: 0 ok, 1 warn, 2 crit, 3 unknown; the label `status` says which rule decided.",
                         groups.map { e, g in ([("environment", e), ("group", g.observation.id), ("status", g.status.rawValue)], Double(g.severity.nagiosCode)) }),
            MetricFamily("lookout_kafka_group_members", "Members of a consumer group (absent when unknown).",
                         groups.compactMap { e, g in g.observation.members.map { ([("environment", e), ("group", g.observation.id)], Double($0)) } }),
            MetricFamily("lookout_kafka_group_lag", "Lag of a consumer group in messages, summed over its partitions with a commit.",
                         groups.compactMap { e, g in g.lag.map { ([("environment", e), ("group", g.observation.id)], Double($0)) } }),
            MetricFamily("lookout_kafka_group_lag_seconds", "Lag of a consumer group in time: its slowest partition's, estimated from end offsets sampled at each poll.",
                         groups.compactMap { e, g in g.lagSeconds.map { ([("environment", e), ("group", g.observation.id)], $0) } }),
            MetricFamily("lookout_kafka_group_topic_lag", "Lag of a consumer group on one topic, in messages.",
                         groups.flatMap { e, g in g.topics.compactMap { t in t.lag.map { ([("environment", e), ("group", g.observation.id), ("topic", t.topic)], Double($0)) } } }),
            MetricFamily("lookout_kafka_group_partition_lag", "Lag of a consumer group on one partition, in messages (absent without a commit).") { emit in
                for (e, g) in groups {
                    for t in g.topics {
                        for p in t.partitions {
                            if let lag = p.offsets.lag {
                                emit(([("environment", e), ("group", g.observation.id), ("topic", t.topic), ("partition", String(p.offsets.partition))], Double(lag)))
                            }
                        }
                    }
                }
            },
            MetricFamily("lookout_kafka_group_time_to_drain_seconds", "Seconds until the group's lag is gone if the window's rates hold (present only while the lag falls).",
                         groups.compactMap { e, g in g.timeToDrain.map { ([("environment", e), ("group", g.observation.id)], JudgedGroup.milliseconds($0)) } }),
        ] + compatible(groups)
    }

    /// The names dashboards built for kafka-lag-exporter and Burrow already use, beside lookout's
    /// own: kafka-lag-exporter's (`cluster_name` = the environment) and Burrow's status, numbered
    /// in Burrow's order.
    static func compatible(_ groups: [(String, JudgedGroup)]) -> [MetricFamily] {
        /// Each partition of each group, with kafka-lag-exporter's labels, handed to `body` one at a time.
        @Sendable func partitions(_ body: ([(String, String)], JudgedPartition) -> Void) {
            for (e, g) in groups {
                for t in g.topics {
                    for p in t.partitions {
                        body([("cluster_name", e), ("group", g.observation.id), ("topic", t.topic), ("partition", String(p.offsets.partition))], p)
                    }
                }
            }
        }
        var latest: [String: [(String, String)]] = [:]
        var latestValue: [String: Double] = [:]
        for (e, g) in groups {
            for t in g.topics {
                for p in t.partitions {
                    guard let end = p.offsets.end else { continue }
                    let key = "\(e)\u{0}\(t.topic)\u{0}\(p.offsets.partition)"
                    if latest[key] == nil {
                        latest[key] = [("cluster_name", e), ("topic", t.topic), ("partition", String(p.offsets.partition))]
                    }
                    latestValue[key] = max(latestValue[key] ?? 0, Double(end))
                }
            }
        }
        let clusterGroup = { (e: String, g: JudgedGroup) in [("cluster_name", e), ("group", g.observation.id)] }
        return [
            MetricFamily("kafka_consumergroup_group_lag", "kafka-lag-exporter's name: a partition's lag in messages.") { emit in
                partitions { labels, p in if let lag = p.offsets.lag { emit((labels, Double(lag))) } }
            },
            MetricFamily("kafka_consumergroup_group_lag_seconds", "kafka-lag-exporter's name: a partition's lag in seconds.") { emit in
                partitions { labels, p in if let seconds = p.lagSeconds { emit((labels, seconds)) } }
            },
            MetricFamily("kafka_consumergroup_group_max_lag", "kafka-lag-exporter's name: the group's largest partition lag in messages.",
                         groups.compactMap { e, g in g.topics.flatMap { $0.partitions.compactMap(\.offsets.lag) }.max().map { (clusterGroup(e, g), Double($0)) } }),
            MetricFamily("kafka_consumergroup_group_max_lag_seconds", "kafka-lag-exporter's name: the group's largest partition lag in seconds.",
                         groups.compactMap { e, g in g.lagSeconds.map { (clusterGroup(e, g), $0) } }),
            MetricFamily("kafka_consumergroup_group_sum_lag", "kafka-lag-exporter's name: the group's lag summed over its partitions.",
                         groups.compactMap { e, g in g.lag.map { (clusterGroup(e, g), Double($0)) } }),
            MetricFamily("kafka_consumergroup_group_topic_sum_lag", "kafka-lag-exporter's name: the group's lag on one topic.",
                         groups.flatMap { e, g in g.topics.compactMap { t in t.lag.map { ([("cluster_name", e), ("group", g.observation.id), ("topic", t.topic)], Double($0)) } } }),
            MetricFamily("kafka_partition_latest_offset", "kafka-lag-exporter's name: a partition's end offset, as read for the groups on it.",
                         latest.keys.sorted().map { (latest[$0]!, latestValue[$0]!) }),
            MetricFamily("burrow_kafka_consumer_status", "Burrow's group status: 0 NOTFOUND (lookout: pending or unknown), 1 OK, 2 WARN, 3 ERR (lag over crit), 4 STOP, 5 STALL, 6 REWIND.",
                         groups.map { e, g in ([("cluster", e), ("group", g.observation.id)], Double(g.burrowStatus)) }),
        ]
    }

    public static func perfdata(_ environment: EnvironmentSnapshot) -> [String] {
        guard let groups = environment.groups, !groups.isEmpty else { return [] }
        let lag = environment.lagConfig
        var data = ["'\(environment.name)_groups_not_ok'=\(groups.filter { $0.severity != .ok }.count);;1;0;\(groups.count)"]
        if let worst = groups.compactMap(\.lag).max() {
            data.append("'\(environment.name)_group_lag_max'=\(worst);\(lag?.warn.map(String.init) ?? "");\(lag?.crit.map(String.init) ?? "");0;")
        }
        if let worst = groups.compactMap(\.lagSeconds).max() {
            data.append("'\(environment.name)_group_lag_seconds_max'=\(String(format: "%.3f", worst))s;\(lag?.warnSeconds.map(String.init) ?? "");\(lag?.critSeconds.map(String.init) ?? "");0;")
        }
        if let longest = groups.compactMap(\.timeToDrain).max() {
            data.append("'\(environment.name)_group_time_to_drain_max'=\(String(format: "%.3f", longest))s;;;0;")
        }
        return data
    }
}

extension EnvironmentObservations {
    /// Consumer groups and their offsets: a source of its own, so that failing group reads leave the metadata standing.
    public var groups: SourceOutcome<GroupsObservation>? {
        get { self[.groups, as: GroupsObservation.self] }
        set { self[.groups, as: GroupsObservation.self] = newValue }
    }
}

extension EnvironmentSnapshot {
    /// The watched consumer groups, judged; nil when they could not be read (or no Kafka is configured).
    public var groups: [JudgedGroup]? {
        get { self[part: "groups", as: [JudgedGroup].self] }
        set { self[part: "groups", as: [JudgedGroup].self] = newValue }
    }

    /// The thresholds the groups were judged against, for perfdata.
    public var lagConfig: LagConfig? {
        get { self[part: "groups.lag", as: LagConfig.self] }
        set { self[part: "groups.lag", as: LagConfig.self] = newValue }
    }
}

extension JudgedGroup {
    /// The status in Burrow's numbering: NOTFOUND 0, OK 1, WARN 2, ERR 3, STOP 4, STALL 5, REWIND 6.
    var burrowStatus: Int {
        if severity == .unknown { return 0 }
        switch status {
        case .pending: return 0
        case .ok: return 1
        case .warn: return 2
        case .crit: return 3
        case .stop: return 4
        case .stall: return 5
        case .rewind: return 6
        case .unknown: return 0
        }
    }

    var json: JSONValue {
        .object([
            ("id", .string(observation.id)),
            ("state", .optional(observation.state)),
            ("members", .optional(observation.members)),
            ("lag", .optional(lag)),
            ("lag_seconds", .optional(lagSeconds.map(Self.milliseconds))),
        ] + (timeToDrain.map { [("time_to_drain_seconds", JSONValue.double(Self.milliseconds($0)))] } ?? []) + [
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

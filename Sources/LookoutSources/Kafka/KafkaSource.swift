import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let kafka = SourceID("kafka")
}

/// The cluster as its metadata describes it: brokers, controller, topics and their partitions.
public enum KafkaSource: Source {
    public static let id = SourceID.kafka
    public static let configKey = "kafka"
    public static let placement = OutputPlacement(json: 5, table: 5, metrics: 4, perfdata: nil, overview: 2, environmentView: 2)
    public static let console = ConsoleEntry(column: "KAFKA", label: "Kafka brokers and topics", view: "brokers")

    public static func input(_ config: EnvironmentConfig) -> KafkaConfig? { config.kafka }

    public static func fetch(_ input: KafkaConfig, _ context: FetchContext) async throws -> KafkaObservation {
        guard let client = context.kafka else { throw SourceProblem("no Kafka connection was built for \(context.config.name)") }
        // A poll begins here: a broker that fails in it (metadata, then groups) is tried once.
        await client.beginPoll()
        return try await KafkaFetch(client: client, config: input).fetch()
    }

    public static func judge(_ kafka: KafkaObservation, _ judging: inout Judging) -> [Finding] {
        judging.snapshot.kafka = kafka
        var found: [Finding] = []
        if let controller = kafka.controller {
            if !kafka.brokers.contains(where: { $0.id == controller }) {
                found.append(Finding(status: .crit, source: id.rawValue, object: "controller", message: "controller \(controller) is not among the live brokers"))
            }
        } else {
            found.append(Finding(status: .crit, source: id.rawValue, object: "controller", message: "the cluster reports no controller"))
        }
        for topic in kafka.topics {
            if topic.offline > 0 {
                found.append(Finding(status: .crit, source: id.rawValue, object: topic.name, message: "\(topic.offline) of \(topic.partitions) partitions offline (no live leader)"))
            }
            if topic.underReplicated > 0 {
                found.append(Finding(status: .warn, source: id.rawValue, object: topic.name, message: "\(topic.underReplicated) of \(topic.partitions) partitions under-replicated"))
            }
        }
        return found
    }

    /// The groups are listed inside the cluster's object (when they are configured).
    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        let groups: JSONValue? = environment.has(.groups) ? environment.groups.map { .lazyArray($0) { $0.json } } ?? .null : nil
        return [("kafka", environment.kafka?.json(groups: groups) ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let kafka = environment.kafka else { return "" }
        var out = "  kafka cluster \((kafka.clusterId ?? "-").terminalSafe), controller \(kafka.controller.map(String.init) ?? "none"), brokers \(kafka.brokers.map { "\($0.id)@\($0.host.terminalSafe):\($0.port)" }.joined(separator: " "))\n"
        out += Snapshot.format(rows: [["TOPIC", "PARTITIONS", "UNDER-REPLICATED", "OFFLINE"]] + kafka.topics.map { topic in
            [topic.name, "\(topic.partitions)", "\(topic.underReplicated)", "\(topic.offline)"]
        }, indent: 4)
        // Only the partitions with a problem: a cluster can hold thousands.
        let problems = kafka.topics.flatMap { topic in
            topic.partitionList.filter { $0.offline || $0.underReplicated }.map { (topic.name, $0) }
        }
        if !problems.isEmpty {
            func ids(_ list: [Int]) -> String { list.isEmpty ? "-" : list.map(String.init).joined(separator: ",") }
            out += Snapshot.format(rows: [["TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "PROBLEM"]] + problems.map { name, partition in
                [name, "\(partition.id)", partition.leader.map(String.init) ?? "none", ids(partition.replicas), ids(partition.isr),
                 [partition.offline ? "offline" : nil, partition.underReplicated ? "under-replicated" : nil].compactMap { $0 }.joined(separator: ", ")]
            }, indent: 4)
        }
        return out
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        let environments = snapshot.environments
        let topics = environments.flatMap { e in (e.kafka?.topics ?? []).map { (e.name, $0) } }
        return [
            MetricFamily("lookout_kafka_brokers", "Brokers in the cluster's metadata.",
                         environments.compactMap { e in e.kafka.map { ([("environment", e.name)], Double($0.brokers.count)) } }),
            MetricFamily("lookout_kafka_under_replicated_partitions", "Partitions with fewer replicas in sync than assigned, per topic.",
                         topics.map { e, t in ([("environment", e), ("topic", t.name)], Double(t.underReplicated)) }),
            MetricFamily("lookout_kafka_offline_partitions", "Partitions without a live leader, per topic.",
                         topics.map { e, t in ([("environment", e), ("topic", t.name)], Double(t.offline)) }),
        ]
    }
}

extension EnvironmentObservations {
    public var kafka: SourceOutcome<KafkaObservation>? {
        get { self[.kafka, as: KafkaObservation.self] }
        set { self[.kafka, as: KafkaObservation.self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var kafka: KafkaObservation? {
        get { self[part: "kafka", as: KafkaObservation.self] }
        set { self[part: "kafka", as: KafkaObservation.self] = newValue }
    }
}

extension KafkaObservation {
    /// - Parameter groups: the judged groups (null when unknown), or nil to leave the key out.
    func json(groups: JSONValue?) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("cluster_id", .optional(clusterId)),
            ("controller", .optional(controller)),
            ("brokers", .array(brokers.map { .object([("id", .int($0.id)), ("host", .string($0.host)), ("port", .int($0.port))]) })),
            ("topics", .lazyArray(topics) { topic in
                .object([("name", .string(topic.name)), ("partitions", .int(topic.partitions)),
                         ("under_replicated", .int(topic.underReplicated)), ("offline", .int(topic.offline)),
                         ("partition_details", .array(topic.partitionList.map(\.json)))])
            }),
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

import Foundation
import LookoutKafka
import LookoutTestSupport

/// The shared sandbox (`LOOKOUT_SANDBOX`, default `<repo>/.sandbox`: `SandboxLocation`). Tests
/// that use it are skipped only when it is missing and not required; when it exists they must reach it.
struct SandboxFixture {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var folder: URL { URL(fileURLWithPath: SandboxLocation.path) }

    let folder: URL
    let environments: [String: [String: Any]]
    let topics: [String: Int]

    init() throws {
        self.folder = Self.folder
        let file = folder.appendingPathComponent("sandbox.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let environments = json["environments"] as? [String: [String: Any]]
        else {
            throw Failure(description: "\(file.path) is missing or unreadable: is the sandbox up (./sandbox/up)?")
        }
        self.environments = environments
        self.topics = json["topics"] as? [String: Int] ?? [:]
    }

    func bootstrap(_ environment: String) throws -> KafkaBrokerAddress {
        guard let text = environments[environment]?["kafka_bootstrap"] as? String,
              let address = KafkaBrokerAddress(parsing: text)
        else { throw Failure(description: "sandbox.json has no kafka_bootstrap for \(environment)") }
        return address
    }

    func security(_ environment: String) -> String {
        environments[environment]?["security"] as? String ?? "?"
    }

    /// `sandbox/scenario ARGS` from the sandbox's checkout (the folder above `.sandbox`).
    func scenario(_ arguments: String...) throws {
        let script = folder.deletingLastPathComponent().appendingPathComponent("sandbox/scenario").path
        let output = try Self.run(script, arguments)
        guard output.status == 0 else {
            throw Failure(description: "sandbox/scenario \(arguments.joined(separator: " ")) exited \(output.status): \(output.text)")
        }
    }

    /// What confluent-kafka's `list_topics()` reads, as JSON.
    func confluentMetadata(_ bootstrap: KafkaBrokerAddress) throws -> [String: Any] {
        let python = folder.appendingPathComponent("venv/bin/python").path
        let script = """
            import json, sys
            from confluent_kafka.admin import AdminClient
            metadata = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=10)
            print(json.dumps({
                "cluster_id": metadata.cluster_id,
                "controller_id": metadata.controller_id,
                "brokers": sorted([[b.id, b.host, b.port] for b in metadata.brokers.values()]),
                "topics": {name: {str(p.id): [p.leader, list(p.replicas), list(p.isrs)]
                                  for p in topic.partitions.values()}
                           for name, topic in metadata.topics.items()},
            }))
            """
        let output = try Self.run(python, ["-c", script, bootstrap.description])
        guard output.status == 0, let data = output.text.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw Failure(description: "confluent-kafka list_topics failed: \(output.text)") }
        return json
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // stdout carries the answer; stderr (librdkafka's log) only explains a failure.
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let log = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return (process.terminationStatus, process.terminationStatus == 0 ? text : text + String(decoding: log, as: UTF8.self))
    }
}

extension SandboxFixture {
    /// confluent-kafka's view of groups, committed offsets and high watermarks.
    struct ConfluentOffsets {
        var groups: [String]
        var committed: [String: [String: Int64]]
        var high: [String: Int64]
    }

    func confluentOffsets(_ bootstrap: KafkaBrokerAddress, groups: [String]) throws -> ConfluentOffsets {
        let python = folder.appendingPathComponent("venv/bin/python").path
        let script = """
            import json, sys
            from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
            from confluent_kafka.admin import AdminClient
            bootstrap, groups = sys.argv[1], [g for g in sys.argv[2].split(",") if g]
            admin = AdminClient({"bootstrap.servers": bootstrap})
            listed = sorted(g.group_id for g in admin.list_consumer_groups().result().valid)
            committed = {}
            for group in groups:
                result = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result()
                committed[group] = {f"{tp.topic}/{tp.partition}": tp.offset for tp in result.topic_partitions if tp.offset >= 0}
            metadata = admin.list_topics(timeout=10)
            consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "lookout-test-watermarks", "enable.auto.commit": False})
            high = {}
            for name, topic in metadata.topics.items():
                for partition in topic.partitions:
                    high[f"{name}/{partition}"] = consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=10)[1]
            consumer.close()
            print(json.dumps({"groups": listed, "committed": committed, "high": high}))
            """
        let output = try Self.run(python, ["-c", script, bootstrap.description, groups.joined(separator: ",")])
        guard output.status == 0, let data = output.text.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw Failure(description: "confluent-kafka offsets failed: \(output.text)") }
        func numbers(_ value: Any?) -> [String: Int64] {
            (value as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.int64Value }
        }
        return ConfluentOffsets(
            groups: json["groups"] as? [String] ?? [],
            committed: (json["committed"] as? [String: Any] ?? [:]).mapValues(numbers),
            high: numbers(json["high"])
        )
    }
}

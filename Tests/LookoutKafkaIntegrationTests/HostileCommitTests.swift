import Foundation
import LookoutKafka
import LookoutTestSupport
import Testing

/// Commits any Kafka client can make, made by confluent-kafka on a private Tansu: one group with a
/// commit on partition -5 made the broker close every batched OffsetFetch, so every group of the
/// environment read unknown. The bulkhead retries in halves: the bad group alone is unknown.
@Suite("Hostile commits", .serialized)
struct HostileCommitTests {
    /// confluent-kafka commits `offset` on `topic`/`partition` for `group`, outside any member.
    func commit(_ tansu: TansuFixture, group: String, topic: String, partition: Int, offset: Int) throws {
        let python = SandboxFixture.folder.appendingPathComponent("venv/bin/python").path
        let script = """
            import sys
            from confluent_kafka import Consumer, TopicPartition
            boot, group, topic, partition, offset = sys.argv[1:6]
            c = Consumer({"bootstrap.servers": boot, "group.id": group, "enable.auto.commit": False})
            c.commit(offsets=[TopicPartition(topic, int(partition), int(offset))], asynchronous=False)
            c.close()
            print("committed")
            """
        let output = try SandboxFixture.run(python, ["-c", script, tansu.address.description, group, topic, "\(partition)", "\(offset)"])
        #expect(output.status == 0 && output.text.contains("committed"), "confluent-kafka could not commit: \(output.text)")
    }

    @Test func aGroupWithACommitOnANegativePartitionIsUnknownAloneAndTheOthersAreRead() async throws {
        let tansu = try await TansuFixture.start(topics: ["orders": 3])
        defer { tansu.stop() }
        for (index, group) in ["good-a", "good-b", "good-c"].enumerated() {
            try commit(tansu, group: group, topic: "orders", partition: index, offset: 10 + index)
        }
        try commit(tansu, group: "poison", topic: "orders", partition: -5, offset: 7)

        let client = KafkaAdminClient(configuration: .init(bootstrap: [tansu.address]))
        let results = await client.committedOffsets(groups: ["good-a", "poison", "good-b", "good-c"])
        await client.shutdown()
        for (index, group) in ["good-a", "good-b", "good-c"].enumerated() {
            let offsets = try #require(try? results[group]?.get(), "\(group): \(String(describing: results[group]))")
            #expect(offsets[KafkaTopicPartition(topic: "orders", partition: Int32(index))] == Int64(10 + index), "\(group): \(offsets)")
        }
        // What Tansu does with the bad group alone: closes the connection (then it is unknown,
        // named), or answers it (then its commit is there and the groups source drops it).
        switch results["poison"] {
        case .failure(let error):
            #expect(error.detail.contains("poison alone"), "\(error)")
        case .success(let offsets):
            #expect(offsets.keys.allSatisfy { $0.partition == -5 }, "\(offsets)")
        case nil:
            Issue.record("no result for poison")
        }
    }
}

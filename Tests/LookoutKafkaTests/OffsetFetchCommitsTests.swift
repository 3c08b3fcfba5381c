import KafkaProtocol
import NIOCore
import Testing
@testable import LookoutKafka

/// OffsetFetch's answer read straight into each group's commits must say what the generated
/// decoder says: the same answer, encoded by the generated code, read both ways.
@Suite struct OffsetFetchCommitsTests {
    typealias Group = OffsetFetchResponse.OffsetFetchResponseGroup
    typealias Topic = Group.OffsetFetchResponseTopics
    typealias Partition = Topic.OffsetFetchResponsePartitions

    static let answer = OffsetFetchResponse(groups: [
        Group(groupId: "billing", topics: [
            // topics out of order, a partition twice (the last counts), one without a commit (-1),
            // one with an error, a long metadata string
            Topic(name: "payments", partitions: [Partition(partitionIndex: 2, committedOffset: 30), Partition(partitionIndex: 0, committedOffset: 10)]),
            Topic(name: "orders", partitions: [Partition(partitionIndex: 1, committedOffset: 5), Partition(partitionIndex: 0, committedOffset: -1),
                                               Partition(partitionIndex: 3, committedOffset: 8, errorCode: 3),
                                               Partition(partitionIndex: 4, committedOffset: Int64.max, metadata: String(repeating: "m", count: 300))]),
            Topic(name: "orders", partitions: [Partition(partitionIndex: 1, committedOffset: 6)]),
        ]),
        Group(groupId: "gone", topics: [], errorCode: 16),
        Group(groupId: "idle", topics: []),
    ])

    @Test(arguments: [Int16(8), 9])
    func theCompactReadEqualsTheGeneratedOne(version: Int16) throws {
        var buffer = ByteBuffer()
        try Self.answer.encode(into: &buffer, version: version)
        var copy = buffer
        let generated = try OffsetFetchResponse(from: &copy, version: version)
        let compact = try OffsetFetchCommitsResponse(from: &buffer, version: version)
        #expect(buffer.readableBytes == 0)
        #expect(compact.groups.map(\.id) == generated.groups.map(\.groupId))
        #expect(compact.groups.map(\.errorCode) == [0, 16, 0])
        for (read, group) in zip(compact.groups, generated.groups) {
            var expected: [KafkaTopicPartition: Int64] = [:]
            for topic in group.topics {
                for partition in topic.partitions where partition.errorCode == 0 && partition.committedOffset >= 0 {
                    expected[KafkaTopicPartition(topic: topic.name, partition: partition.partitionIndex)] = partition.committedOffset
                }
            }
            #expect(read.commits.dictionary == expected, "\(read.id)")
        }
        let billing = compact.groups[0].commits
        #expect(billing.topics == ["orders", "payments"])
        #expect(Array(billing.commits(ofTopicAt: 0).partitions) == [1, 4])
        #expect(Array(billing.commits(ofTopicAt: 1).offsets) == [10, 30])
        #expect(billing[KafkaTopicPartition(topic: "orders", partition: 1)] == 6)
        #expect(billing[KafkaTopicPartition(topic: "orders", partition: 0)] == nil)
        #expect(billing[KafkaTopicPartition(topic: "audit", partition: 0)] == nil)
    }

    @Test func aCutAnswerIsAnErrorNotATrap() throws {
        var buffer = ByteBuffer()
        try Self.answer.encode(into: &buffer, version: 8)
        let bytes = Array(buffer.readableBytesView)
        for cut in 0..<bytes.count {
            var part = ByteBuffer(bytes: bytes[0..<cut])
            #expect(throws: KafkaProtocolError.self) { try OffsetFetchCommitsResponse(from: &part, version: 8) }
        }
    }
}

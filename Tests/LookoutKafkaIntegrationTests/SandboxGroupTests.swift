import Foundation
import KafkaProtocol
import LookoutKafka
import Testing

/// Groups and offsets on the sandbox's dev environment, bracketed by confluent-kafka's reads
/// taken just before and just after lookout's (producers and consumers keep running).
extension SandboxTests {
@Suite("Groups and offsets")
struct SandboxGroupTests {
    static let groups = ["analytics", "archiver", "billing"]

    @Test func committedAndEndOffsetsLieBetweenConfluentKafkaReads() async throws {
        let sandbox = try SandboxFixture()
        let address = try sandbox.bootstrap("dev")
        let client = KafkaAdminClient(configuration: .init(bootstrap: [address], connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
        defer { Task { await client.shutdown() } }

        let before = try sandbox.confluentOffsets(address, groups: Self.groups)
        let started = ContinuousClock.now
        let metadata = try await client.metadata()
        let listed = try await client.listGroups()
        let descriptions = await client.describeGroups(listed.map(\.id))
        // All three groups in one OffsetFetch (Tansu offers version 9; batching needs 8).
        let batched = await client.committedOffsets(groups: Self.groups)
        var committed: [String: [KafkaTopicPartition: Int64]] = [:]
        for group in Self.groups {
            committed[group] = try #require(try batched[group]?.get(), "\(group)").dictionary
        }
        let partitions = metadata.topics.flatMap { topic in topic.partitions.map { KafkaTopicPartition(topic: topic.name, partition: $0.id) } }
        let ends = await client.latestOffsets(partitions, metadata: metadata)
        let elapsed = ContinuousClock.now - started
        #expect(await client.apiVersions(of: address)?[OffsetFetchRequest.apiKey]?.contains(8) == true)
        let after = try sandbox.confluentOffsets(address, groups: Self.groups)

        // Groups: what confluent-kafka lists (it lists groups that committed).
        let ids = Set(listed.map(\.id))
        #expect(Set(before.groups).intersection(after.groups).isSubset(of: ids), "\(listed) vs \(before.groups)")
        #expect(Set(Self.groups).isSubset(of: ids))
        for group in Self.groups {
            let description = try #require(try descriptions[group]?.get(), "\(group)")
            #expect(!description.state.isEmpty, "\(group)")
        }

        // Committed offsets per group and partition.
        for group in Self.groups {
            let ours = try #require(committed[group])
            let low = before.committed[group] ?? [:]
            let high = after.committed[group] ?? [:]
            #expect(Set(ours.keys.map(\.description)) == Set(high.keys), "\(group): partitions with a commit")
            for (partition, offset) in ours {
                let key = partition.description
                if let low = low[key] { #expect(low <= offset, "\(group) \(key): \(low) ≤ \(offset)") }
                if let high = high[key] { #expect(offset <= high, "\(group) \(key): \(offset) ≤ \(high)") }
            }
        }

        // End offsets per partition.
        #expect(ends.count == partitions.count)
        for partition in partitions {
            let offset = try #require(try ends[partition]?.get(), "\(partition)")
            let key = partition.description
            let low = try #require(before.high[key]), high = try #require(after.high[key])
            #expect(low <= offset && offset <= high, "\(key): \(low) ≤ \(offset) ≤ \(high)")
        }
        print("dev groups and offsets: \(listed.count) groups, \(partitions.count) partitions, lookout's reads took \(elapsed)")
    }
}
}

import Foundation
import LookoutKafka
import LookoutConfig
import LookoutModel

/// Consumer groups and their offsets, read over the cluster's connection after its metadata.
struct GroupsFetch {
    let client: KafkaAdminClient
    let config: KafkaConfig

    /// The watched groups (`lag.groups`) with their committed offsets and the end offsets of every
    /// partition of the topics they committed to. A group whose own reads fail keeps its place,
    /// with what was read and why the rest was not; only a failure that hides every group throws.
    func fetch() async throws -> GroupsObservation {
        let ids = try await client.listGroups().map(\.id).filter { GroupPattern.matches(config.lag.groups, $0) }
        async let described = client.describeGroups(ids)
        async let committed = client.committedOffsets(groups: ids)
        var (descriptions, offsets) = await (described, committed)

        let topics = Set(offsets.values.flatMap { (try? $0.get())?.keys.map(\.topic) ?? [] }).sorted()
        var partitions: [String: [Int32]] = [:]
        var ends: [KafkaTopicPartition: Result<Int64, KafkaError>] = [:]
        if !topics.isEmpty {
            let metadata = try await client.metadata(topics: topics)
            for topic in metadata.topics where topic.errorCode == 0 {
                partitions[topic.name] = topic.partitions.map(\.id).sorted()
            }
            let all = partitions.flatMap { topic, ids in ids.map { KafkaTopicPartition(topic: topic, partition: $0) } }
            ends = await client.latestOffsets(all, metadata: metadata)
        }
        let readAt = Date()

        // Each group's commits are let go once its rows are made: at production scale the 1,000
        // groups' commits and their rows were 15 MB at once.
        var groups: [GroupObservation] = []
        groups.reserveCapacity(ids.count)
        for id in ids {
            groups.append(observe(id, description: descriptions.removeValue(forKey: id), offsets: offsets.removeValue(forKey: id),
                                  partitions: partitions, ends: ends))
        }
        return GroupsObservation(readAt: readAt, groups: groups, window: config.lag.window)
    }

    /// One group's observation from what was read of it.
    private func observe(_ id: String, description read: Result<KafkaGroupDescription, KafkaError>?, offsets: KafkaAdminClient.CommittedOffsets?,
                         partitions: [String: [Int32]], ends: [KafkaTopicPartition: Result<Int64, KafkaError>]) -> GroupObservation {
        var problems: [String] = []
        var description: KafkaGroupDescription?
        switch read {
        case .success(let value): description = value
        case .failure(let error): problems.append("state unknown: \(error)")
        case nil: problems.append("state unknown: not described")
        }
        var commits: [KafkaTopicPartition: Int64] = [:]
        switch offsets {
        case .success(let value): commits = value
        case .failure(let error):
            return GroupObservation(id: id, state: description?.state, members: description?.members.count, partitions: [],
                                    error: "committed offsets unknown: \(error)")
        case nil:
            return GroupObservation(id: id, state: description?.state, members: description?.members.count, partitions: [],
                                    error: "committed offsets unknown: not read")
        }
        var unreadable = 0
        var unnamed: [KafkaTopicPartition] = []
        var perTopic: [(topic: String, known: Bool, partitions: [Int32])] = []
        for topic in Set(commits.keys.map(\.topic)).sorted() {
            // Every partition of the topic: one without a commit has no lag rather than a zero.
            let known = partitions[topic] ?? []
            var committedHere = commits.keys.filter { $0.topic == topic }.map(\.partition)
            if known.isEmpty {
                problems.append("topic \(topic) is not in the cluster's metadata")
            } else {
                // A commit on a partition the metadata does not name (a client can commit
                // to partition -5 or 2,147,483,646) has no end offset and no lag: it is
                // named, not shown, and sizes nothing.
                let named = Set(known)
                unnamed += committedHere.filter { !named.contains($0) }.map { KafkaTopicPartition(topic: topic, partition: $0) }
                committedHere = committedHere.filter(named.contains)
            }
            perTopic.append((topic, !known.isEmpty, Set(known + committedHere).sorted()))
        }
        // sized once: 200,000 rows a poll at production scale, where growing by doubling left
        // a third of the array's memory spare on average
        var rows: [PartitionOffsets] = []
        rows.reserveCapacity(perTopic.reduce(0) { $0 + $1.partitions.count })
        for (topic, known, ids) in perTopic {
            for partition in ids {
                let key = KafkaTopicPartition(topic: topic, partition: partition)
                let end = try? ends[key]?.get()
                if end == nil, known { unreadable += 1 }
                rows.append(PartitionOffsets(topic: topic, partition: Int(partition), committed: commits[key], end: end))
            }
        }
        if unreadable > 0 { problems.append("end offsets of \(unreadable) partition\(unreadable == 1 ? "" : "s") unknown") }
        if let first = unnamed.min() {
            problems.append("commits on \(unnamed.count) partition\(unnamed.count == 1 ? "" : "s") the metadata does not name (\(first)\(unnamed.count > 1 ? ", …" : "")): ignored")
        }
        return GroupObservation(id: id, state: description?.state, members: description?.members.count, partitions: rows,
                                error: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }
}

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

        let topics = Set(offsets.values.flatMap { (try? $0.get())?.topics ?? [] }).sorted()
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

        // The poll is made as the groups are read: the end offsets once, then each group's commits,
        // let go group by group (at production scale the 1,000 groups' commits and their rows as
        // read were 15 MB at once).
        var endTable: [(topic: String, raw: [Int64])] = []
        for (topic, ids) in partitions {
            var raw: [Int64] = []
            for id in ids where LagHistory.Poll.partitionIds.contains(Int(id)) {
                guard let end = try? ends[KafkaTopicPartition(topic: topic, partition: id)]?.get() else { continue }
                LagHistory.Poll.set(&raw, Int(id), end)
            }
            if !raw.isEmpty { endTable.append((topic, raw)) }
        }
        var reading = GroupsObservation.Reading(readAt: readAt, ends: endTable)
        endTable = []
        for id in ids {
            read(id, description: descriptions.removeValue(forKey: id), offsets: offsets.removeValue(forKey: id),
                 partitions: partitions, ends: ends, into: &reading)
        }
        return reading.finish(window: config.lag.window)
    }

    /// One group from what was read of it, into the poll.
    private func read(_ id: String, description read: Result<KafkaGroupDescription, KafkaError>?, offsets: KafkaAdminClient.CommittedOffsets?,
                      partitions: [String: [Int32]], ends: [KafkaTopicPartition: Result<Int64, KafkaError>],
                      into reading: inout GroupsObservation.Reading) {
        var problems: [String] = []
        var description: KafkaGroupDescription?
        switch read {
        case .success(let value): description = value
        case .failure(let error): problems.append("state unknown: \(error)")
        case nil: problems.append("state unknown: not described")
        }
        let state = description?.state, members = description?.members.count
        var commits = KafkaCommittedOffsets()
        switch offsets {
        case .success(let value): commits = value
        case .failure(let error):
            return reading.add(id: id, state: state, members: members, error: "committed offsets unknown: \(error)", topics: [])
        case nil:
            return reading.add(id: id, state: state, members: members, error: "committed offsets unknown: not read", topics: [])
        }
        var unreadable = 0
        var unnamed: [KafkaTopicPartition] = []
        var topics: [GroupsObservation.Reading.Topic] = []
        for (index, topic) in commits.topics.enumerated() {
            // Every partition of the topic: one without a commit has no lag rather than a zero.
            let known = partitions[topic] ?? []
            var committedHere = Array(commits.commits(ofTopicAt: index).partitions)
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
            let ids = Set(known + committedHere).sorted()
            var committed: [Int64] = [], endOffsets: [Int64] = []
            committed.reserveCapacity(ids.count)
            endOffsets.reserveCapacity(ids.count)
            for partition in ids {
                let key = KafkaTopicPartition(topic: topic, partition: partition)
                let end = try? ends[key]?.get()
                if end == nil, !known.isEmpty { unreadable += 1 }
                committed.append(commits[key] ?? LagHistory.TopicOffsets.none)
                endOffsets.append(end ?? LagHistory.TopicOffsets.none)
            }
            topics.append(.init(topic: topic, ids: ids, committed: committed, ends: endOffsets))
        }
        if unreadable > 0 { problems.append("end offsets of \(unreadable) partition\(unreadable == 1 ? "" : "s") unknown") }
        if let first = unnamed.min() {
            problems.append("commits on \(unnamed.count) partition\(unnamed.count == 1 ? "" : "s") the metadata does not name (\(first)\(unnamed.count > 1 ? ", …" : "")): ignored")
        }
        reading.add(id: id, state: state, members: members, error: problems.isEmpty ? nil : problems.joined(separator: "; "), topics: topics)
    }
}

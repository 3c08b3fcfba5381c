import KafkaProtocol

// Consumer groups and offsets: what lag is computed from. Every call batches what the protocol
// lets it batch, and sends the requests for different brokers at once.
extension KafkaAdminClient {
    /// The committed offsets of one group, by partition, or why they could not be read.
    public typealias CommittedOffsets = Result<KafkaCommittedOffsets, KafkaError>

    // MARK: - Groups

    /// Every group, from ListGroups on every broker at once (each lists the groups it coordinates).
    /// Fails if any broker cannot answer: a partial list would hide groups.
    public func listGroups() async throws(KafkaError) -> [KafkaGroupListing] {
        if self.knownBrokers.isEmpty { _ = try await self.metadata() }
        let brokers = self.knownBrokers.sorted { $0.key < $1.key }.map(\.value)
        let answers = await withTaskGroup(of: (Int, Result<[KafkaGroupListing], KafkaError>).self) { tasks in
            for (index, address) in brokers.enumerated() {
                tasks.addTask { (index, await self.listGroups(at: address)) }
            }
            var answers: [(Int, Result<[KafkaGroupListing], KafkaError>)] = []
            for await answer in tasks { answers.append(answer) }
            return answers.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var groups: [String: KafkaGroupListing] = [:]
        for answer in answers {
            for group in try answer.get() { groups[group.id] = group }
        }
        return groups.values.sorted { $0.id < $1.id }
    }

    private func listGroups(at address: KafkaBrokerAddress) async -> Result<[KafkaGroupListing], KafkaError> {
        do throws(KafkaError) {
            let answer = try await self.send(to: address) { _ in ListGroupsRequest() }
            try Self.check(answer.response.errorCode, address: address, api: ListGroupsRequest.apiName)
            return .success(answer.response.groups.map { group in
                KafkaGroupListing(id: group.groupId, protocolType: group.protocolType, state: answer.version >= 4 ? group.groupState : nil)
            })
        } catch {
            return .failure(error)
        }
    }

    /// The coordinator of each group; batched in one request from FindCoordinator version 4.
    public func coordinators(for groups: [String]) async -> [String: Result<KafkaBrokerAddress, KafkaError>] {
        var results: [String: Result<KafkaBrokerAddress, KafkaError>] = [:]
        var missing = groups.filter { self.coordinators[$0] == nil }
        for group in groups {
            if let known = self.coordinators[group] { results[group] = .success(known) }
        }
        while let first = missing.first {
            let batch = missing
            do {
                let answer = try await self.sendToAnyBroker { version in
                    version >= 4 ? FindCoordinatorRequest(coordinatorKeys: batch) : FindCoordinatorRequest(key: first)
                }
                let response = answer.response
                if answer.version >= 4 {
                    // Only the groups asked for: an answer naming others would grow the cache.
                    for coordinator in response.coordinators where batch.contains(coordinator.key) {
                        results[coordinator.key] = self.coordinatorResult(
                            group: coordinator.key, errorCode: coordinator.errorCode, message: coordinator.errorMessage,
                            host: coordinator.host, port: coordinator.port, from: answer.broker
                        )
                    }
                    missing.removeAll { results[$0] != nil }
                    for group in missing {
                        results[group] = .failure(KafkaError(code: .protocolViolation, broker: answer.broker.description,
                                                             api: FindCoordinatorRequest.apiName, detail: "no coordinator listed for group \(group)"))
                    }
                    missing = []
                } else {
                    results[first] = self.coordinatorResult(
                        group: first, errorCode: response.errorCode, message: response.errorMessage,
                        host: response.host, port: response.port, from: answer.broker
                    )
                    missing.removeFirst()
                }
            } catch {
                for group in batch { results[group] = .failure(error) }
                missing = []
            }
        }
        return results
    }

    private func coordinatorResult(
        group: String, errorCode: Int16, message: String?, host: String, port: Int32, from broker: KafkaBrokerAddress
    ) -> Result<KafkaBrokerAddress, KafkaError> {
        guard errorCode == 0 else {
            let detail = "group \(group): \(KafkaErrorCode.describe(errorCode))" + (message.map { ": \($0)" } ?? "")
            return .failure(KafkaError(code: .brokerError(errorCode), broker: broker.description, api: FindCoordinatorRequest.apiName, detail: detail))
        }
        let address = KafkaBrokerAddress(host: host, port: Int(port))
        self.coordinators[group] = address
        return .success(address)
    }

    /// The groups by coordinator; groups whose coordinator could not be found get their failure.
    private func byCoordinator<Value>(_ groups: [String], failures: inout [String: Result<Value, KafkaError>]) async -> [KafkaBrokerAddress: [String]] {
        var byCoordinator: [KafkaBrokerAddress: [String]] = [:]
        for (group, coordinator) in await self.coordinators(for: groups) {
            switch coordinator {
            case .success(let address): byCoordinator[address, default: []].append(group)
            case .failure(let error): failures[group] = .failure(error)
            }
        }
        return byCoordinator.mapValues { $0.sorted() }
    }

    /// DescribeGroups: one request per coordinator, all coordinators at once.
    public func describeGroups(_ groups: [String]) async -> [String: Result<KafkaGroupDescription, KafkaError>] {
        var results: [String: Result<KafkaGroupDescription, KafkaError>] = [:]
        let byCoordinator = await self.byCoordinator(groups, failures: &results)
        await withTaskGroup(of: [String: Result<KafkaGroupDescription, KafkaError>].self) { tasks in
            for (address, batch) in byCoordinator {
                tasks.addTask {
                    var budget = Self.bulkheadBudget
                    return await self.bulkhead(batch, budget: &budget) { (piece: [String]) throws(KafkaError) in
                        try await self.describeGroups(piece, at: address)
                    }
                }
            }
            for await answer in tasks { results.merge(answer) { $1 } }
        }
        return results
    }

    /// One DescribeGroups; throws when the request as a whole failed.
    private func describeGroups(_ batch: [String], at address: KafkaBrokerAddress) async throws(KafkaError) -> [String: Result<KafkaGroupDescription, KafkaError>] {
        var results: [String: Result<KafkaGroupDescription, KafkaError>] = [:]
        let answer = try await self.send(to: address, dropIsBrokers: false) { _ in DescribeGroupsRequest(groups: batch) }
        for group in answer.response.groups {
            guard group.errorCode == 0 else {
                self.forgetCoordinator(group.groupId, errorCode: group.errorCode)
                results[group.groupId] = .failure(KafkaError(
                    code: .brokerError(group.errorCode), broker: address.description, api: DescribeGroupsRequest.apiName,
                    detail: "group \(group.groupId): \(KafkaErrorCode.describe(group.errorCode))"
                ))
                continue
            }
            results[group.groupId] = .success(KafkaGroupDescription(
                id: group.groupId, state: group.groupState, protocolType: group.protocolType,
                protocolName: group.protocolData,
                members: group.members.map {
                    .init(memberID: $0.memberId, groupInstanceID: $0.groupInstanceId, clientID: $0.clientId, clientHost: $0.clientHost)
                }
            ))
        }
        for group in batch where results[group] == nil {
            results[group] = .failure(KafkaError(code: .protocolViolation, broker: address.description, api: DescribeGroupsRequest.apiName,
                                                 detail: "group \(group) missing from the answer"))
        }
        return results
    }

    // MARK: - Offsets

    /// The committed offsets of many groups: from OffsetFetch version 8 one request per
    /// coordinator for all its groups, before that one request per group; all coordinators at once.
    /// A partition without a commit is left out (Kafka answers -1 for it).
    public func committedOffsets(groups: [String]) async -> [String: CommittedOffsets] {
        var results: [String: CommittedOffsets] = [:]
        let byCoordinator = await self.byCoordinator(groups, failures: &results)
        await withTaskGroup(of: [String: CommittedOffsets].self) { tasks in
            for (address, batch) in byCoordinator {
                tasks.addTask {
                    var budget = Self.bulkheadBudget
                    return await self.bulkhead(batch, budget: &budget) { (piece: [String]) throws(KafkaError) in
                        try await self.committedOffsets(piece, at: address)
                    }
                }
            }
            for await answer in tasks { results.merge(answer) { $1 } }
        }
        return results
    }

    /// One OffsetFetch for `batch` (before version 8, the first group's, then one per group);
    /// throws when the request as a whole failed.
    private func committedOffsets(_ batch: [String], at address: KafkaBrokerAddress) async throws(KafkaError) -> [String: CommittedOffsets] {
        guard let first = batch.first else { return [:] }
        var results: [String: CommittedOffsets] = [:]
        let answer = try await self.send(to: address, dropIsBrokers: false) { version in
            OffsetFetchCommitsRequest(version >= 8
                ? OffsetFetchRequest(groups: batch.map { .init(groupId: $0, topics: nil) })
                : OffsetFetchRequest(groupId: first, topics: version >= 2 ? nil : []))
        }
        if answer.version >= 8 {
            for group in answer.response.groups {
                results[group.id] = self.offsets(group: group.id, errorCode: group.errorCode, address: address, commits: group.commits)
            }
            for group in batch where results[group] == nil {
                results[group] = .failure(KafkaError(code: .protocolViolation, broker: address.description, api: OffsetFetchRequest.apiName,
                                                     detail: "group \(group) missing from the answer"))
            }
            return results
        }
        // Before version 8: this answer is the first group's; the others go one by one, at once.
        guard answer.version >= 2 else {
            throw KafkaError(code: .protocolViolation, broker: address.description, api: OffsetFetchRequest.apiName,
                             detail: "OffsetFetch versions 0 and 1 need the partitions named; use committedOffsets(group:partitions:)")
        }
        let single = answer.response.single ?? OffsetFetchResponse()
        results[first] = self.offsets(
            group: first, errorCode: single.errorCode, address: address,
            partitions: single.topics.flatMap { topic in
                topic.partitions.map { (topic.name, $0.partitionIndex, $0.committedOffset, $0.errorCode) }
            })
        let rest = batch.dropFirst().filter { results[$0] == nil }
        await withTaskGroup(of: (String, CommittedOffsets).self) { tasks in
            for group in rest {
                tasks.addTask {
                    do throws(KafkaError) {
                        return (group, .success(KafkaCommittedOffsets(try await self.committedOffsets(group: group))))
                    } catch {
                        return (group, .failure(error))
                    }
                }
            }
            for await (group, result) in tasks { results[group] = result }
        }
        return results
    }

    /// The group's committed offsets for every partition it committed to. Versions 0 and 1
    /// cannot ask for "all topics"; there `partitions` (from Metadata) are asked for.
    /// A partition without a commit is left out (Kafka answers -1 for it).
    public func committedOffsets(
        group: String,
        partitions: [KafkaTopicPartition] = []
    ) async throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        guard let coordinator = await self.coordinators(for: [group])[group] else {
            throw KafkaError(code: .protocolViolation, api: FindCoordinatorRequest.apiName, detail: "no coordinator for group \(group)")
        }
        let address = try coordinator.get()
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
            .map { OffsetFetchRequest.OffsetFetchRequestTopic(name: $0.key, partitionIndexes: $0.value.map(\.partition).sorted()) }
            .sorted { $0.name < $1.name }
        let answer = try await self.send(to: address) { version in
            if version >= 8 {
                return OffsetFetchRequest(groups: [.init(groupId: group, topics: nil)])
            }
            return OffsetFetchRequest(groupId: group, topics: version >= 2 ? nil : byTopic)
        }
        let response = answer.response
        var errorCode = response.errorCode
        var partitionsRead: [(String, Int32, Int64, Int16)] = []
        if answer.version >= 8 {
            let entry = response.groups.first { $0.groupId == group }
            errorCode = entry?.errorCode ?? 0
            for topic in entry?.topics ?? [] {
                for partition in topic.partitions {
                    partitionsRead.append((topic.name, partition.partitionIndex, partition.committedOffset, partition.errorCode))
                }
            }
        } else {
            for topic in response.topics {
                for partition in topic.partitions {
                    partitionsRead.append((topic.name, partition.partitionIndex, partition.committedOffset, partition.errorCode))
                }
            }
        }
        return try self.offsets(group: group, errorCode: errorCode, address: address, partitions: partitionsRead).get().dictionary
    }

    /// The end (latest) offset of each partition: one ListOffsets per partition leader, for all
    /// its partitions, all leaders at once.
    public func latestOffsets(
        _ partitions: [KafkaTopicPartition],
        metadata: KafkaClusterMetadata
    ) async -> [KafkaTopicPartition: Result<Int64, KafkaError>] {
        var results: [KafkaTopicPartition: Result<Int64, KafkaError>] = [:]
        var leaders: [KafkaTopicPartition: Int32] = [:]
        for topic in metadata.topics {
            for partition in topic.partitions {
                leaders[KafkaTopicPartition(topic: topic.name, partition: partition.id)] = partition.leader
            }
        }
        let brokers = Dictionary(metadata.brokers.map { ($0.id, $0.address) }) { first, _ in first }
        var byLeader: [KafkaBrokerAddress: [KafkaTopicPartition]] = [:]
        for partition in partitions {
            guard let leader = leaders[partition], let address = brokers[leader] else {
                results[partition] = .failure(KafkaError(code: .brokerError(5), api: ListOffsetsRequest.apiName,
                                                         detail: "\(partition): no live leader"))
                continue
            }
            byLeader[address, default: []].append(partition)
        }
        await withTaskGroup(of: [KafkaTopicPartition: Result<Int64, KafkaError>].self) { tasks in
            for (address, batch) in byLeader {
                tasks.addTask {
                    var budget = Self.bulkheadBudget
                    return await self.bulkhead(batch, budget: &budget) { (piece: [KafkaTopicPartition]) throws(KafkaError) in
                        try await self.latestOffsets(piece, at: address)
                    }
                }
            }
            for await answer in tasks { results.merge(answer) { $1 } }
        }
        return results
    }

    /// One ListOffsets; throws when the request as a whole failed.
    private func latestOffsets(_ batch: [KafkaTopicPartition], at address: KafkaBrokerAddress) async throws(KafkaError) -> [KafkaTopicPartition: Result<Int64, KafkaError>] {
        var results: [KafkaTopicPartition: Result<Int64, KafkaError>] = [:]
        let topics = Dictionary(grouping: batch, by: \.topic)
            .map { topic, partitions in
                ListOffsetsRequest.ListOffsetsTopic(
                    name: topic,
                    partitions: partitions.sorted().map { .init(partitionIndex: $0.partition, timestamp: -1) }
                )
            }
            .sorted { $0.name < $1.name }
        let answer = try await self.send(to: address, dropIsBrokers: false) { _ in ListOffsetsRequest(replicaId: -1, topics: topics) }
        for topic in answer.response.topics {
            for partition in topic.partitions {
                let key = KafkaTopicPartition(topic: topic.name, partition: partition.partitionIndex)
                guard partition.errorCode == 0 else {
                    results[key] = .failure(KafkaError(
                        code: .brokerError(partition.errorCode), broker: address.description, api: ListOffsetsRequest.apiName,
                        detail: "\(key): \(KafkaErrorCode.describe(partition.errorCode))"
                    ))
                    continue
                }
                results[key] = .success(answer.version == 0 ? partition.oldStyleOffsets.first ?? -1 : partition.offset)
            }
        }
        for partition in batch where results[partition] == nil {
            results[partition] = .failure(KafkaError(code: .protocolViolation, broker: address.description, api: ListOffsetsRequest.apiName,
                                                     detail: "\(partition) missing from the answer"))
        }
        return results
    }

    // MARK: - Helpers

    /// One group's part of an OffsetFetch answer: its offsets, or its error.
    private func offsets(
        group: String, errorCode: Int16, address: KafkaBrokerAddress, partitions: [(String, Int32, Int64, Int16)]
    ) -> CommittedOffsets {
        guard errorCode == 0 else {
            self.forgetCoordinator(group, errorCode: errorCode)
            return .failure(KafkaError(code: .brokerError(errorCode), broker: address.description, api: OffsetFetchRequest.apiName,
                                       detail: "group \(group): \(KafkaErrorCode.describe(errorCode))"))
        }
        return .success(KafkaCommittedOffsets(partitions.filter { $0.2 >= 0 && $0.3 == 0 }.map { ($0.0, $0.1, $0.2) }))
    }

    /// A group's commits as read from version 8 on (partitions without a commit or with an error
    /// already left out), or its error.
    private func offsets(group: String, errorCode: Int16, address: KafkaBrokerAddress, commits: KafkaCommittedOffsets) -> CommittedOffsets {
        guard errorCode == 0 else { return offsets(group: group, errorCode: errorCode, address: address, partitions: []) }
        return .success(commits)
    }

    private func forgetCoordinator(_ group: String, errorCode: Int16) {
        if errorCode == 15 || errorCode == 16 {
            self.coordinators.removeValue(forKey: group)
        }
    }

    static func check(_ errorCode: Int16, address: KafkaBrokerAddress, api: String) throws(KafkaError) {
        guard errorCode == 0 else {
            throw KafkaError(code: .brokerError(errorCode), broker: address.description, api: api, detail: KafkaErrorCode.describe(errorCode))
        }
    }
}

import KafkaProtocol

// Consumer groups and offsets: what lag is computed from.
extension KafkaAdminClient {
    // MARK: - Groups

    /// Every group, from ListGroups on every broker (each lists the groups it coordinates).
    /// Fails if any broker cannot answer: a partial list would hide groups.
    public func listGroups() async throws(KafkaError) -> [KafkaGroupListing] {
        if self.knownBrokers.isEmpty { _ = try await self.metadata() }
        var groups: [String: KafkaGroupListing] = [:]
        for (_, address) in self.knownBrokers.sorted(by: { $0.key < $1.key }) {
            let answer = try await self.send(to: address) { _ in ListGroupsRequest() }
            try Self.check(answer.response.errorCode, address: address, api: ListGroupsRequest.apiName)
            for group in answer.response.groups {
                groups[group.groupId] = KafkaGroupListing(
                    id: group.groupId,
                    protocolType: group.protocolType,
                    state: answer.version >= 4 ? group.groupState : nil
                )
            }
        }
        return groups.values.sorted { $0.id < $1.id }
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
                    for coordinator in response.coordinators {
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

    /// DescribeGroups, one request per coordinator.
    public func describeGroups(_ groups: [String]) async -> [String: Result<KafkaGroupDescription, KafkaError>] {
        var results: [String: Result<KafkaGroupDescription, KafkaError>] = [:]
        var byCoordinator: [KafkaBrokerAddress: [String]] = [:]
        for (group, coordinator) in await self.coordinators(for: groups) {
            switch coordinator {
            case .success(let address): byCoordinator[address, default: []].append(group)
            case .failure(let error): results[group] = .failure(error)
            }
        }
        for (address, batch) in byCoordinator {
            do {
                let answer = try await self.send(to: address) { _ in DescribeGroupsRequest(groups: batch.sorted()) }
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
            } catch {
                for group in batch { results[group] = .failure(error) }
            }
        }
        return results
    }

    // MARK: - Offsets

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
        var offsets: [KafkaTopicPartition: Int64] = [:]
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
        if errorCode != 0 {
            self.forgetCoordinator(group, errorCode: errorCode)
            throw KafkaError(code: .brokerError(errorCode), broker: address.description, api: OffsetFetchRequest.apiName,
                             detail: "group \(group): \(KafkaErrorCode.describe(errorCode))")
        }
        for (topic, partition, offset, code) in partitionsRead where code == 0 && offset >= 0 {
            offsets[KafkaTopicPartition(topic: topic, partition: partition)] = offset
        }
        return offsets
    }

    /// The end (latest) offset of each partition, one ListOffsets per partition leader.
    public func latestOffsets(
        _ partitions: [KafkaTopicPartition],
        metadata: KafkaClusterMetadata
    ) async -> [KafkaTopicPartition: Result<Int64, KafkaError>] {
        var results: [KafkaTopicPartition: Result<Int64, KafkaError>] = [:]
        var byLeader: [KafkaBrokerAddress: [KafkaTopicPartition]] = [:]
        for partition in partitions {
            let leader = metadata.topics.first { $0.name == partition.topic }?
                .partitions.first { $0.id == partition.partition }?.leader
            guard let leader, let broker = metadata.brokers.first(where: { $0.id == leader }) else {
                results[partition] = .failure(KafkaError(code: .brokerError(5), api: ListOffsetsRequest.apiName,
                                                         detail: "\(partition): no live leader"))
                continue
            }
            byLeader[broker.address, default: []].append(partition)
        }
        for (address, batch) in byLeader {
            let topics = Dictionary(grouping: batch, by: \.topic)
                .map { topic, partitions in
                    ListOffsetsRequest.ListOffsetsTopic(
                        name: topic,
                        partitions: partitions.map { .init(partitionIndex: $0.partition, timestamp: -1) }
                    )
                }
                .sorted { $0.name < $1.name }
            do {
                let answer = try await self.send(to: address) { _ in ListOffsetsRequest(replicaId: -1, topics: topics) }
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
                        let offset = answer.version == 0 ? partition.oldStyleOffsets.first ?? -1 : partition.offset
                        results[key] = .success(offset)
                    }
                }
            } catch {
                for partition in batch { results[partition] = .failure(error) }
            }
        }
        return results
    }

    // MARK: - Helpers

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

import KafkaProtocol

// A fully populated sample of every message at every version: each field the version carries
// holds a value other than its default, and each field it does not carry holds its default
// (so that a round trip must give back exactly the sample). Written by hand from the 3.8.0
// specs, not by the generator, so that its mistakes and the generator's do not coincide.

/// A tag no spec uses, kept as an unknown tagged field and written back as it came.
private func unknownTags(_ flexible: Bool) -> [KafkaTaggedField] {
    flexible ? [KafkaTaggedField(tag: 90, data: [0xCA, 0xFE])] : []
}

/// The populated sample of `type` at `version`.
func populatedSample<M: KafkaMessage>(_ type: M.Type, version: Int16) -> M {
    let sample: any KafkaMessage
    let flexible = M.isFlexible(version: version)
    switch type {
    case is RequestHeader.Type:
        sample = RequestHeader(requestApiKey: 3, requestApiVersion: 12, correlationId: 0x0102_0304,
                               clientId: version >= 1 ? "lookout-é" : "", unknownTaggedFields: unknownTags(flexible))
    case is ResponseHeader.Type:
        sample = ResponseHeader(correlationId: -7, unknownTaggedFields: unknownTags(flexible))
    case is ApiVersionsRequest.Type:
        sample = ApiVersionsRequest(clientSoftwareName: version >= 3 ? "lookout" : "", clientSoftwareVersion: version >= 3 ? "0.1.0" : "",
                                    unknownTaggedFields: unknownTags(flexible))
    case is ApiVersionsResponse.Type:
        typealias R = ApiVersionsResponse
        let v3 = version >= 3
        sample = R(
            errorCode: 35,
            apiKeys: [R.ApiVersion(apiKey: 3, minVersion: 0, maxVersion: 12, unknownTaggedFields: unknownTags(flexible)),
                      R.ApiVersion(apiKey: 18, minVersion: 1, maxVersion: 3)],
            throttleTimeMs: version >= 1 ? 250 : 0,
            supportedFeatures: v3 ? [R.SupportedFeatureKey(name: "metadata.version", minVersion: 1, maxVersion: 20)] : [],
            finalizedFeaturesEpoch: v3 ? 42 : -1,
            finalizedFeatures: v3 ? [R.FinalizedFeatureKey(name: "metadata.version", maxVersionLevel: 19, minVersionLevel: 1)] : [],
            zkMigrationReady: v3,
            unknownTaggedFields: unknownTags(flexible))
    case is MetadataRequest.Type:
        sample = MetadataRequest(
            topics: [.init(topicId: version >= 10 ? KafkaUUID(mostSignificantBits: 5, leastSignificantBits: 6) : .zero, name: "orders"),
                     .init(name: "audit")],
            allowAutoTopicCreation: version >= 4 ? false : true,
            includeClusterAuthorizedOperations: (8...10).contains(version),
            includeTopicAuthorizedOperations: version >= 8,
            unknownTaggedFields: unknownTags(flexible))
    case is MetadataResponse.Type:
        var response = sampleMetadataResponse(version: version)
        response.unknownTaggedFields = unknownTags(flexible)
        sample = response
    case is DescribeClusterRequest.Type:
        sample = DescribeClusterRequest(includeClusterAuthorizedOperations: true, endpointType: version >= 1 ? 2 : 1,
                                        unknownTaggedFields: unknownTags(flexible))
    case is DescribeClusterResponse.Type:
        sample = DescribeClusterResponse(
            throttleTimeMs: 9, errorCode: 0, errorMessage: "fine", endpointType: version >= 1 ? 2 : 1, clusterId: "cluster-1",
            controllerId: 111,
            brokers: [.init(brokerId: 111, host: "b111", port: 9092, rack: "r1", unknownTaggedFields: unknownTags(flexible)),
                      .init(brokerId: 112, host: "b112", port: 9093, rack: nil)],
            clusterAuthorizedOperations: 0x0F0F, unknownTaggedFields: unknownTags(flexible))
    case is ListGroupsRequest.Type:
        sample = ListGroupsRequest(statesFilter: version >= 4 ? ["Stable", "Empty"] : [], typesFilter: version >= 5 ? ["classic"] : [],
                                   unknownTaggedFields: unknownTags(flexible))
    case is ListGroupsResponse.Type:
        sample = ListGroupsResponse(
            throttleTimeMs: version >= 1 ? 3 : 0, errorCode: 15,
            groups: [.init(groupId: "billing", protocolType: "consumer", groupState: version >= 4 ? "Stable" : "",
                           groupType: version >= 5 ? "classic" : "", unknownTaggedFields: unknownTags(flexible)),
                     .init(groupId: "", protocolType: "")],
            unknownTaggedFields: unknownTags(flexible))
    case is FindCoordinatorRequest.Type:
        sample = FindCoordinatorRequest(key: version <= 3 ? "billing" : "", keyType: version >= 1 ? 1 : 0,
                                        coordinatorKeys: version >= 4 ? ["billing", "analytics"] : [],
                                        unknownTaggedFields: unknownTags(flexible))
    case is FindCoordinatorResponse.Type:
        let old = version <= 3
        sample = FindCoordinatorResponse(
            throttleTimeMs: version >= 1 ? 4 : 0, errorCode: old ? 15 : 0, errorMessage: (1...3).contains(version) ? "not yet" : "",
            nodeId: old ? 111 : 0, host: old ? "b111" : "", port: old ? 9092 : 0,
            coordinators: old ? [] : [.init(key: "billing", nodeId: 111, host: "b111", port: 9092, errorCode: 0, errorMessage: nil,
                                            unknownTaggedFields: unknownTags(flexible)),
                                      .init(key: "analytics", nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: "loading")],
            unknownTaggedFields: unknownTags(flexible))
    case is DescribeGroupsRequest.Type:
        sample = DescribeGroupsRequest(groups: ["billing", "analytics"], includeAuthorizedOperations: version >= 3,
                                       unknownTaggedFields: unknownTags(flexible))
    case is DescribeGroupsResponse.Type:
        typealias Group = DescribeGroupsResponse.DescribedGroup
        sample = DescribeGroupsResponse(
            throttleTimeMs: version >= 1 ? 5 : 0,
            groups: [
                Group(errorCode: 0, groupId: "billing", groupState: "Stable", protocolType: "consumer", protocolData: "range",
                      members: [.init(memberId: "m-1", groupInstanceId: version >= 4 ? "instance-1" : nil, clientId: "c-1", clientHost: "/10.0.0.1",
                                      memberMetadata: [0, 1, 2], memberAssignment: [3, 4], unknownTaggedFields: unknownTags(flexible)),
                                .init(memberId: "m-2", clientId: "c-2", clientHost: "/10.0.0.2", memberMetadata: [], memberAssignment: [0xFF])],
                      authorizedOperations: version >= 3 ? 0x0A : Int32.min, unknownTaggedFields: unknownTags(flexible)),
                Group(errorCode: 16, groupId: "gone", groupState: "Dead", protocolType: "", protocolData: "", members: []),
            ],
            unknownTaggedFields: unknownTags(flexible))
    case is OffsetFetchRequest.Type:
        typealias R = OffsetFetchRequest
        let batched = version >= 8
        sample = R(
            groupId: batched ? "" : "billing",
            topics: batched ? [] : [R.OffsetFetchRequestTopic(name: "orders", partitionIndexes: [0, 2], unknownTaggedFields: unknownTags(flexible))],
            groups: batched ? [
                R.OffsetFetchRequestGroup(groupId: "billing", memberId: version >= 9 ? "m-1" : nil, memberEpoch: version >= 9 ? 7 : -1,
                                          topics: [.init(name: "orders", partitionIndexes: [0, 1], unknownTaggedFields: unknownTags(flexible))],
                                          unknownTaggedFields: unknownTags(flexible)),
                R.OffsetFetchRequestGroup(groupId: "all", topics: nil),
            ] : [],
            requireStable: version >= 7,
            unknownTaggedFields: unknownTags(flexible))
    case is OffsetFetchResponse.Type:
        typealias R = OffsetFetchResponse
        let batched = version >= 8
        sample = R(
            throttleTimeMs: version >= 3 ? 6 : 0,
            topics: batched ? [] : [R.OffsetFetchResponseTopic(name: "orders", partitions: [
                .init(partitionIndex: 0, committedOffset: 1234, committedLeaderEpoch: version >= 5 ? 3 : -1, metadata: "meta",
                      errorCode: 0, unknownTaggedFields: unknownTags(flexible)),
                .init(partitionIndex: 1, committedOffset: -1, metadata: nil, errorCode: 0),
            ], unknownTaggedFields: unknownTags(flexible))],
            errorCode: (2...7).contains(version) ? 14 : 0,
            groups: batched ? [R.OffsetFetchResponseGroup(groupId: "billing", topics: [.init(name: "orders", partitions: [
                .init(partitionIndex: 0, committedOffset: 99, committedLeaderEpoch: 2, metadata: "", errorCode: 0, unknownTaggedFields: unknownTags(flexible)),
                .init(partitionIndex: 1, committedOffset: -1, metadata: nil, errorCode: 3),
            ], unknownTaggedFields: unknownTags(flexible))], errorCode: 16, unknownTaggedFields: unknownTags(flexible))] : [],
            unknownTaggedFields: unknownTags(flexible))
    case is ListOffsetsRequest.Type:
        sample = ListOffsetsRequest(
            replicaId: -1, isolationLevel: version >= 2 ? 1 : 0,
            topics: [.init(name: "orders", partitions: [
                .init(partitionIndex: 0, currentLeaderEpoch: version >= 4 ? 8 : -1, timestamp: -1, maxNumOffsets: version == 0 ? 5 : 1,
                      unknownTaggedFields: unknownTags(flexible)),
                .init(partitionIndex: 3, timestamp: 1_800_000_000_000),
            ], unknownTaggedFields: unknownTags(flexible))],
            unknownTaggedFields: unknownTags(flexible))
    case is ListOffsetsResponse.Type:
        sample = ListOffsetsResponse(
            throttleTimeMs: version >= 2 ? 8 : 0,
            topics: [.init(name: "orders", partitions: [
                .init(partitionIndex: 0, errorCode: 0, oldStyleOffsets: version == 0 ? [42, 7] : [],
                      timestamp: version >= 1 ? 1_800_000_000_000 : -1, offset: version >= 1 ? 42 : -1,
                      leaderEpoch: version >= 4 ? 9 : -1, unknownTaggedFields: unknownTags(flexible)),
                .init(partitionIndex: 1, errorCode: 6),
            ], unknownTaggedFields: unknownTags(flexible))],
            unknownTaggedFields: unknownTags(flexible))
    case is SaslHandshakeRequest.Type:
        sample = SaslHandshakeRequest(mechanism: "SCRAM-SHA-512")
    case is SaslHandshakeResponse.Type:
        sample = SaslHandshakeResponse(errorCode: 33, mechanisms: ["PLAIN", "SCRAM-SHA-256"])
    case is SaslAuthenticateRequest.Type:
        sample = SaslAuthenticateRequest(authBytes: Array("n,,n=admin,r=abc".utf8), unknownTaggedFields: unknownTags(flexible))
    case is SaslAuthenticateResponse.Type:
        sample = SaslAuthenticateResponse(errorCode: 58, errorMessage: "bad", authBytes: [1, 2, 3, 0],
                                          sessionLifetimeMs: version >= 1 ? 3_600_000 : 0, unknownTaggedFields: unknownTags(flexible))
    default:
        fatalError("no populated sample for \(M.self)")
    }
    return sample as! M
}

import KafkaProtocol

/// Every generated message type.
let allMessageTypes: [any KafkaMessage.Type] = [
    RequestHeader.self, ResponseHeader.self,
    ApiVersionsRequest.self, ApiVersionsResponse.self,
    MetadataRequest.self, MetadataResponse.self,
    DescribeClusterRequest.self, DescribeClusterResponse.self,
    ListGroupsRequest.self, ListGroupsResponse.self,
    FindCoordinatorRequest.self, FindCoordinatorResponse.self,
    DescribeGroupsRequest.self, DescribeGroupsResponse.self,
    OffsetFetchRequest.self, OffsetFetchResponse.self,
    ListOffsetsRequest.self, ListOffsetsResponse.self,
    SaslHandshakeRequest.self, SaslHandshakeResponse.self,
    SaslAuthenticateRequest.self, SaslAuthenticateResponse.self,
]

let allResponseTypes: [any KafkaResponseMessage.Type] = allMessageTypes.compactMap { $0 as? any KafkaResponseMessage.Type }

/// A Metadata answer that uses every field the version has.
func sampleMetadataResponse(version: Int16) -> MetadataResponse {
    typealias Broker = MetadataResponse.MetadataResponseBroker
    typealias Topic = MetadataResponse.MetadataResponseTopic
    typealias Partition = Topic.MetadataResponsePartition
    return MetadataResponse(
        throttleTimeMs: version >= 3 ? 7 : 0,
        brokers: [
            Broker(nodeId: 1, host: "b1.example", port: 9092, rack: version >= 1 ? "eu-west-1a" : nil),
            Broker(nodeId: 2, host: "b2.example", port: 9093, rack: nil),
        ],
        clusterId: version >= 2 ? "cluster-é" : nil,
        controllerId: version >= 1 ? 2 : -1,
        topics: [
            Topic(
                errorCode: 0,
                name: "orders",
                topicId: version >= 10 ? KafkaUUID(mostSignificantBits: 1, leastSignificantBits: 2) : .zero,
                isInternal: false,
                partitions: [
                    Partition(
                        errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: version >= 7 ? 4 : -1,
                        replicaNodes: [1, 2, 3], isrNodes: [1, 2], offlineReplicas: version >= 5 ? [3] : []
                    ),
                    Partition(errorCode: 5, partitionIndex: 1, leaderId: -1, replicaNodes: [2], isrNodes: []),
                ],
                topicAuthorizedOperations: version >= 8 ? 0x0F : Int32.min
            ),
            Topic(errorCode: 3, name: "gone", isInternal: version >= 1, topicAuthorizedOperations: version >= 8 ? 0 : Int32.min),
        ],
        clusterAuthorizedOperations: (8...10).contains(version) ? 3 : Int32.min
    )
}

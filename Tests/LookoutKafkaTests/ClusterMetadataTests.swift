import KafkaProtocol
import LookoutKafka
import NIOCore
import Testing

/// Tansu never shows under-replicated or offline partitions (one broker, replicas equal ISR),
/// so the rules are proven here on decoded Metadata answers.
@Suite("Cluster metadata judgements")
struct ClusterMetadataTests {
    typealias Broker = MetadataResponse.MetadataResponseBroker
    typealias Topic = MetadataResponse.MetadataResponseTopic
    typealias Partition = Topic.MetadataResponsePartition

    /// Encodes the answer as a broker would and decodes it as lookout does.
    func decoded(_ response: MetadataResponse, version: Int16) throws -> KafkaClusterMetadata {
        var wire = ByteBuffer()
        try response.encode(into: &wire, version: version)
        return KafkaClusterMetadata(try MetadataResponse(from: &wire, version: version))
    }

    func threeBrokers(_ topics: [Topic], controller: Int32 = 2) -> MetadataResponse {
        MetadataResponse(
            brokers: [
                Broker(nodeId: 1, host: "b1", port: 9092),
                Broker(nodeId: 2, host: "b2", port: 9092),
                Broker(nodeId: 3, host: "b3", port: 9092),
            ],
            clusterId: "prod",
            controllerId: controller,
            topics: topics
        )
    }

    @Test(arguments: [Int16(1), 5, 9, 12])
    func underReplicatedMeansFewerInSyncThanAssigned(version: Int16) throws {
        let metadata = try decoded(threeBrokers([
            Topic(name: "orders", partitions: [
                Partition(partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2, 3], isrNodes: [1, 2, 3]),
                Partition(partitionIndex: 1, leaderId: 2, replicaNodes: [2, 3, 1], isrNodes: [2, 3]),
                Partition(partitionIndex: 2, leaderId: 3, replicaNodes: [3, 1, 2], isrNodes: [3]),
            ]),
            Topic(name: "audit", partitions: [
                Partition(partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1]),
            ]),
        ]), version: version)
        let orders = try #require(metadata.topics.first { $0.name == "orders" })
        #expect(orders.underReplicatedPartitions.map(\.id) == [1, 2])
        #expect(metadata.underReplicatedCount == 2)
        #expect(metadata.offlineCount == 0)
        #expect(metadata.partitionCount == 4)
        #expect(metadata.controller?.host == "b2")
        #expect(metadata.brokers.map(\.id) == [1, 2, 3])
    }

    @Test func offlineMeansNoLiveLeader() throws {
        let metadata = try decoded(threeBrokers([
            Topic(name: "orders", partitions: [
                Partition(errorCode: 5, partitionIndex: 0, leaderId: -1, replicaNodes: [3], isrNodes: [], offlineReplicas: [3]),
                Partition(partitionIndex: 1, leaderId: 4, replicaNodes: [4, 1], isrNodes: [4]),
                Partition(partitionIndex: 2, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1, 2]),
            ]),
        ]), version: 12)
        let orders = try #require(metadata.topics.first)
        #expect(metadata.offlinePartitions(of: orders).map(\.id) == [0, 1])
        #expect(metadata.offlineCount == 2)
        #expect(orders.partitions[0].offlineReplicas == [3])
        #expect(orders.partitions[0].errorCode == 5)
        // Both offline partitions are also under-replicated; a healthy one is neither.
        #expect(metadata.underReplicatedCount == 2)
    }

    @Test func aMissingControllerIsNil() throws {
        let none = try decoded(threeBrokers([], controller: -1), version: 12)
        #expect(none.controllerID == nil)
        #expect(none.controller == nil)
        let unknown = try decoded(threeBrokers([], controller: 7), version: 12)
        #expect(unknown.controllerID == 7)
        #expect(unknown.controller == nil, "the controller is not among the brokers listed")
        let version0 = try decoded(threeBrokers([], controller: 2), version: 0)
        #expect(version0.controllerID == nil, "version 0 has no controller field")
        #expect(version0.clusterID == nil, "version 0 has no cluster id")
    }

    @Test func tansuShapedReplicasAreHealthy() throws {
        let response = MetadataResponse(
            brokers: [Broker(nodeId: 111, host: "127.0.0.1", port: 47001)],
            clusterId: "dev",
            controllerId: 111,
            topics: [Topic(name: "t", partitions: [
                Partition(partitionIndex: 0, leaderId: 111, replicaNodes: [111, 111, 111], isrNodes: [111, 111, 111]),
            ])]
        )
        let metadata = try decoded(response, version: 12)
        #expect(metadata.underReplicatedCount == 0)
        #expect(metadata.offlineCount == 0)
        #expect(metadata.clusterID == "dev")
        #expect(metadata.controller?.address == KafkaBrokerAddress(host: "127.0.0.1", port: 47001))
    }
}

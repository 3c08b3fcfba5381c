import LookoutConfig
import LookoutEnvironment
import LookoutKafka
import LookoutModel

/// The cluster's metadata: brokers, controller, topics and their partitions' health. The client
/// connects as the cluster is secured (`KafkaConnectionOptions`).
struct KafkaFetch {
    let client: KafkaAdminClient
    let config: KafkaConfig

    // Swift 6.3.1's optimizer crashes (signal 11, while splitting this coroutine) on this function
    // in release builds; it is not hot, so it is left unoptimized.
    @_optimize(none)
    func fetch() async throws -> KafkaObservation {
        let metadata = try await client.metadata()
        return KafkaObservation(
            clusterId: metadata.clusterID,
            controller: metadata.controllerID.map(Int.init),
            brokers: metadata.brokers.map { KafkaObservation.Broker(id: Int($0.id), host: $0.host, port: Int($0.port)) },
            topics: metadata.topics.filter { !$0.isInternal }.map { topic in
                let offline = Set(metadata.offlinePartitions(of: topic).map(\.id))
                return KafkaObservation.Topic(name: topic.name, partitionList: topic.partitions.map { partition in
                    KafkaObservation.Partition(
                        id: Int(partition.id), leader: partition.leader >= 0 ? Int(partition.leader) : nil,
                        replicas: partition.replicas.map(Int.init), isr: partition.isr.map(Int.init),
                        underReplicated: partition.isUnderReplicated, offline: offline.contains(partition.id))
                })
            })
    }
}

import LookoutConfig
import LookoutKafka
import LookoutModel

/// The cluster's metadata: brokers, controller, topics and their partitions' health.
struct KafkaSource {
    let client: KafkaAdminClient
    let config: KafkaConfig

    func fetch() async throws -> KafkaObservation {
        // Reaching a secured cluster needs TLS and SASL in the Kafka client, which is not built yet.
        var missing: [String] = []
        if config.tls != nil { missing.append("TLS") }
        if let sasl = config.sasl { missing.append("SASL \(sasl.mechanism.rawValue)") }
        guard missing.isEmpty else {
            throw SourceProblem("\(missing.joined(separator: " and ")) to the brokers is not supported by lookout yet, so this cluster cannot be read")
        }
        let metadata = try await client.metadata()
        return KafkaObservation(
            clusterId: metadata.clusterID,
            controller: metadata.controllerID.map(Int.init),
            brokers: metadata.brokers.map { KafkaObservation.Broker(id: Int($0.id), host: $0.host, port: Int($0.port)) },
            topics: metadata.topics.filter { !$0.isInternal }.map { topic in
                KafkaObservation.Topic(name: topic.name, partitions: topic.partitions.count,
                                       underReplicated: topic.underReplicatedPartitions.count,
                                       offline: metadata.offlinePartitions(of: topic).count)
            })
    }
}

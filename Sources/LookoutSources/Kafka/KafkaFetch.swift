import LookoutConfig
import LookoutEnvironment
import LookoutKafka
import LookoutModel
import LookoutProbes
import X509
import Foundation

/// The cluster's metadata: brokers, controller, topics and their partitions' health. The client
/// connects as the cluster is secured (`KafkaConnectionOptions`).
struct KafkaFetch {
    let client: KafkaAdminClient
    let config: KafkaConfig

    // Swift 6.3.1's optimizer crashes (signal 11, while splitting this coroutine) on this function
    // in release builds; it is not hot, so it is left unoptimized.
    @_optimize(none)
    func fetch() async throws -> KafkaObservation {
        let metadata = try await Self.saysWhyUntrusted(bootstrap: config.bootstrap) { try await client.metadata() }
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

    /// A chain BoringSSL refuses is only "not trusted": when the certificate served is expired
    /// or not yet valid, say so, read again without verification (as the certificates source
    /// reads what is served), so the on-call engineer is not sent to check the CA file.
    static func saysWhyUntrusted<T: Sendable>(bootstrap: [Address], _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var error as KafkaError where error.code == .certificateUntrusted {
            let address = error.broker.flatMap(Self.address) ?? bootstrap.first
            if let address, let chain = try? await ServedChain.fetch(host: address.host, port: address.port, timeout: .seconds(2)),
               let why = Self.validity(chain, now: Date()) {
                error.detail = "\(why); \(error.detail)"
            }
            throw error
        }
    }

    /// The first certificate of the chain outside its validity, in words.
    static func validity(_ chain: [Certificate], now: Date) -> String? {
        for (index, certificate) in chain.enumerated() {
            let which = index == 0 ? "the served certificate" : "the served chain's certificate \(certificate.subject)"
            if certificate.notValidAfter < now { return "\(which) expired \(certificate.notValidAfter.ISO8601Format())" }
            if certificate.notValidBefore > now { return "\(which) is not valid before \(certificate.notValidBefore.ISO8601Format())" }
        }
        return nil
    }

    static func address(_ text: String) -> Address? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return Address(host: String(text[..<colon]), port: port)
    }
}

import LookoutConfig
import LookoutKafka

/// Reads Kafka metadata for the broker gate, or says why it cannot.
public struct KafkaProbe: Sendable {
    let client: KafkaAdminClient?
    let unsupported: String?

    public init(environment: EnvironmentConfig) {
        guard let kafka = environment.kafka else {
            client = nil
            unsupported = "environment `\(environment.name)` has no kafka section, so the broker gate cannot check Kafka; refusing to roll broker services"
            return
        }
        // lookout's Kafka client speaks PLAINTEXT only so far; pretending the gate passed on a
        // cluster it cannot read would defeat the gate.
        if kafka.tls != nil || kafka.sasl != nil {
            let security = [kafka.tls != nil ? "TLS" : nil, kafka.sasl.map { "SASL \($0.mechanism.rawValue)" }].compactMap { $0 }
            client = nil
            unsupported = "lookout cannot read `\(environment.name)`'s Kafka yet (\(security.joined(separator: " + ")) is not built), so the broker gate cannot run; refusing to roll broker services"
            return
        }
        client = KafkaAdminClient(configuration: KafkaAdminClient.Configuration(
            bootstrap: kafka.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) },
            connectTimeout: .seconds(3), requestTimeout: .seconds(5), reconnectBackoff: .milliseconds(200),
            maximumReconnectBackoff: .seconds(1)))
        unsupported = nil
    }

    public func view() async -> KafkaView {
        guard let client else { return .unsupported(unsupported ?? "no Kafka client") }
        do {
            return .metadata(try await client.metadata())
        } catch {
            return .unreachable("\(error)")
        }
    }

    public func shutdown() async {
        await client?.shutdown()
    }
}

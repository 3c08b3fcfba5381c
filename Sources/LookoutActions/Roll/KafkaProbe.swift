import LookoutAWS
import LookoutConfig
import LookoutKafka
import LookoutEnvironment

/// Reads Kafka metadata for the broker gate, connecting as the cluster is secured (TLS, SASL:
/// `KafkaConnectionOptions`, the secrets read through the AWS client at each connection), or
/// says why it cannot.
public struct KafkaProbe: Sendable {
    let client: KafkaAdminClient?
    let unsupported: String?
    let connection: KafkaAdminClient.Configuration?

    public init(environment: EnvironmentConfig, aws: AWSClient) {
        // At most 3 s to connect and 5 s a request, and never more than `timeouts.source`.
        guard var configuration = EnvironmentClients.kafka(
            environment, aws: aws, connectTimeout: min(.seconds(3), environment.timeouts.source.swiftDuration),
            requestTimeout: min(.seconds(5), environment.timeouts.source.swiftDuration))
        else {
            client = nil
            connection = nil
            unsupported = "environment `\(environment.name)` has no kafka section, so the broker gate cannot check Kafka; refusing to roll broker services"
            return
        }
        configuration.reconnectBackoff = .milliseconds(200)
        configuration.maximumReconnectBackoff = .seconds(1)
        connection = configuration
        client = KafkaAdminClient(configuration: configuration)
        unsupported = nil
    }

    /// What the cluster shows now, through the probe's one client (it reconnects, reading the
    /// secrets again, when the brokers drop it).
    public func view() async -> KafkaView {
        guard let client else { return .unsupported(unsupported ?? "no Kafka client") }
        // Each view is a poll of its own: a broker that failed in an earlier one is tried again.
        await client.beginPoll()
        do {
            return .metadata(try await client.metadata())
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// A new connection, made now with the secrets as SSM holds them now (a rotated password is
    /// read again): its Metadata, or why it failed. The connection is closed before returning.
    public func freshView() async -> KafkaView {
        guard let connection else { return .unsupported(unsupported ?? "no Kafka client") }
        let fresh = KafkaAdminClient(configuration: connection)
        do {
            let metadata = try await fresh.metadata()
            await fresh.shutdown()
            return .metadata(metadata)
        } catch {
            await fresh.shutdown()
            return .unreachable("\(error)")
        }
    }

    public func shutdown() async {
        await client?.shutdown()
    }
}

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

    /// What the cluster shows, asked up to `attempts` times a second apart while Metadata does not
    /// answer: a broker that restarts (the one just rolled, or another) closes the probe's
    /// connection, and one closed connection is no reason to refuse a roll. Kafka that stays
    /// unreachable is still refused, `attempts - 1` seconds later; a signal ends the waits at once.
    /// Partition problems are not asked again: they are the gate's own answer.
    public func settledView(attempts: Int = 3) async -> KafkaView {
        var view = await self.view()
        var tried = 1
        while case .unreachable = view, tried < attempts {
            if await Interruption.wait(.seconds(1)) { return view }
            view = await self.view()
            tried += 1
            if case .unreachable(let again) = view, tried == attempts {
                view = .unreachable("\(again) (asked \(attempts) times, a second apart)")
            }
        }
        return view
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

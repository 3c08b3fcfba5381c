import Foundation
import LookoutAWS
import LookoutConfig
import LookoutEnvironment
import LookoutKafka
import LookoutModel
import LookoutSources

/// Polls every source of one environment at once, each bounded by its own timeout.
public struct EnvironmentPoller: Sendable {
    public let config: EnvironmentConfig
    public let sourceTimeout: Duration
    let client: AWSClient
    let kafkaClient: KafkaAdminClient?
    /// Kept across this poller's polls: a steady cycle asks only for what may have changed.
    let memory = PollMemory()

    /// - Parameter sourceTimeout: each source's limit; nil: the config's `timeouts.source`.
    public init(config: EnvironmentConfig, sourceTimeout: Duration? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        let sourceTimeout = sourceTimeout ?? config.timeouts.source.swiftDuration
        self.sourceTimeout = sourceTimeout
        let requestTimeout = Duration.seconds(max(1, sourceTimeout.components.seconds - 1))
        client = EnvironmentClients.aws(config, timeout: requestTimeout, connectTimeout: .seconds(3), environment: environment)
        kafkaClient = EnvironmentClients.kafka(config, aws: client, connectTimeout: .seconds(3), requestTimeout: requestTimeout)
            .map { KafkaAdminClient(configuration: $0) }
    }

    /// Closes the Kafka connections this poller holds.
    public func shutdown() async {
        await kafkaClient?.shutdown()
    }

    /// Every configured source at once, as `SourceRegistry` lists them.
    public func poll() async -> EnvironmentObservations {
        await SourceRegistry.readAll(FetchContext(config: config, aws: client, kafka: kafkaClient, memory: memory), timeout: sourceTimeout)
    }
}

import Foundation
import LookoutAWS
import LookoutConfig
import LookoutEnvironment
import LookoutKafka
import LookoutModel

/// Polls every source of one environment at once, each bounded by its own timeout.
public struct EnvironmentPoller: Sendable {
    public let config: EnvironmentConfig
    public let sourceTimeout: Duration
    let client: AWSClient
    let kafkaClient: KafkaAdminClient?

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

    public func poll() async -> EnvironmentObservations {
        let name = config.name
        let timeout = sourceTimeout
        let client = client
        async let ecs = optionalPoll(config.ecs) { ecs in
            await LookoutPolling.poll("ecs", environment: name, timeout: timeout) { try await ECSSource(client: client, config: ecs).fetch() }
        }
        async let autoscaling = optionalPoll(config.autoscaling) { groups in
            await LookoutPolling.poll("autoscaling", environment: name, timeout: timeout) { try await AutoScalingSource(client: client, config: groups).fetch() }
        }
        async let secrets = optionalPoll(config.secrets.isEmpty ? nil : config.secrets) { secrets in
            await LookoutPolling.poll("secrets", environment: name, timeout: timeout) { try await SecretsSource(client: client, secrets: secrets).fetch() }
        }
        let caFile = config.kafka?.tls?.caFile
        async let certificates = optionalPoll(config.certificates) { certificates in
            await LookoutPolling.poll("certificates", environment: name, timeout: timeout) {
                try await CertificatesSource(client: client, config: certificates, caFile: caFile).fetch()
            }
        }
        let checked = config.endpoints.filter { $0.route53HealthCheck != nil }
        async let route53 = optionalPoll(checked.isEmpty ? nil : checked) { endpoints in
            await LookoutPolling.poll("route53", environment: name, timeout: timeout) { try await Route53Source(client: client, endpoints: endpoints).fetch() }
        }
        let kafkaClient = kafkaClient
        // Metadata and groups share the poll: a broker that fails in it is tried once.
        await kafkaClient?.beginPoll()
        async let kafkaAndGroups = optionalPoll(config.kafka) { kafkaConfig in
            let kafka = await LookoutPolling.poll("kafka", environment: name, timeout: timeout) {
                try await KafkaSource(client: kafkaClient!, config: kafkaConfig).fetch()
            }
            // Groups after the metadata, with a timeout of their own: a cluster that cannot be read
            // costs one wait, and failing group reads leave the metadata standing.
            guard kafka.error == nil else {
                return KafkaOutcomes(kafka: kafka, groups: .failed(
                    "groups", error: "\(name) groups: not read, as the cluster's metadata could not be read (\(kafka.error ?? ""))", at: Date(), durationMs: 0))
            }
            let groups = await LookoutPolling.poll("groups", environment: name, timeout: timeout) {
                try await KafkaSource(client: kafkaClient!, config: kafkaConfig).fetchGroups()
            }
            return KafkaOutcomes(kafka: kafka, groups: groups)
        }
        let environment = config
        async let endpoints = optionalPoll(config.endpoints.isEmpty ? nil : config.endpoints) { _ in
            await LookoutPolling.poll("endpoints", environment: name, timeout: timeout) {
                try await EndpointsSource(client: client, environment: environment).fetch()
            }
        }
        let kafka = await kafkaAndGroups
        return await EnvironmentObservations(ecs: ecs, autoscaling: autoscaling, secrets: secrets, certificates: certificates,
                                             route53: route53, kafka: kafka?.kafka, groups: kafka?.groups, endpoints: endpoints)
    }
}

private struct KafkaOutcomes: Sendable {
    var kafka: SourceOutcome<KafkaObservation>
    var groups: SourceOutcome<GroupsObservation>
}

private func optionalPoll<C: Sendable, T: Sendable>(_ config: C?, _ body: @Sendable (C) async -> T) async -> T? {
    guard let config else { return nil }
    return await body(config)
}

import Foundation
import LookoutAWS
import LookoutConfig
import LookoutKafka

/// The one place an environment's clients are built from the config, for the pollers and the
/// actions alike: its AWS client (region, profile, role, endpoint, timeouts) and its Kafka
/// client's configuration (bootstrap, TLS and SASL with the secrets read through that AWS client
/// at each connection: `KafkaConnectionOptions`).
public enum EnvironmentClients {
    /// The environment's AWS client: each request at most `timeout`, its connection at most
    /// `connectTimeout` of it.
    public static func aws(_ config: EnvironmentConfig, timeout: Duration, connectTimeout: Duration = .seconds(3),
                           environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSClient {
        AWSClient(
            configuration: AWSConfiguration(
                environmentName: config.name, region: config.aws.region, profile: config.aws.profile,
                roleArn: config.aws.roleARN?.description, endpoint: config.aws.endpoint?.absoluteString,
                connectTimeout: min(connectTimeout, timeout), timeout: timeout),
            environment: environment)
    }

    /// The configuration of the environment's Kafka client, connecting as the cluster is secured;
    /// nil when the environment has no `kafka` section.
    public static func kafka(_ config: EnvironmentConfig, aws: AWSClient, connectTimeout: Duration,
                             requestTimeout: Duration) -> KafkaAdminClient.Configuration? {
        config.kafka.map { kafka in
            KafkaConnectionOptions.configuration(
                bootstrap: kafka.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) }, kafka: kafka, aws: aws,
                connectTimeout: connectTimeout, requestTimeout: requestTimeout)
        }
    }
}

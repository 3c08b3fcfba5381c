import LookoutModel

/// Every source lookout reads, one line each. The poller reads them, the evaluator judges them in
/// this order (a source may use what the ones before it judged: secrets and certificates the ECS
/// tasks' start times, the endpoints the tracked certificates' serials and the health checks), and
/// `sources` lists them in it. Each output orders their parts by `Source.placement`.
public enum SourceRegistry {
    public static let all: [any Source.Type] = [
        ECSSource.self,
        AutoScalingSource.self,
        SecretsSource.self,
        CertificatesSource.self,
        Route53Source.self,
        KafkaSource.self,
        GroupsSource.self,
        EndpointsSource.self,
    ]

    /// The sources with a part in one output, in that output's order.
    public static func placed(by position: KeyPath<OutputPlacement, Int?>) -> [any Source.Type] {
        all.compactMap { source in source.placement[keyPath: position].map { (source, $0) } }
            .sorted { $0.1 < $1.1 }.map(\.0)
    }
}

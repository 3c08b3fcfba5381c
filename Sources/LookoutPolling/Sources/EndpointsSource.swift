import Foundation
import LookoutAWS
import LookoutConfig
import LookoutKafka
import LookoutModel
import LookoutProbes
import LookoutX509
import X509

/// Every endpoint of the environment, probed at once.
struct EndpointsSource {
    let client: AWSClient
    let environment: EnvironmentConfig

    func fetch() async throws -> [EndpointObservation] {
        let anchors = try await trustAnchors()
        let probes = environment.endpoints.map { endpoint in
            EndpointProbe(config: endpoint, anchors: anchors, kafkaRoundTrip: roundTrip(for: endpoint),
                          kafkaOffReason: "a Kafka round trip over TLS or SASL is not supported by lookout yet")
        }
        return await withTaskGroup(of: (Int, EndpointObservation).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask { (index, await probe.run()) }
            }
            var results: [(Int, EndpointObservation)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// ApiVersions and Metadata against the address the probe connected to, where lookout can
    /// speak to the cluster (plaintext, no SASL).
    func roundTrip(for endpoint: EndpointConfig) -> (@Sendable (Address) async throws -> Void)? {
        let secured = environment.kafka.map { $0.tls != nil || $0.sasl != nil } ?? false
        guard endpoint.kafka, !endpoint.tls, !secured else { return nil }
        let timeout = endpoint.timeout.swiftDuration
        return { address in
            let client = KafkaAdminClient(configuration: KafkaAdminClient.Configuration(
                bootstrap: [KafkaBrokerAddress(host: address.host, port: address.port)],
                connectTimeout: timeout, requestTimeout: timeout))
            do {
                _ = try await client.metadata()
                await client.shutdown()
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    /// `kafka.tls.ca_file` when set, else the Private CA's certificate and chain; none → chains are not judged.
    func trustAnchors() async throws -> [Certificate] {
        if let caFile = environment.kafka?.tls?.caFile {
            guard let text = try? String(contentsOfFile: caFile, encoding: .utf8) else { throw SourceProblem("cannot read the CA file \(caFile)") }
            return try certificates(fromPEM: text)
        }
        guard let pca = environment.certificates?.pca?.description ?? environment.kafka?.tls?.caPCA?.description else { return [] }
        let pem = try await client.acmPCA.getCertificateAuthorityCertificate(arn: pca)
        return try (pem.certificate.map { try certificates(fromPEM: $0) } ?? []) + (pem.certificateChain.map { try certificates(fromPEM: $0) } ?? [])
    }
}

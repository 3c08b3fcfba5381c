import Foundation
import LookoutAWS
import LookoutConfig
import LookoutEnvironment
import LookoutKafka
import LookoutModel
import LookoutProbes
import LookoutX509
import X509

/// Every endpoint of the environment, probed at once.
struct EndpointsFetch {
    let client: AWSClient
    let environment: EnvironmentConfig

    func fetch() async throws -> [EndpointObservation] {
        // The anchors judge served chains: a plaintext environment needs none, and so does not
        // depend on the Private CA's answer.
        let anchors = environment.endpoints.contains(where: \.tls) ? try await trustAnchors() : []
        // The secrets a round trip needs (password, CA) are read before the probes start, so that
        // the Kafka phase times the broker, not SSM.
        var probes: [EndpointProbe] = []
        for endpoint in environment.endpoints {
            let security = endpoint.kafka ? await resolvedSecurity(for: endpoint) : nil
            probes.append(EndpointProbe(config: endpoint, anchors: anchors, kafkaRoundTrip: roundTrip(for: endpoint, security: security)))
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

    /// ApiVersions and Metadata against the address the probe connected to, with the cluster's
    /// SASL settings, and TLS when the endpoint serves it (trusting the cluster's anchors, else
    /// the environment's Private CA). A named endpoint is connected to by its name, so that
    /// TLS checks the name a client on the internet would check.
    func roundTrip(for endpoint: EndpointConfig, security: Result<KafkaSecurity, any Error>?) -> (@Sendable (Address) async throws -> Void)? {
        guard endpoint.kafka, let security else { return nil }
        let timeout = endpoint.timeout.swiftDuration
        let name = endpoint.address.host
        let isName = !(name.contains(":") || name.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
        return { address in
            let host = endpoint.tls && isName ? name : address.host
            let client = KafkaAdminClient(configuration: KafkaAdminClient.Configuration(
                bootstrap: [KafkaBrokerAddress(host: host, port: address.port)],
                connectTimeout: timeout, requestTimeout: timeout, security: { try security.get() }))
            do {
                _ = try await client.metadata()
                await client.shutdown()
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    /// The endpoint's TLS (when it serves TLS) and the cluster's SASL, with their secrets read now.
    func resolvedSecurity(for endpoint: EndpointConfig) async -> Result<KafkaSecurity, any Error> {
        do {
            return .success(try await KafkaConnectionOptions.security(
                kafka: environment.kafka, aws: client, tls: endpoint.tls, fallbackPCA: environment.certificates?.pca))
        } catch {
            return .failure(error)
        }
    }

    /// `kafka.tls.ca_file` when set, else the Private CA's certificate and chain; none → chains are not judged.
    func trustAnchors() async throws -> [Certificate] {
        if let caFile = environment.kafka?.tls?.caFile {
            let text: String
            do throws(BoundedRead.Failure) { text = try BoundedRead.certificateBundle(caFile).get() } catch { throw SourceProblem(error.message("the CA file \(caFile)")) }
            return try certificates(fromPEM: text)
        }
        guard let pca = environment.certificates?.pca?.description ?? environment.kafka?.tls?.caPCA?.description else { return [] }
        let pem = try await client.acmPCA.getCertificateAuthorityCertificate(arn: pca)
        return try (pem.certificate.map { try certificates(fromPEM: $0) } ?? []) + (pem.certificateChain.map { try certificates(fromPEM: $0) } ?? [])
    }
}

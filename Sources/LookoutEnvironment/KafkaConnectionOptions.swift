import Foundation
import LookoutAWS
import LookoutConfig
import LookoutKafka

/// How lookout connects to an environment's cluster: the Kafka client's settings built from the
/// config, with the secrets it needs read through the AWS client when a connection is made.
public enum KafkaConnectionOptions {
    /// A client configuration for `bootstrap` with the cluster's TLS and SASL settings.
    public static func configuration(
        bootstrap: [KafkaBrokerAddress], kafka: KafkaConfig?, aws: AWSClient,
        connectTimeout: Duration, requestTimeout: Duration, tls: Bool? = nil, fallbackPCA: ARN? = nil
    ) -> KafkaAdminClient.Configuration {
        KafkaAdminClient.Configuration(
            bootstrap: bootstrap, connectTimeout: connectTimeout, requestTimeout: requestTimeout,
            security: { try await security(kafka: kafka, aws: aws, tls: tls, fallbackPCA: fallbackPCA) }
        )
    }

    /// The cluster's TLS (`kafka.tls`; `tls` overrides whether to use it, `fallbackPCA` gives the
    /// anchors when the config names none) and SASL (`kafka.sasl`), with the CA certificate,
    /// client certificate, key and password read now.
    public static func security(kafka: KafkaConfig?, aws: AWSClient, tls useTLS: Bool? = nil, fallbackPCA: ARN? = nil) async throws -> KafkaSecurity {
        var security = KafkaSecurity()
        let tlsConfig = kafka?.tls
        if useTLS ?? (tlsConfig != nil) {
            security.tls = try await tls(tlsConfig, aws: aws, fallbackPCA: fallbackPCA)
        }
        if let sasl = kafka?.sasl {
            let password = try await secret(sasl.passwordSSM, what: "the SASL password (password_ssm)", aws: aws)
            security.sasl = KafkaSecurity.SASL(mechanism: KafkaSASLMechanism(sasl.mechanism), username: sasl.username, password: password)
        }
        return security
    }

    static func tls(_ config: TLSConfig?, aws: AWSClient, fallbackPCA: ARN?) async throws -> KafkaSecurity.TLS {
        var rootsPEM: String?
        var source = "the system's trust store"
        if let caFile = config?.caFile {
            source = "ca_file \(caFile)"
            let text: String
            do throws(BoundedRead.Failure) { text = try BoundedRead.certificateBundle(caFile).get() } catch { throw ConnectionProblem(error.message("the CA file \(caFile)")) }
            rootsPEM = text
        } else if let pca = config?.caPCA ?? fallbackPCA {
            source = "the Private CA \(pca)"
            let answer: ACMPCA.CertificateWithChain
            do {
                answer = try await aws.acmPCA.getCertificateAuthorityCertificate(arn: pca.description)
            } catch {
                throw ConnectionProblem("cannot read the certificate of the Private CA \(pca): \(withoutEnvironment(error))")
            }
            rootsPEM = [answer.certificate, answer.certificateChain].compactMap { $0 }.joined(separator: "\n")
        }
        var certificatePEM: String?
        var keyPEM: SecretValue?
        if let certificate = config?.clientCertSSM, let key = config?.clientKeySSM {
            certificatePEM = try await secret(certificate, what: "the client certificate (client_cert_ssm)", aws: aws).reveal()
            keyPEM = try await secret(key, what: "the client key (client_key_ssm)", aws: aws)
        }
        return try KafkaSecurity.TLS(trustRootsPEM: rootsPEM, trustSource: source, clientCertificatePEM: certificatePEM, clientKeyPEM: keyPEM)
    }

    /// An SSM parameter read with decryption; its value stays a `SecretValue`.
    static func secret(_ name: String, what: String, aws: AWSClient) async throws -> SecretValue {
        let parameter: SSM.Parameter
        do {
            parameter = try await aws.ssm.getParameter(name: name, withDecryption: true)
        } catch {
            throw ConnectionProblem("cannot read \(what) from SSM \(name): \(withoutEnvironment(error))")
        }
        guard let value = parameter.value, !value.isEmpty else {
            throw ConnectionProblem("\(what) in SSM \(name) is empty")
        }
        return value
    }
}

/// The AWS client's errors start with "[env] "; the poller names the environment already.
func withoutEnvironment(_ error: any Error) -> String {
    let text = String(describing: error)
    guard text.hasPrefix("["), let end = text.range(of: "] ") else { return text }
    return String(text[end.upperBound...])
}

/// What stops a connection being set up (a CA file or an SSM secret that cannot be read): its
/// message is the whole error.
public struct ConnectionProblem: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension KafkaSASLMechanism {
    init(_ mechanism: SASLMechanism) {
        switch mechanism {
        case .plain: self = .plain
        case .scramSHA256: self = .scramSHA256
        case .scramSHA512: self = .scramSHA512
        }
    }
}

import LookoutSecrets
import NIOSSL

/// How a cluster is secured: TLS to its brokers, a SASL login, both or neither.
public struct KafkaSecurity: Sendable {
    public var tls: TLS?
    public var sasl: SASL?

    public init(tls: TLS? = nil, sasl: SASL? = nil) {
        self.tls = tls
        self.sasl = sasl
    }

    public struct TLS: Sendable {
        /// The anchors a broker's chain must lead to; nil means the system's trust store.
        public var trustRoots: [NIOSSLCertificate]?
        /// Where the anchors come from, for errors: "ca_file /etc/ca.pem", "Private CA arn:…".
        public var trustSource: String
        public var clientCertificateChain: [NIOSSLCertificate]
        /// Kept in memory only.
        public var clientKey: NIOSSLPrivateKey?

        public init(trustRoots: [NIOSSLCertificate]?, trustSource: String, clientCertificateChain: [NIOSSLCertificate] = [], clientKey: NIOSSLPrivateKey? = nil) {
            self.trustRoots = trustRoots
            self.trustSource = trustSource
            self.clientCertificateChain = clientCertificateChain
            self.clientKey = clientKey
        }

        /// From PEM text: the anchors (nil: the system's), and a client certificate (leaf first)
        /// with its key, both or neither.
        public init(trustRootsPEM: String?, trustSource: String, clientCertificatePEM: String? = nil, clientKeyPEM: SecretValue? = nil) throws(KafkaError) {
            var roots: [NIOSSLCertificate]?
            if let trustRootsPEM {
                do {
                    roots = try NIOSSLCertificate.fromPEMBytes(Array(trustRootsPEM.utf8))
                } catch {
                    throw KafkaError(code: .securityUnavailable, detail: "the trust anchors from \(trustSource) are not PEM certificates")
                }
                guard roots?.isEmpty == false else {
                    throw KafkaError(code: .securityUnavailable, detail: "\(trustSource) holds no certificate")
                }
            }
            var chain: [NIOSSLCertificate] = []
            var key: NIOSSLPrivateKey?
            switch (clientCertificatePEM, clientKeyPEM) {
            case (let certificate?, let secret?):
                do {
                    chain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8))
                } catch {
                    throw KafkaError(code: .securityUnavailable, detail: "the client certificate is not PEM")
                }
                do {
                    key = try NIOSSLPrivateKey(bytes: Array(secret.reveal().utf8), format: .pem)
                } catch {
                    // Never the key's text, only that it is unreadable.
                    throw KafkaError(code: .securityUnavailable, detail: "the client key is not a PEM private key")
                }
            case (nil, nil):
                break
            case (.some, nil), (nil, .some):
                throw KafkaError(code: .securityUnavailable, detail: "a client certificate needs its key, and a key its certificate")
            }
            self.init(trustRoots: roots, trustSource: trustSource, clientCertificateChain: chain, clientKey: key)
        }

        func makeContext() throws(KafkaError) -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.certificateVerification = .fullVerification
            if let trustRoots {
                configuration.trustRoots = .certificates(trustRoots)
            }
            if let clientKey, !clientCertificateChain.isEmpty {
                configuration.certificateChain = clientCertificateChain.map { .certificate($0) }
                configuration.privateKey = .privateKey(clientKey)
            }
            do {
                return try NIOSSLContext(configuration: configuration)
            } catch {
                throw KafkaError(code: .securityUnavailable, detail: "cannot set up TLS with \(trustSource): \(error)")
            }
        }
    }

    public struct SASL: Sendable {
        public var mechanism: KafkaSASLMechanism
        public var username: String
        /// Kept in memory only; never printed.
        public var password: SecretValue

        public init(mechanism: KafkaSASLMechanism, username: String, password: SecretValue) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }
}

/// What the client connects with, ready for use: the TLS context built once per resolution.
struct ResolvedSecurity: Sendable {
    var tlsContext: NIOSSLContext?
    var trustSource: String?
    var sasl: KafkaSecurity.SASL?

    init(_ security: KafkaSecurity) throws(KafkaError) {
        self.tlsContext = try security.tls?.makeContext()
        self.trustSource = security.tls?.trustSource
        self.sasl = security.sasl
    }
}

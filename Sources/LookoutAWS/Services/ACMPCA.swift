import Foundation

/// AWS Private CA (JSON 1.1, `ACMPrivateCA`).
public struct ACMPCA: Sendable {
    let client: AWSClient
    static let service = AWSService.acmPCA

    struct CAInput: Encodable {
        var certificateAuthorityArn: String
    }

    // MARK: DescribeCertificateAuthority

    public struct CertificateAuthority: Sendable, Decodable, Equatable {
        public struct Configuration: Sendable, Decodable, Equatable {
            public struct Subject: Sendable, Decodable, Equatable {
                public var country: String?
                public var organization: String?
                public var organizationalUnit: String?
                public var commonName: String?
            }

            public var keyAlgorithm: String?
            public var signingAlgorithm: String?
            public var subject: Subject?
        }

        public var arn: String?
        public var ownerAccount: String?
        public var createdAt: Date?
        public var lastStateChangeAt: Date?
        /// `ROOT` or `SUBORDINATE`.
        public var type: String?
        public var serial: String?
        /// `CREATING`, `PENDING_CERTIFICATE`, `ACTIVE`, `DELETED`, `DISABLED`, `EXPIRED`, `FAILED`.
        public var status: String?
        public var notBefore: Date?
        public var notAfter: Date?
        public var failureReason: String?
        public var certificateAuthorityConfiguration: Configuration?
        public var usageMode: String?
    }

    public func describeCertificateAuthority(arn: String) async throws(AWSError) -> CertificateAuthority {
        struct Output: Decodable {
            var certificateAuthority: CertificateAuthority?
        }
        let output: Output = try await client.json(
            Self.service, "DescribeCertificateAuthority", CAInput(certificateAuthorityArn: arn))
        guard let authority = output.certificateAuthority else {
            throw client.error(
                Self.service, "DescribeCertificateAuthority",
                .badResponse(status: 200, detail: "missing CertificateAuthority"))
        }
        return authority
    }

    // MARK: Certificates

    /// PEM certificate and (for a subordinate CA, or a leaf) the PEM chain above it.
    public struct CertificateWithChain: Sendable, Decodable, Equatable {
        public var certificate: String?
        public var certificateChain: String?
    }

    public func getCertificateAuthorityCertificate(arn: String) async throws(AWSError) -> CertificateWithChain {
        try await client.json(Self.service, "GetCertificateAuthorityCertificate", CAInput(certificateAuthorityArn: arn))
    }

    /// `Validity` of IssueCertificate: `type` is `END_DATE`, `ABSOLUTE`, `DAYS`, `MONTHS` or `YEARS`.
    public struct Validity: Sendable, Encodable, Equatable {
        public var value: Int
        public var type: String

        public init(value: Int, type: String) {
            self.value = value
            self.type = type
        }

        public static func days(_ count: Int) -> Validity { Validity(value: count, type: "DAYS") }
    }

    /// Starts issuing; the certificate is ready when ``getCertificate(authorityArn:certificateArn:)``
    /// stops answering `RequestInProgressException`.
    public func issueCertificate(
        authorityArn: String, csr: [UInt8], signingAlgorithm: String, validity: Validity,
        templateArn: String? = nil, idempotencyToken: String? = nil
    ) async throws(AWSError) -> String {
        struct Input: Encodable {
            var certificateAuthorityArn: String
            var csr: Data
            var signingAlgorithm: String
            var validity: Validity
            var templateArn: String?
            var idempotencyToken: String?
        }
        struct Output: Decodable {
            var certificateArn: String?
        }
        let output: Output = try await client.json(
            Self.service, "IssueCertificate",
            Input(certificateAuthorityArn: authorityArn, csr: Data(csr), signingAlgorithm: signingAlgorithm,
                  validity: validity, templateArn: templateArn, idempotencyToken: idempotencyToken))
        guard let arn = output.certificateArn else {
            throw client.error(Self.service, "IssueCertificate", .badResponse(status: 200, detail: "missing CertificateArn"))
        }
        return arn
    }

    public func getCertificate(authorityArn: String, certificateArn: String) async throws(AWSError)
        -> CertificateWithChain
    {
        struct Input: Encodable {
            var certificateAuthorityArn: String
            var certificateArn: String
        }
        return try await client.json(
            Self.service, "GetCertificate", Input(certificateAuthorityArn: authorityArn, certificateArn: certificateArn))
    }

    /// `reason`: `UNSPECIFIED`, `KEY_COMPROMISE`, `SUPERSEDED`, … (RevocationReason in the model).
    public func revokeCertificate(authorityArn: String, serial: String, reason: String = "SUPERSEDED")
        async throws(AWSError)
    {
        struct Input: Encodable {
            var certificateAuthorityArn: String
            var certificateSerial: String
            var revocationReason: String
        }
        struct Output: Decodable {}
        let _: Output = try await client.json(
            Self.service, "RevokeCertificate",
            Input(certificateAuthorityArn: authorityArn, certificateSerial: serial, revocationReason: reason))
    }
}

import _CryptoExtras
import Crypto
import Foundation
import LookoutAWS
import SwiftASN1
import X509

/// The algorithm and size of a key pair, as a reissue keeps them.
public enum KeyAlgorithm: Sendable, Equatable, CustomStringConvertible {
    case rsa(bits: Int)
    case p256
    case p384

    /// The sizes lookout makes RSA keys in.
    public static let rsaSizes = [2048, 3072, 4096]

    /// The algorithm of `publicKey`, or nil when lookout cannot make such a key.
    public init?(_ publicKey: Certificate.PublicKey) {
        if let rsa = _RSA.Signing.PublicKey(publicKey) {
            guard Self.rsaSizes.contains(rsa.keySizeInBits) else { return nil }
            self = .rsa(bits: rsa.keySizeInBits)
        } else if P256.Signing.PublicKey(publicKey) != nil {
            self = .p256
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .p384
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA \(bits)"
        case .p256: "EC P-256"
        case .p384: "EC P-384"
        }
    }
}

/// A private key made by lookout for a reissue: in memory only; its PEM leaves it only for SSM.
public struct ReissueKey: Sendable {
    let key: Certificate.PrivateKey
    public let algorithm: KeyAlgorithm
    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`), for the one SSM write.
    public let pem: SecretValue

    public var publicKey: Certificate.PublicKey { key.publicKey }

    /// A new key with the system's cryptographic random source.
    public static func generate(_ algorithm: KeyAlgorithm) throws -> ReissueKey {
        switch algorithm {
        case .rsa(let bits):
            let rsa = try _RSA.Signing.PrivateKey(keySize: _RSA.Signing.KeySize(bitCount: bits))
            return ReissueKey(key: Certificate.PrivateKey(rsa), algorithm: algorithm, pem: SecretValue(rsa.pkcs8PEMRepresentation))
        case .p256:
            let ec = P256.Signing.PrivateKey()
            return ReissueKey(key: Certificate.PrivateKey(ec), algorithm: algorithm, pem: SecretValue(ec.pemRepresentation))
        case .p384:
            let ec = P384.Signing.PrivateKey()
            return ReissueKey(key: Certificate.PrivateKey(ec), algorithm: algorithm, pem: SecretValue(ec.pemRepresentation))
        }
    }

    /// A key read from SSM (PKCS#8, PKCS#1 or SEC1 PEM); nil when it cannot be read or lookout
    /// cannot make a key like it. The parser's error is not passed on: it might quote the text.
    public static func read(_ pem: SecretValue) -> ReissueKey? {
        guard let key = try? Certificate.PrivateKey(pemEncoded: pem.reveal()), let algorithm = KeyAlgorithm(key.publicKey) else { return nil }
        return ReissueKey(key: key, algorithm: algorithm, pem: pem)
    }

    /// Only the algorithm of a PEM private key (nil when unreadable or unsupported).
    public static func algorithm(of pem: SecretValue) -> KeyAlgorithm? {
        read(pem)?.algorithm
    }

    /// Whether `pem` holds a private key whose public key is `publicKey`.
    public static func matches(_ pem: SecretValue, _ publicKey: Certificate.PublicKey) -> Bool {
        guard let key = try? Certificate.PrivateKey(pemEncoded: pem.reveal()) else { return false }
        return key.publicKey == publicKey
    }

    /// A PEM certificate signing request for `subject` and `sans`, signed by this key.
    public func csr(subject: DistinguishedName, sans: [String]) throws -> String {
        let extensions = try Certificate.Extensions {
            SubjectAlternativeNames(sans.map(ReissueNames.generalName))
        }
        let attributes = CertificateSigningRequest.Attributes(
            [try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: extensions))])
        let algorithm: Certificate.SignatureAlgorithm
        switch self.algorithm {
        case .rsa: algorithm = .sha256WithRSAEncryption
        case .p256: algorithm = .ecdsaWithSHA256
        case .p384: algorithm = .ecdsaWithSHA384
        }
        let request = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: attributes,
                                                    signatureAlgorithm: algorithm)
        return try request.serializeAsPEM().pemString
    }

    /// The idempotency token of IssueCertificate, derived from the public key (and the target):
    /// a retry or a re-run with the same key asks for the same certificate, a new key never gets
    /// an earlier key's certificate. 36 characters, as ACM PCA allows.
    public static func idempotencyToken(publicKey: Certificate.PublicKey, environment: String, certificate: String) -> String {
        var serializer = DER.Serializer()
        try? serializer.serialize(publicKey)
        var bytes = serializer.serializedBytes
        bytes += Array("\u{0}\(environment)\u{0}\(certificate)".utf8)
        let digest = SHA256.hash(data: bytes)
        return "lookout-" + digest.prefix(14).map { String(format: "%02x", $0) }.joined()
    }
}

/// Names, validity, template and signing algorithm: what the tracked config and the current
/// certificate say the new one must be.
public enum ReissueNames {
    /// `127.0.0.1` and `::1` are IP addresses, anything else a DNS name.
    public static func generalName(_ name: String) -> GeneralName {
        if let bytes = ipBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: bytes[...])) }
        return .dnsName(name)
    }

    static func ipBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// A comparable spelling of a name: DNS names lower-cased, IPs as hex bytes.
    static func key(_ name: GeneralName) -> String? {
        switch name {
        case .dnsName(let dns): "dns:" + dns.lowercased()
        case .ipAddress(let bytes): "ip:" + bytes.bytes.map { String(format: "%02x", $0) }.joined()
        default: nil
        }
    }

    /// The subject's common name, if any.
    public static func commonName(_ subject: DistinguishedName) -> String? {
        for rdn in subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value)
            }
        }
        return nil
    }

    /// The current subject with its common name set to `commonName` (other parts kept), or just
    /// the common name.
    public static func subject(keeping current: DistinguishedName?, commonName: String) -> DistinguishedName {
        let cn = RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName))
        guard let current else { return DistinguishedName([cn]) }
        var rdns: [RelativeDistinguishedName] = []
        var replaced = false
        for rdn in current {
            if rdn.contains(where: { $0.type == .RDNAttributeType.commonName }) {
                if !replaced { rdns.append(cn); replaced = true }
            } else {
                rdns.append(rdn)
            }
        }
        if !replaced { rdns.append(cn) }
        return DistinguishedName(rdns)
    }

    /// Why `leaf`'s names are not the tracked ones, or nil when CN and the SANs (as a set) are.
    public static func problem(_ leaf: Certificate, commonName: String, sans: [String]) -> String? {
        let cn = Self.commonName(leaf.subject)
        let found = Set(((try? leaf.extensions.subjectAlternativeNames) ?? nil).map { Array($0) }?.compactMap(key) ?? [])
        let wanted = Set(sans.map(generalName).compactMap(key))
        var problems: [String] = []
        if cn != commonName { problems.append("CN is \(cn ?? "missing"), not \(commonName)") }
        if found != wanted {
            let missing = wanted.subtracting(found).sorted(), extra = found.subtracting(wanted).sorted()
            problems.append("SANs differ" + (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))")
                + (extra.isEmpty ? "" : "; not tracked \(extra.joined(separator: ", "))"))
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Whole days between notBefore and notAfter, as IssueCertificate's Validity.
    public static func validityDays(_ leaf: Certificate) -> Int {
        max(1, Int((leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) / 86_400).rounded()))
    }

    /// The ACM PCA template the leaf's extended key usage implies (`partition` from the CA's ARN).
    public static func template(_ leaf: Certificate, partition: String) -> String {
        let usages = ((try? leaf.extensions.extendedKeyUsage) ?? nil).map { Array($0) } ?? []
        let server = usages.contains(.serverAuth), client = usages.contains(.clientAuth)
        let name: String
        switch (server, client) {
        case (true, false): name = "EndEntityServerAuthCertificate/V1"
        case (false, true): name = "EndEntityClientAuthCertificate/V1"
        default: name = "EndEntityCertificate/V1"
        }
        return "arn:\(partition):acm-pca:::template/\(name)"
    }

    /// ACM PCA's SigningAlgorithm for the algorithm the CA signed `leaf` with; nil when unknown.
    public static func signingAlgorithm(_ leaf: Certificate) -> String? {
        switch leaf.signatureAlgorithm {
        case .sha256WithRSAEncryption: "SHA256WITHRSA"
        case .sha384WithRSAEncryption: "SHA384WITHRSA"
        case .sha512WithRSAEncryption: "SHA512WITHRSA"
        case .ecdsaWithSHA256: "SHA256WITHECDSA"
        case .ecdsaWithSHA384: "SHA384WITHECDSA"
        case .ecdsaWithSHA512: "SHA512WITHECDSA"
        default: nil
        }
    }
}

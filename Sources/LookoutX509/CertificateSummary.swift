import Foundation
import SwiftASN1
import X509

/// What lookout shows of a certificate: never the key, only public facts.
public struct CertificateSummary: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    /// Lower-case hex bytes joined by colons, as ACM PCA writes serials (`67:07:44:...`).
    public var serial: String
    public var notBefore: Date
    public var notAfter: Date
    /// DNS names and IP addresses from the subject alternative names.
    public var sans: [String]

    public init(_ certificate: Certificate) {
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        serial = Self.format(serial: Array(certificate.serialNumber.bytes))
        notBefore = certificate.notValidBefore
        notAfter = certificate.notValidAfter
        var names: [String] = []
        if let alternatives = try? certificate.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .dnsName(let dns): names.append(dns)
                case .ipAddress(let bytes): names.append(Self.format(ipAddress: Array(bytes.bytes)))
                default: break
                }
            }
        }
        sans = names
    }

    /// An IP address SAN as text: 4 bytes dotted, 16 bytes as eight groups of hex. Any other
    /// length is what a hostile or broken certificate holds (RFC 5280 allows only these two): it
    /// is named with its length and matches no address.
    public static func format(ipAddress raw: [UInt8]) -> String {
        switch raw.count {
        case 4: return raw.map(String.init).joined(separator: ".")
        case 16: return stride(from: 0, to: 16, by: 2).map { String(format: "%02x%02x", raw[$0], raw[$0 + 1]) }.joined(separator: ":")
        default: return "<an IP address of \(raw.count) bytes>"
        }
    }

    /// Hex bytes joined by colons; a leading zero byte that only keeps the number positive is dropped.
    public static func format(serial bytes: [UInt8]) -> String {
        var bytes = bytes[...]
        while bytes.count > 1, bytes.first == 0 { bytes = bytes.dropFirst() }
        return bytes.map { String(format: "%02x", $0) }.joined(separator: ":")
    }
}

public enum PEMError: Error, Sendable, CustomStringConvertible {
    case noCertificate
    case malformed(String)

    public var description: String {
        switch self {
        case .noCertificate: "no PEM certificate found"
        case .malformed(let reason): "malformed PEM certificate: \(reason)"
        }
    }
}

/// Reads every `CERTIFICATE` block of a PEM bundle, in order (leaf first, then its chain).
public func certificates(fromPEM text: String) throws(PEMError) -> [Certificate] {
    var result: [Certificate] = []
    let begin = "-----BEGIN CERTIFICATE-----"
    let end = "-----END CERTIFICATE-----"
    var rest = Substring(text)
    while let start = rest.range(of: begin) {
        guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else {
            throw .malformed("a BEGIN CERTIFICATE without its END")
        }
        let block = String(rest[start.lowerBound..<stop.upperBound])
        do {
            result.append(try Certificate(pemEncoded: block))
        } catch {
            throw .malformed(String(describing: error))
        }
        rest = rest[stop.upperBound...]
    }
    guard !result.isEmpty else { throw .noCertificate }
    return result
}

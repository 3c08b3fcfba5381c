import Crypto
import Foundation

/// AWS Signature Version 4 for request headers, byte for byte the way botocore signs them.
///
/// The URL's path and query are taken as they go on the wire: the query must already be
/// percent-encoded, the path is normalised and encoded once more, as every service but S3 expects.
public struct SigV4Signer: Sendable {
    public typealias Header = (name: String, value: String)

    public var credentials: SigV4Credentials
    public var region: String
    public var service: String

    public init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to send: `headers` with `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (when the
    /// credentials have one) and `Authorization` set.
    public func signHeaders(url: String, method: String, headers: [Header], body: [UInt8], date: Date) -> [Header] {
        let parts = signingParts(url: url, method: method, headers: headers, body: body, date: date)
        return parts.headers + [("Authorization", parts.authorization)]
    }

    // MARK: Internal steps, reachable by tests

    struct SigningParts {
        var headers: [Header]
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String
    }

    func signingParts(url: String, method: String, headers: [Header], body: [UInt8], date: Date) -> SigningParts {
        let timestamp = SigV4Timestamp(date)
        let parsed = SigV4URL(url)
        let prepared = preparedHeaders(headers, url: parsed, timestamp: timestamp)
        let canonical = canonicalRequest(url: parsed, method: method, headers: prepared, body: body)
        let toSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let signature = signature(stringToSign: toSign, timestamp: timestamp)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(credentialScope(timestamp)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return SigningParts(
            headers: prepared, canonicalRequest: canonical.text, stringToSign: toSign,
            signature: signature, authorization: authorization)
    }

    /// Drops any earlier signature, sets the date and token headers, and adds `Host` when missing.
    func preparedHeaders(_ headers: [Header], url: SigV4URL, timestamp: SigV4Timestamp) -> [Header] {
        var result = headers.filter { $0.name.lowercased() != "authorization" }
        if result.contains(where: { $0.name.lowercased() == "date" }) {
            result.removeAll { ["date", "x-amz-date"].contains($0.name.lowercased()) }
            result.append(("Date", timestamp.httpDate))
        } else {
            result.removeAll { $0.name.lowercased() == "x-amz-date" }
            result.append(("X-Amz-Date", timestamp.basic))
        }
        if let token = credentials.sessionToken {
            result.removeAll { $0.name.lowercased() == "x-amz-security-token" }
            result.append(("X-Amz-Security-Token", token))
        }
        if !result.contains(where: { $0.name.lowercased() == "host" }) {
            result.insert(("Host", url.hostHeader), at: 0)
        }
        return result
    }

    func canonicalRequest(url: SigV4URL, method: String, headers: [Header], body: [UInt8])
        -> (text: String, signedHeaders: String)
    {
        var byName: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if Self.unsignedHeaders.contains(name) { continue }
            byName[name, default: []].append(Self.trimAll(header.value))
        }
        let names = byName.keys.sorted(by: SigV4Encoding.codePointLess)
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        let signedHeaders = names.joined(separator: ";")
        let payloadHash =
            headers.first(where: { $0.name.lowercased() == "x-amz-content-sha256" })?.value
            ?? SigV4Encoding.hex(SHA256.hash(data: body))
        let text = [
            method.uppercased(),
            SigV4Encoding.canonicalPath(url.path),
            SigV4Encoding.canonicalQuery(url.query),
            canonicalHeaders + "\n",
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        [
            "AWS4-HMAC-SHA256",
            timestamp.basic,
            credentialScope(timestamp),
            SigV4Encoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    func signature(stringToSign: String, timestamp: SigV4Timestamp) -> String {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [timestamp.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return SigV4Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.day)/\(region)/\(service)/aws4_request"
    }

    /// Hop-by-hop and proxy-rewritten headers that botocore leaves out of the signature.
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

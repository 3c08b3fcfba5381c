/// EC2 instance metadata (IMDSv2 token first, v1 when the token call is refused), at
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` or 169.254.169.254; off with `AWS_EC2_METADATA_DISABLED=true`.
/// Not being on EC2 (nothing answers within a second) means "not found", as in botocore.
struct InstanceMetadataCredentials: ChainLink {
    let environment: [String: String]
    let transport: any HTTPTransport

    var endpoint: String {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    var name: String { "EC2 instance metadata (\(endpoint))" }

    var disabled: Bool { environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" }

    /// `AWS_METADATA_SERVICE_TIMEOUT` in seconds, as botocore reads it; 1 s by default.
    var timeout: Duration {
        // From the environment: any text. Not a finite number of seconds is the default; the
        // rest is held to 0.1 s to 5 minutes.
        let seconds = environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } ?? 1
        return .milliseconds(Int64(min(max(0.1, seconds), 300) * 1000))
    }

    func load() async throws(CredentialsError) -> Credentials? {
        if disabled { return nil }
        func send(_ method: String, _ path: String, _ headers: [HTTPRequest.Header]) async -> HTTPResponse? {
            try? await transport.send(
                HTTPRequest(method: method, url: endpoint + path, headers: headers, connectTimeout: timeout,
                            timeout: timeout))
        }
        guard let tokenResponse = await send("PUT", "/latest/api/token", [("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
        else { return nil }
        var headers: [HTTPRequest.Header] = []
        switch tokenResponse.status {
        case 200:
            headers.append(("x-aws-ec2-metadata-token", String(decoding: tokenResponse.body, as: UTF8.self)))
        case 403, 404, 405:
            break
        default:
            return nil
        }
        let rolePath = "/latest/meta-data/iam/security-credentials/"
        guard let roleResponse = await send("GET", rolePath, headers), roleResponse.status == 200 else { return nil }
        let role = String(decoding: roleResponse.body, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard !role.isEmpty else { return nil }
        guard let credentialsResponse = await send("GET", rolePath + role, headers) else {
            throw .providerFailed(provider: name, reason: "no answer for role \(role)")
        }
        guard credentialsResponse.status == 200 else {
            throw .providerFailed(provider: name, reason: "HTTP \(credentialsResponse.status) for role \(role)")
        }
        return try MetadataCredentialsJSON.decode(credentialsResponse.body, provider: name)
    }
}

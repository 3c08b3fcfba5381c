import Foundation

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the Authorization header.
struct ContainerCredentials: ChainLink {
    let environment: [String: String]
    /// A transport without proxy (see ``CredentialChain``).
    let transport: any HTTPTransport
    /// Scheme and host that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended to.
    var relativeHost: String = Self.relativeHost
    let name = "container credentials"

    static let relativeHost = "http://169.254.170.2"

    /// The URL to ask, nil when neither variable is set.
    func url() throws(CredentialsError) -> String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return relativeHost + relative
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        let lowered = full.lowercased()
        let (host, _) = ProxySettings.hostAndPort(of: lowered)
        let allowed =
            lowered.hasPrefix("https://")
            || (lowered.hasPrefix("http://")
                && (host.hasPrefix("127.") || host == "localhost" || host == "::1" || host == "169.254.170.2"
                    || host == "169.254.170.23" || host == "fd00:ec2::23"))
        guard allowed else {
            throw .providerFailed(
                provider: name, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS/EKS host")
        }
        return full
    }

    func load() async throws(CredentialsError) -> Credentials? {
        guard let url = try url() else { return nil }
        var headers: [HTTPRequest.Header] = [("Accept", "application/json")]
        var token: String?
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            // A token of a KB or so; never quoted in an error.
            switch BoundedRead.text(file, limit: 1 << 20) {
            case .success(let read): token = read
            case .failure(let failure): throw .providerFailed(provider: name, reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(failure)")
            }
        } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !value.isEmpty {
            token = value
        }
        if let token {
            // As botocore: the token is used as read, and a line break in it is an error.
            guard !token.contains("\n") && !token.contains("\r") else {
                throw .providerFailed(provider: name, reason: "the authorization token holds a line break")
            }
            headers.append(("Authorization", token))
        }
        var lastError = TransportError(kind: .other, detail: "")
        for _ in 1...3 {
            let response: HTTPResponse
            do {
                response = try await transport.send(
                    HTTPRequest(method: "GET", url: url, headers: headers, connectTimeout: .seconds(2), timeout: .seconds(2)))
            } catch {
                lastError = error
                continue
            }
            guard response.status == 200 else {
                throw .providerFailed(provider: name, reason: "the endpoint answered HTTP \(response.status)")
            }
            return try MetadataCredentialsJSON.decode(response.body, provider: name)
        }
        throw .providerFailed(provider: name, reason: "the endpoint did not answer: \(lastError)")
    }
}

/// The JSON that the container endpoint and instance metadata both answer.
enum MetadataCredentialsJSON {
    struct Body: Decodable {
        var AccessKeyId: String?
        var SecretAccessKey: SecretValue?
        var Token: SecretValue?
        var Expiration: String?
    }

    static func decode(_ bytes: [UInt8], provider: String) throws(CredentialsError) -> Credentials {
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)),
            let accessKey = body.AccessKeyId, let secret = body.SecretAccessKey
        else {
            throw .providerFailed(provider: provider, reason: "the answer holds no AccessKeyId/SecretAccessKey")
        }
        return Credentials(
            accessKeyId: accessKey, secretAccessKey: secret, sessionToken: body.Token,
            expiration: body.Expiration.flatMap(ISO8601.parse), source: provider)
    }
}

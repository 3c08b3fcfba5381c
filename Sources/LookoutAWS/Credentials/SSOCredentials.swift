import Crypto
import Foundation

/// An IAM Identity Center (SSO) profile, resolved as the AWS CLI v2 and botocore resolve it:
///
/// - `sso_session = NAME` with an `[sso-session NAME]` section (`sso_start_url`, `sso_region`): the
///   token from the CLI's cache `~/.aws/sso/cache/<sha1 of NAME>.json`, refreshed through SSO OIDC
///   CreateToken with its refresh token when it has less than 15 minutes left, and written back
///   there as the CLI does;
/// - the older form, `sso_start_url` and `sso_region` in the profile: the token from
///   `<sha1 of the start URL>.json`, used as it is (the CLI cannot refresh it either);
///
/// then the portal's GetRoleCredentials for `sso_account_id` and `sso_role_name`. The portal is at
/// `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`, else
/// `https://portal.sso.REGION.amazonaws.com`; OIDC likewise with `AWS_ENDPOINT_URL_SSO_OIDC` and
/// `oidc.REGION` (botocore's order). The config's `aws.endpoint` is the environment's services'
/// and does not apply here. The token, the refresh token and the client secret are secrets: held
/// as `SecretValue`, never in an error.
struct SSOCredentials: Sendable {
    let profile: String
    let values: [String: String]
    let files: SharedConfigFiles
    let environment: [String: String]
    let transport: any HTTPTransport
    /// When the token counts as about to expire (botocore: 15 minutes).
    static let refreshWindow: TimeInterval = 15 * 60

    var provider: String { "SSO profile \"\(profile)\"" }

    /// The login command that gets a new token, as the error says it.
    var login: String {
        if let session = values["sso_session"] { return "aws sso login --sso-session \(session)` (or `aws sso login --profile \(profile)" }
        return "aws sso login --profile \(profile)"
    }

    struct Settings: Equatable {
        var startURL: String
        var region: String
        var accountId: String
        var roleName: String
        /// The cache file's name without `.json`: SHA-1 of the session name or of the start URL.
        var cacheKey: String
        var session: String?
    }

    func settings() throws(CredentialsError) -> Settings {
        func need(_ key: String, in section: [String: String], _ where_: String) throws(CredentialsError) -> String {
            guard let value = section[key], !value.isEmpty else {
                throw .providerFailed(provider: provider, reason: "\(where_) has no \(key)")
            }
            return value
        }
        let accountId = try need("sso_account_id", in: values, "the profile")
        let roleName = try need("sso_role_name", in: values, "the profile")
        if let session = values["sso_session"] {
            guard let section = files.ssoSessions[session] else {
                throw .providerFailed(provider: provider, reason: "sso_session \"\(session)\" has no [sso-session \(session)] section in \(files.configPath)")
            }
            let startURL = try need("sso_start_url", in: section, "[sso-session \(session)]")
            let region = try need("sso_region", in: section, "[sso-session \(session)]")
            // The CLI refuses a profile whose own start URL or region disagree with its session's.
            for (key, value) in [("sso_start_url", startURL), ("sso_region", region)] where values[key] != nil && values[key] != value {
                throw .providerFailed(provider: provider, reason: "its \(key) differs from [sso-session \(session)]'s")
            }
            return Settings(startURL: startURL, region: region, accountId: accountId, roleName: roleName,
                            cacheKey: Self.sha1(session), session: session)
        }
        let startURL = try need("sso_start_url", in: values, "the profile")
        let region = try need("sso_region", in: values, "the profile")
        return Settings(startURL: startURL, region: region, accountId: accountId, roleName: roleName,
                        cacheKey: Self.sha1(startURL), session: nil)
    }

    static func sha1(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    var cacheFolder: String {
        (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/sso/cache"
    }

    /// A service's endpoint as botocore resolves it for the SSO clients.
    func endpoint(envSuffix: String, host: String, region: String) -> String {
        let configured = [environment["AWS_ENDPOINT_URL_\(envSuffix)"], environment["AWS_ENDPOINT_URL"], values["endpoint_url"]]
            .compactMap { $0 }.first { !$0.isEmpty }
        let url = configured ?? "https://\(host).\(region).amazonaws.com"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    func load() async throws(CredentialsError) -> Credentials {
        let settings = try settings()
        var token = try readToken(settings)
        if token.expiresAt.timeIntervalSinceNow < Self.refreshWindow, settings.session != nil {
            if let refreshed = try await refresh(token, settings) { token = refreshed }
        }
        guard token.expiresAt > Date() else {
            throw .providerFailed(provider: provider, reason: "the SSO token expired at \(ISO8601.format(token.expiresAt)): run `\(login)`")
        }
        return try await roleCredentials(token.accessToken, settings)
    }

    // MARK: the token cache

    /// The cache file as the CLI writes it; keys lookout does not know are kept when it writes back.
    struct CachedToken {
        var accessToken: SecretValue
        var expiresAt: Date
        var refreshToken: SecretValue?
        var clientId: String?
        var clientSecret: SecretValue?
        var registrationExpiresAt: Date?
        var object: [String: Any]
    }

    func cachePath(_ settings: Settings) -> String { cacheFolder + "/" + settings.cacheKey + ".json" }

    func readToken(_ settings: Settings) throws(CredentialsError) -> CachedToken {
        let path = cachePath(settings)
        let missing = CredentialsError.providerFailed(provider: provider, reason: "no SSO token in \(path): run `\(login)`")
        guard FileManager.default.fileExists(atPath: path) else { throw missing }
        // A few hundred bytes; 1 MiB is generous.
        guard case .success(let bytes) = BoundedRead.file(path, limit: 1 << 20),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let accessToken = object["accessToken"] as? String, !accessToken.isEmpty,
              let expiresAt = (object["expiresAt"] as? String).flatMap(ISO8601.parse)
        else {
            throw .providerFailed(provider: provider, reason: "the SSO token cache \(path) cannot be read as the AWS CLI writes it: run `\(login)`")
        }
        return CachedToken(accessToken: SecretValue(accessToken), expiresAt: expiresAt,
                           refreshToken: (object["refreshToken"] as? String).map(SecretValue.init),
                           clientId: object["clientId"] as? String,
                           clientSecret: (object["clientSecret"] as? String).map(SecretValue.init),
                           registrationExpiresAt: (object["registrationExpiresAt"] as? String).flatMap(ISO8601.parse),
                           object: object)
    }

    /// CreateToken with the refresh token, the new token written back to the cache (as botocore's
    /// SSOTokenProvider does). nil when it cannot refresh (no refresh token, the client's
    /// registration expired, OIDC refused): the token as it is then decides.
    func refresh(_ token: CachedToken, _ settings: Settings) async throws(CredentialsError) -> CachedToken? {
        guard let refreshToken = token.refreshToken, let clientId = token.clientId, let clientSecret = token.clientSecret,
              (token.registrationExpiresAt ?? .distantFuture) > Date().addingTimeInterval(Self.refreshWindow)
        else { return nil }
        let url = endpoint(envSuffix: "SSO_OIDC", host: "oidc", region: settings.region) + "/token"
        let body: [String: String] = ["grantType": "refresh_token", "clientId": clientId,
                                      "clientSecret": clientSecret.reveal(), "refreshToken": refreshToken.reveal()]
        guard let data = try? JSONSerialization.data(withJSONObject: body) else { return nil }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                                            body: Array(data), connectTimeout: .seconds(5), timeout: .seconds(15)))
        } catch {
            return nil
        }
        guard response.status == 200,
              let answer = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let accessToken = answer["accessToken"] as? String, !accessToken.isEmpty,
              let expiresIn = (answer["expiresIn"] as? NSNumber)?.doubleValue, expiresIn.isFinite, expiresIn > 0
        else { return nil }
        var refreshed = token
        refreshed.accessToken = SecretValue(accessToken)
        refreshed.expiresAt = Date().addingTimeInterval(min(expiresIn, 366 * 86_400))
        refreshed.object["accessToken"] = accessToken
        refreshed.object["expiresAt"] = ISO8601.format(refreshed.expiresAt)
        if let next = answer["refreshToken"] as? String, !next.isEmpty {
            refreshed.refreshToken = SecretValue(next)
            refreshed.object["refreshToken"] = next
        }
        writeBack(refreshed.object, settings)
        return refreshed
    }

    /// Replaces the cache file as a whole (a temporary file renamed over it), mode 0600 as the CLI
    /// writes it. A failed write leaves the old file: the next load refreshes again.
    func writeBack(_ object: [String: Any], _ settings: Settings) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        let path = cachePath(settings)
        let temporary = path + ".lookout-\(getpid())"
        unlink(temporary)  // a leftover of an earlier run with this pid
        // Created 0600 from the start: the token is never readable by others, not even briefly.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return }
        var written = 0
        while written < data.count {
            let result = data[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { break }
            written += result
        }
        guard close(descriptor) == 0, written == data.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
    }

    // MARK: the portal

    /// The error's name: the body's `__type` (or `code`), else the `x-amzn-ErrorType` header.
    static func errorType(_ response: HTTPResponse) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let named: String? = (object?["__type"] as? String) ?? (object?["code"] as? String)
        if let named, let last = named.split(separator: "#").last { return String(last) }
        if let header = response.header("x-amzn-ErrorType"), let first = header.split(separator: ":").first { return String(first) }
        return nil
    }

    func roleCredentials(_ accessToken: SecretValue, _ settings: Settings) async throws(CredentialsError) -> Credentials {
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "account_id", value: settings.accountId), URLQueryItem(name: "role_name", value: settings.roleName)]
        let url = endpoint(envSuffix: "SSO", host: "portal.sso", region: settings.region)
            + "/federation/credentials?" + (query.percentEncodedQuery ?? "")
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: [("x-amz-sso_bearer_token", accessToken.reveal())],
                                                            connectTimeout: .seconds(5), timeout: .seconds(15)))
        } catch {
            throw .providerFailed(provider: provider, reason: "the SSO portal did not answer: \(error)")
        }
        struct Answer: Decodable {
            struct Role: Decodable {
                var accessKeyId: String?
                var secretAccessKey: SecretValue?
                var sessionToken: SecretValue?
                var expiration: Double?
            }
            var roleCredentials: Role?
        }
        guard response.status == 200 else {
            let type = Self.errorType(response)
            if response.status == 401 || type == "UnauthorizedException" {
                throw .providerFailed(provider: provider, reason: "the SSO portal refused the token (expired or signed out): run `\(login)`")
            }
            throw .providerFailed(provider: provider, reason: "GetRoleCredentials for role \(settings.roleName) in account \(settings.accountId): \(type ?? "HTTP \(response.status)")".printableASCII)
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)), let role = answer.roleCredentials,
              let accessKey = role.accessKeyId, let secret = role.secretAccessKey
        else {
            throw .providerFailed(provider: provider, reason: "GetRoleCredentials answered without credentials")
        }
        let expiration = role.expiration.flatMap { $0.isFinite ? Date(timeIntervalSince1970: min(max($0 / 1000, 0), 1e11)) : nil }
        return Credentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: role.sessionToken, expiration: expiration,
                           source: "\(provider) (role \(settings.roleName) in account \(settings.accountId))")
    }
}

private extension String {
    /// What the portal sent, kept to printable ASCII (it goes into an error message).
    var printableASCII: String {
        String(String.UnicodeScalarView(unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }))
    }
}

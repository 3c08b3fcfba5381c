import Foundation
import LookoutTestSupport
import Testing

@testable import LookoutAWS

/// IAM Identity Center profiles through the sandbox's SSO portal and OIDC (`sandbox/lib/sbx/sso.py`,
/// proven with botocore's own SSO provider in `sandbox/tests/test_sso.py`): lookout resolves both
/// profile forms to the identity botocore resolves, refreshes an expired token with its refresh
/// token and writes it back as botocore does, and says which login to run when it cannot. Each
/// test has its own HOME, whose token cache `./sandbox/sso-login` wrote as `aws sso login` would.
@Suite("IAM Identity Center through the sandbox", .serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct SSOSandboxTests {
    struct Facts: Decodable {
        struct Environment: Decodable {
            var account: String
            var aws_endpoint: String
            var sso_profile: String
            var sso_legacy_profile: String
        }
        var region: String
        var aws_config_file: String
        var aws_shared_credentials_file: String
        var sso_session: String
        var sso_env: [String: String]
        var environments: [String: Environment]
    }

    let facts: Facts
    let home = NSTemporaryDirectory() + "lookout-sso-\(UUID().uuidString)"

    init() throws {
        facts = try JSONDecoder().decode(Facts.self, from: Data(contentsOf: URL(fileURLWithPath: Sandbox.folder + "/sandbox.json")))
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    /// What botocore and lookout both see: the sandbox's AWS files, this HOME, the SSO endpoints.
    var environment: [String: String] {
        var environment = facts.sso_env
        environment["AWS_CONFIG_FILE"] = facts.aws_config_file
        environment["AWS_SHARED_CREDENTIALS_FILE"] = facts.aws_shared_credentials_file
        environment["HOME"] = home
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return environment
    }

    func login(_ environmentName: String, _ options: [String] = []) async throws {
        let script = SandboxLocation.repository.appendingPathComponent("sandbox/sso-login").path
        let result = try await run([script, environmentName, "--home", home] + options)
        guard result.status == 0 else { throw TestSetupError(description: "sso-login: \(result.stderr)") }
    }

    func client(_ environmentName: String, profile: String) -> AWSClient {
        let target = facts.environments[environmentName]!
        return AWSClient(
            configuration: AWSConfiguration(environmentName: environmentName, region: facts.region, profile: profile,
                                            endpoint: target.aws_endpoint),
            environment: environment, transport: CurlTransport(proxy: ProxySettings()))
    }

    struct Botocore: Decodable {
        var method: String?
        var arn: String?
        var error: String?
    }

    func botocore(_ environmentName: String, profile: String) async throws -> Botocore {
        let target = facts.environments[environmentName]!
        let result = try await run([python, supportDirectory + "/botocore_credentials.py", "--profile", profile,
                                    "--identity", target.aws_endpoint, facts.region], environment: environment)
        guard result.status == 0 else { throw TestSetupError(description: "botocore helper: \(result.stderr)") }
        return try JSONDecoder().decode(Botocore.self, from: result.stdout)
    }

    var sessionCache: String { home + "/.aws/sso/cache/" + SSOCredentials.sha1(facts.sso_session) + ".json" }

    func cachedToken() throws -> (token: String, expiresAt: String) {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sessionCache))) as? [String: Any]
        return (object?["accessToken"] as? String ?? "", object?["expiresAt"] as? String ?? "")
    }

    @Test(arguments: [("dev", false), ("dev", true), ("prod", false)])
    func bothProfileFormsResolveToTheIdentityBotocoreResolves(_ environmentName: String, legacy: Bool) async throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await login(environmentName, legacy ? ["--legacy"] : [])
        let target = try #require(facts.environments[environmentName])
        let profile = legacy ? target.sso_legacy_profile : target.sso_profile
        let theirs = try await botocore(environmentName, profile: profile)
        #expect(theirs.method == "sso", "botocore: \(theirs.error ?? "-")")
        let mine = try await client(environmentName, profile: profile).sts.getCallerIdentity()
        #expect(mine.account == target.account)
        #expect(mine.arn == theirs.arn, "lookout \(mine.arn), botocore \(theirs.arn ?? "-")")
        let credentials = try await client(environmentName, profile: profile).credentials()
        #expect(credentials.source.contains("SSO profile \"\(profile)\""), "\(credentials.source)")
        #expect(credentials.expiration.map { $0 > Date() } == true, "role credentials carry their expiry (refreshed before it)")
    }

    /// An access token that expired an hour ago, with a valid refresh token: lookout asks OIDC for
    /// a new one, writes it back into the CLI's cache (as botocore does), and goes on.
    @Test func anExpiredTokenIsRefreshedAndWrittenBack() async throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await login("dev", ["--expired"])
        let before = try cachedToken()
        let target = try #require(facts.environments["dev"])
        let identity = try await client("dev", profile: target.sso_profile).sts.getCallerIdentity()
        #expect(identity.account == target.account)
        let after = try cachedToken()
        #expect(after.token != before.token, "the cache holds a new token")
        #expect((ISO8601.parse(after.expiresAt) ?? .distantPast) > Date(), "the new token is valid: \(after.expiresAt)")
        let mode = try FileManager.default.attributesOfItem(atPath: sessionCache)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // botocore reads the token lookout wrote, and needs no refresh of its own.
        #expect(try await botocore("dev", profile: target.sso_profile).method == "sso")
        #expect(try cachedToken().token == after.token)
    }

    @Test(arguments: [(["--expired", "--no-refresh"], "aws sso login --sso-session sandbox"), (["--legacy", "--expired"], "aws sso login --profile lookout-dev-sso-legacy")])
    func anExpiredTokenThatCannotBeRefreshedSaysWhichLoginToRun(_ options: [String], _ advice: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await login("dev", options)
        let target = try #require(facts.environments["dev"])
        let profile = options.contains("--legacy") ? target.sso_legacy_profile : target.sso_profile
        let error = await #expect(throws: AWSError.self) { _ = try await client("dev", profile: profile).sts.getCallerIdentity() }
        #expect(error.map { "\($0)" }?.contains(advice) == true, "\(error.map { "\($0)" } ?? "-")")
        #expect(error.map { "\($0)" }?.contains("[dev]") == true, "named for its environment only")
    }

    @Test func noTokenAtAllSaysWhichLoginToRun() async throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        let target = try #require(facts.environments["test"])
        let error = await #expect(throws: AWSError.self) { _ = try await client("test", profile: target.sso_profile).sts.getCallerIdentity() }
        #expect(error.map { "\($0)" }?.contains("no SSO token") == true && error.map { "\($0)" }?.contains("aws sso login") == true,
                "\(error.map { "\($0)" } ?? "-")")
    }
}

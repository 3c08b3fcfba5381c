import Foundation
import Testing

@testable import LookoutAWS

/// How an SSO profile is read (pure: the portal itself is in SSOSandboxTests).
@Suite("SSO profile settings")
struct SSOSettingsTests {
    func sso(_ profile: [String: String], sessions: [String: [String: String]] = [:], environment: [String: String] = [:]) -> SSOCredentials {
        var files = SharedConfigFiles(environment: ["HOME": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent/config"])
        files.ssoSessions = sessions
        return SSOCredentials(profile: "p", values: profile, files: files, environment: environment, transport: CurlTransport(proxy: ProxySettings()))
    }

    @Test func theCacheKeyIsTheSHA1OfTheSessionNameOrTheStartURL() throws {
        let session = try sso(["sso_session": "sandbox", "sso_account_id": "1", "sso_role_name": "r"],
                              sessions: ["sandbox": ["sso_start_url": "https://x/start", "sso_region": "eu-west-1"]]).settings()
        // sha1sum of the name, as the AWS CLI names the file (Python's hashlib gives the same)
        #expect(session.cacheKey == "9ed037b84943c4caa3a520e48a5540181c46c98c")
        let legacy = try sso(["sso_start_url": "https://my-sso-portal.awsapps.com/start", "sso_region": "eu-west-1",
                              "sso_account_id": "1", "sso_role_name": "r"]).settings()
        #expect(legacy.cacheKey == "c7aaaf71fcc8777ae2475525ed049d39fe16c484")
        #expect(legacy.session == nil && session.session == "sandbox")
    }

    @Test func aMissingPieceIsNamed() {
        #expect(throws: CredentialsError.providerFailed(provider: "SSO profile \"p\"", reason: "the profile has no sso_role_name")) {
            _ = try sso(["sso_session": "s", "sso_account_id": "1"]).settings()
        }
        #expect(throws: CredentialsError.self) { _ = try sso(["sso_session": "missing", "sso_account_id": "1", "sso_role_name": "r"]).settings() }
    }

    /// botocore's order: the service's variable, the global one, the profile's endpoint_url, the default.
    @Test func endpointsAsBotocoreReadsThem() {
        let profile = ["endpoint_url": "http://profile"]
        #expect(sso(profile, environment: ["AWS_ENDPOINT_URL_SSO": "http://sso/", "AWS_ENDPOINT_URL": "http://all"])
            .endpoint(envSuffix: "SSO", host: "portal.sso", region: "eu-west-1") == "http://sso")
        #expect(sso(profile, environment: ["AWS_ENDPOINT_URL": "http://all"])
            .endpoint(envSuffix: "SSO", host: "portal.sso", region: "eu-west-1") == "http://all")
        #expect(sso(profile).endpoint(envSuffix: "SSO_OIDC", host: "oidc", region: "eu-west-1") == "http://profile")
        #expect(sso([:]).endpoint(envSuffix: "SSO", host: "portal.sso", region: "eu-west-1") == "https://portal.sso.eu-west-1.amazonaws.com")
        #expect(sso([:], environment: ["AWS_ENDPOINT_URL_SSO": "http://sso"])
            .endpoint(envSuffix: "SSO_OIDC", host: "oidc", region: "us-east-2") == "https://oidc.us-east-2.amazonaws.com")
    }
}

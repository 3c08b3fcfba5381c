import Foundation
import Testing

@testable import LookoutAWS

/// moto_server with signature and IAM checking switched on (`/moto-api/reset-auth`): a server of
/// this suite's own, since the switch is for the whole server.
@Suite("Signatures against moto_server with auth on")
struct SignatureCheckingTests {
    struct Setup: Decodable {
        var access_key: String
        var secret_key: String
        var role_arn: String
    }

    func client(_ moto: MotoServer, accessKey: String, secret: String, token: String? = nil) -> AWSClient {
        AWSClient(
            configuration: AWSConfiguration(environmentName: "authcheck", region: moto.region, endpoint: moto.endpoint),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: accessKey, secretAccessKey: SecretValue(secret),
                            sessionToken: token.map(SecretValue.init), source: "test")),
            transport: CurlTransport(proxy: ProxySettings()))
    }

    @Test("good signatures pass (JSON and Query, with and without a session token); a wrong secret gets SignatureDoesNotMatch")
    func signatures() async throws {
        let moto = try await MotoServer()
        defer { moto.server.stop() }
        let result = try await run([python, supportDirectory + "/moto_auth_setup.py", moto.endpoint])
        try #require(result.status == 0, "moto_auth_setup.py: \(result.stderr)")
        let setup = try JSONDecoder().decode(Setup.self, from: result.stdout)

        let good = client(moto, accessKey: setup.access_key, secret: setup.secret_key)
        let identity = try await good.sts.getCallerIdentity()
        #expect(identity.arn.hasSuffix(":user/lookout"))
        _ = try await good.ssm.describeParameters()
        _ = try await good.ssm.putParameter(name: "/auth/check", value: SecretValue("v"), type: "String")
        // Not Route53: with auth on, moto 5.2.5 refuses botocore's own Route53 requests too (measured).
        let noCluster = await #expect(throws: AWSError.self) { _ = try await good.ecs.listServices(cluster: "none") }
        #expect(noCluster?.code == "ClusterNotFoundException", "past the signature check")

        let assumed = try await good.sts.assumeRole(roleArn: setup.role_arn, sessionName: "auth-check")
        let withToken = AWSClient(
            configuration: good.configuration, credentials: StaticCredentialProvider(assumed.credentials),
            transport: CurlTransport(proxy: ProxySettings()))
        #expect(try await withToken.sts.getCallerIdentity().arn.contains(":assumed-role/lookout-role/auth-check"))
        _ = try await withToken.ssm.getParameter(name: "/auth/check")

        let wrongSecret = setup.secret_key + "x"
        let bad = client(moto, accessKey: setup.access_key, secret: wrongSecret)
        let stsError = await #expect(throws: AWSError.self) { _ = try await bad.sts.getCallerIdentity() }
        let ssmError = await #expect(throws: AWSError.self) { _ = try await bad.ssm.describeParameters() }
        for error in [stsError, ssmError] {
            #expect(error?.code == "SignatureDoesNotMatch")
            #expect(error?.attempts == 1)
            let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
            let leaked = text.contains(setup.secret_key)
            #expect(!leaked, "the secret is in the error")
        }

        let unknown = client(moto, accessKey: "AKIAUNKNOWNKEY000000", secret: setup.secret_key)
        let refused = await #expect(throws: AWSError.self) { _ = try await unknown.sts.getCallerIdentity() }
        #expect(refused?.code == "InvalidClientTokenId")
    }
}

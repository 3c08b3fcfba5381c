import Foundation
import LookoutAWS

/// A moto_server of the tests' own (never the sandbox's), seeded by Tests/Support/moto_seed.py.
struct Seed: Decodable, Sendable {
    struct ECSSeed: Decodable, Sendable {
        var cluster: String
        var services: [String]
        var tasks: [String]
    }
    struct GroupSeed: Decodable, Sendable {
        var name: String
        var desired: Int
    }
    struct AutoScalingSeed: Decodable, Sendable {
        var groups: [GroupSeed]
        var instances: [String]
    }
    struct SSMSeed: Decodable, Sendable {
        var secure: String
        var secure_sha256: String
        var history: String
        var history_versions: Int
        var many_prefix: String
        var many: Int
    }
    struct PCASeed: Decodable, Sendable {
        var arn: String
        var certificate: String
    }
    struct Route53Seed: Decodable, Sendable {
        var health_checks: [String]
    }
    var ecs: ECSSeed
    var autoscaling: AutoScalingSeed
    var ssm: SSMSeed
    var pca: PCASeed
    var route53: Route53Seed
}

final class MotoServer: Sendable {
    let server: BackgroundServer
    let endpoint: String
    let region = "us-east-1"

    init() async throws {
        let port = freePort()
        server = try BackgroundServer(port: port, command: ["moto_server", "-H", "127.0.0.1", "-p", String(port)])
        endpoint = "http://127.0.0.1:\(port)"
        try await server.waitUntilListening()
    }

    func seed() async throws -> Seed {
        let result = try await run([python, supportDirectory + "/moto_seed.py", endpoint, region])
        guard result.status == 0 else { throw TestSetupError(description: "moto_seed.py failed: \(result.stderr)") }
        return try JSONDecoder().decode(Seed.self, from: result.stdout)
    }

    /// A client with fixed made-up keys (moto checks no signature unless reset-auth switched it on).
    func client(environment: String = "moto", retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(30))
        -> AWSClient
    {
        AWSClient(
            configuration: AWSConfiguration(
                environmentName: environment, region: region, endpoint: endpoint, timeout: timeout, retry: retry),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDLOOKOUTTEST", secretAccessKey: SecretValue("lookout-test-secret"),
                            source: "test")),
            transport: CurlTransport(proxy: ProxySettings()))
    }
}

/// One seeded moto for all tests of the run that only read (or write under their own names).
actor SharedMoto {
    static let shared = SharedMoto()
    private var started: Task<(MotoServer, Seed), any Error>?

    func get() async throws -> (MotoServer, Seed) {
        if started == nil {
            started = Task {
                let moto = try await MotoServer()
                return (moto, try await moto.seed())
            }
        }
        return try await started!.value
    }
}

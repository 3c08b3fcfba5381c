import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import LookoutTestSupport

@testable import LookoutAWS

/// The shared sandbox, found through `LOOKOUT_SANDBOX` (default `<repo>/.sandbox`: `SandboxLocation`).
/// Without it these tests are skipped, or fail under `LOOKOUT_REQUIRE_SANDBOX=1`; with it, an
/// unreachable sandbox fails them.
enum Sandbox {
    static var folder: String { SandboxLocation.path }
    /// The environment whose AWS proxy these tests fault (and always reset): `LOOKOUT_SANDBOX_ENV`, default dev.
    static let environment = ProcessInfo.processInfo.environment["LOOKOUT_SANDBOX_ENV"] ?? "dev"

    struct Facts: Decodable {
        struct Environment: Decodable {
            var account: String
            var profile: String
            var aws_endpoint: String
            var cluster: String
            var services: [String]
            var asg: String
            var instances: [String]
            var ssm: [String: String]
            var health_check_id: String
            var pca_arn: String
        }
        var region: String
        var aws_config_file: String
        var aws_shared_credentials_file: String
        var environments: [String: Environment]
    }

    static func facts() throws -> (Facts, Facts.Environment) {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/sandbox.json"))
        let facts = try JSONDecoder().decode(Facts.self, from: data)
        guard let environment = facts.environments[environment] else {
            throw TestSetupError(description: "sandbox.json has no environment \(Self.environment)")
        }
        return (facts, environment)
    }

    /// A client configured as lookout.yaml configures it: the environment's profile (an assumed
    /// role in its own account) and its endpoint, which is the sandbox's fault proxy.
    static func client(timeout: Duration = .seconds(30)) throws -> AWSClient {
        let (facts, environment) = try facts()
        return AWSClient(
            configuration: AWSConfiguration(
                environmentName: Self.environment, region: facts.region, profile: environment.profile,
                endpoint: environment.aws_endpoint, timeout: timeout),
            environment: [
                "AWS_CONFIG_FILE": facts.aws_config_file, "AWS_SHARED_CREDENTIALS_FILE": facts.aws_shared_credentials_file,
                "HOME": NSTemporaryDirectory(), "AWS_EC2_METADATA_DISABLED": "true",
            ],
            transport: CurlTransport(proxy: ProxySettings()))
    }

    static func scenario(_ arguments: String...) async throws {
        let script = URL(fileURLWithPath: folder).deletingLastPathComponent().appendingPathComponent("sandbox/scenario").path
        let result = try await run([script] + arguments)
        guard result.status == 0 else {
            throw TestSetupError(description: "scenario \(arguments.joined(separator: " ")): \(result.stderr)")
        }
    }

    /// How many requests the fault proxy has read on this environment's AWS target for `service`
    /// (the SigV4 scope's name), counted on the proxy's side: `GET /counts` of its control port (sandbox.json's `control.counts`).
    static func proxyCount(_ service: String) async throws -> Int {
        struct Control: Decodable { struct URLs: Decodable { var counts: String }; var control: URLs }
        let facts = try JSONDecoder().decode(Control.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/sandbox.json")))
        guard let url = URL(string: facts.control.counts) else { throw TestSetupError(description: "sandbox.json: bad control.counts") }
        let (data, _) = try await URLSession.shared.data(from: url)
        struct Target: Decodable { var requests: Int; var by_service: [String: Int]; var throttled: Int? }
        let counts = try JSONDecoder().decode([String: Target].self, from: data)
        guard let target = counts["\(environment)-aws"] else {
            throw TestSetupError(description: "the proxy counts no \(environment)-aws")
        }
        return service == "throttled" ? target.throttled ?? 0 : target.by_service[service] ?? 0
    }

    /// The requests the proxy read for `service` while `body` ran.
    static func counted<T>(_ service: String, _ body: () async throws -> T) async throws -> (T, Int) {
        let before = try await proxyCount(service)
        let result = try await body()
        return (result, try await proxyCount(service) - before)
    }

    /// Runs `body` with a fault on, and resets the environment afterwards whatever happened.
    static func withFault(_ name: String, service: String, _ body: () async throws -> Void) async throws {
        try await scenario(name, environment, service)
        do {
            try await body()
        } catch {
            try await scenario("reset", environment)
            throw error
        }
        try await scenario("reset", environment)
    }
}

@Suite("Through the sandbox's fault proxy", .serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct SandboxFaultTests {
    @Test("reads the environment as lookout will: profile with an assumed role, endpoint = fault proxy")
    func reads() async throws {
        let (_, facts) = try Sandbox.facts()
        let client = try Sandbox.client()
        let identity = try await client.sts.getCallerIdentity()
        #expect(identity.account == facts.account)
        let services = try await client.ecs.describeAllServices(cluster: facts.cluster, services: facts.services)
        #expect(services.services?.compactMap(\.serviceName).sorted() == facts.services.sorted())
        let groups = try await client.autoScaling.describeAllAutoScalingGroups(names: [facts.asg])
        #expect(Set(groups.first?.instances.map(\.instanceId) ?? []) == Set(facts.instances))
        let password = try await client.ssm.getParameter(name: facts.ssm["admin-password"]!, withDecryption: true)
        #expect(password.type == "SecureString")
        #expect(password.value?.isEmpty == false)
        let status = try await client.route53.getHealthCheckStatus(id: facts.health_check_id)
        #expect(!status.isEmpty)
        let authority = try await client.acmPCA.describeCertificateAuthority(arn: facts.pca_arn)
        #expect(authority.status == "ACTIVE")
    }

    @Test("aws-throttle: 5 attempts in JSON, Query and REST-XML (paced by the adaptive limiter), then the throttling error; other services unaffected")
    func throttle() async throws {
        let (_, facts) = try Sandbox.facts()
        let client = try Sandbox.client()
        _ = try await client.credentials()  // the role is assumed before STS might be faulted
        try await Sandbox.withFault("aws-throttle", service: "ssm") {
            let (error, requests) = try await Sandbox.counted("ssm") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.ssm.getParameter(name: facts.ssm["admin-password"]!)
                }
            }
            #expect(error?.code == "ThrottlingException")
            #expect(error?.attempts == 5)
            #expect(requests == 5, "the proxy read \(requests) SSM requests")
            #expect(error?.environment == Sandbox.environment)
            _ = try await client.ecs.listAllServices(cluster: facts.cluster)
        }
        try await Sandbox.withFault("aws-throttle", service: "autoscaling") {
            let (error, requests) = try await Sandbox.counted("autoscaling") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.autoScaling.describeAutoScalingGroups(names: [facts.asg])
                }
            }
            #expect(error?.code == "Throttling")
            #expect(error?.attempts == 5)
            #expect(requests == 5, "the proxy read \(requests) Auto Scaling requests")
        }
        try await Sandbox.withFault("aws-throttle", service: "route53") {
            let (error, requests) = try await Sandbox.counted("route53") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.route53.getHealthCheckStatus(id: facts.health_check_id)
                }
            }
            #expect(error?.code == "Throttling")
            #expect(error?.attempts == 5)
            #expect(requests == 5, "the proxy read \(requests) Route53 requests")
        }
        let recovered = try await client.ssm.getParameter(name: facts.ssm["admin-password"]!)
        #expect(recovered.version != nil, "after reset the same client works again")
    }

    @Test("aws-rate: calls that meet AWS's rates (scaled) slow down to them instead of failing; the throttles are counted on both sides")
    func rate() async throws {
        let (_, facts) = try Sandbox.facts()
        let client = try Sandbox.client()
        _ = try await client.credentials()
        try await Sandbox.withFault("aws-rate", service: "ecs") {
            let (answers, throttled) = try await Sandbox.counted("throttled") {
                var answers = 0
                for _ in 0..<8 {
                    _ = try await client.ecs.listAllServices(cluster: facts.cluster)
                    answers += 1
                }
                return answers
            }
            #expect(answers == 8, "every call answered")
            #expect(throttled > 0, "the proxy throttled none: the fault did not bite")
            let figures = client.throttling["ecs"]
            #expect(figures?.throttles == throttled, "the client saw \(figures?.throttles ?? 0) of the proxy's \(throttled) throttles")
            #expect((figures?.delayed ?? 0) > 0, "no call waited for the limiter")
        }
    }

    @Test("aws-garbage: an unreadable 200 is an error, not retried, and never quotes the body")
    func garbage() async throws {
        let (_, facts) = try Sandbox.facts()
        let client = try Sandbox.client()
        let secret = try await client.ssm.getParameter(name: facts.ssm["admin-password"]!, withDecryption: true)
        try await Sandbox.withFault("aws-garbage", service: "ecs") {
            let (error, requests) = try await Sandbox.counted("ecs") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.ecs.describeServices(cluster: facts.cluster, services: facts.services)
                }
            }
            #expect(requests == 1, "the proxy read \(requests) ECS requests")
            guard case .badResponse(let status, _) = error?.kind else {
                Issue.record("expected badResponse, got \(String(describing: error))")
                return
            }
            #expect(status == 200)
            #expect(error?.attempts == 1)
        }
        try await Sandbox.withFault("aws-garbage", service: "ssm") {
            let error = await #expect(throws: AWSError.self) {
                _ = try await client.ssm.getParameter(name: facts.ssm["admin-password"]!, withDecryption: true)
            }
            let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
            #expect(!text.isEmpty)
            let leaked = text.contains(secret.value?.reveal() ?? "\u{0}")
            #expect(!leaked, "the error holds the secret")
        }
        try await Sandbox.withFault("aws-garbage", service: "autoscaling") {
            let error = await #expect(throws: AWSError.self) {
                _ = try await client.autoScaling.describeAutoScalingGroups(names: [facts.asg])
            }
            #expect(error?.attempts == 1)
            if case .badResponse = error?.kind {} else { Issue.record("expected badResponse, got \(String(describing: error))") }
        }
    }

    @Test("aws-blackhole: the call times out once (not retried) while other services answer")
    func blackhole() async throws {
        let (_, facts) = try Sandbox.facts()
        let slowClient = try Sandbox.client(timeout: .seconds(3))
        _ = try await slowClient.credentials()
        let ecsBefore = try await Sandbox.proxyCount("ecs")
        try await Sandbox.withFault("aws-blackhole", service: "ecs") {
            async let held: Result<ECS.ListServicesPage, AWSError> = {
                do throws(AWSError) {
                    return .success(try await slowClient.ecs.listServices(cluster: facts.cluster))
                } catch {
                    return .failure(error)
                }
            }()
            var answered = 0
            for _ in 0..<5 {
                if (try? await slowClient.ssm.getParameter(name: facts.ssm["client-password"]!)) != nil { answered += 1 }
            }
            #expect(answered == 5, "SSM answers while the ECS call hangs")
            let result = await held
            guard case .failure(let error) = result, case .transport(let transport) = error.kind else {
                Issue.record("expected a transport error, got \(result)")
                return
            }
            #expect(transport.kind == .timeout)
            #expect(error.attempts == 1)
            let requests = try await Sandbox.proxyCount("ecs") - ecsBefore
            #expect(requests == 1, "the proxy read \(requests) ECS requests")
        }
    }

    @Test("aws-5xx: an HTTP 500 is retried: 3 requests reach the proxy; an error AWS means (4xx) is 1")
    func serverError() async throws {
        let (_, facts) = try Sandbox.facts()
        let client = try Sandbox.client()
        _ = try await client.credentials()
        let (missing, once) = try await Sandbox.counted("ssm") {
            await #expect(throws: AWSError.self) {
                _ = try await client.ssm.getParameter(name: "/lookout/no/such/parameter")
            }
        }
        #expect(missing?.code == "ParameterNotFound")
        #expect(once == 1, "the proxy read \(once) SSM requests for a missing parameter")
        try await Sandbox.withFault("aws-5xx", service: "ssm") {
            let (error, requests) = try await Sandbox.counted("ssm") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.ssm.getParameter(name: facts.ssm["client-password"]!)
                }
            }
            #expect(error?.code == "InternalFailure")
            if case .service(_, _, let status) = error?.kind { #expect(status == 500) } else { Issue.record("expected a service error, got \(String(describing: error))") }
            #expect(error?.attempts == 3)
            #expect(requests == 3, "the proxy read \(requests) SSM requests")
            _ = try await client.ecs.listAllServices(cluster: facts.cluster)
        }
        try await Sandbox.withFault("aws-5xx", service: "route53") {
            let (error, requests) = try await Sandbox.counted("route53") {
                await #expect(throws: AWSError.self) {
                    _ = try await client.route53.getHealthCheckStatus(id: facts.health_check_id)
                }
            }
            #expect(error?.code == "InternalFailure")
            #expect(requests == 3, "the proxy read \(requests) Route53 requests")
        }
    }
}

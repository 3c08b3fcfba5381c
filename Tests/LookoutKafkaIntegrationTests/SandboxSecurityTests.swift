import Foundation
import KafkaProtocol
import LookoutAWS
import LookoutConfig
import LookoutKafka
import LookoutEnvironment
import Testing
import LookoutTestSupport

extension SandboxTests {
/// The Kafka client through the sandbox's TLS fronts and SASL gates (test: SASL_PLAINTEXT PLAIN,
/// acc: SSL, prod: SASL_SSL SCRAM-SHA-512 and -256), with the settings and secrets lookout.yaml
/// names, compared with confluent-kafka over the same security. Scenarios only on prod, always reset.
@Suite("Kafka over TLS and SASL", .serialized)
struct SandboxSecurityTests {
    /// One environment of the sandbox's lookout.yaml and an AWS client for it.
    struct Environment {
        var config: EnvironmentConfig
        var aws: AWSClient
        var kafka: KafkaConfig { config.kafka! }
    }

    func environment(_ name: String) throws -> Environment {
        let sandbox = SandboxFixture.folder.path
        let file = "\(sandbox)/lookout-tests.yaml"
        let config = try Config.decode(yaml: String(contentsOfFile: file, encoding: .utf8), file: file, home: NSHomeDirectory(), stateHome: NSTemporaryDirectory())
        let environment = try #require(config.environments.first { $0.name == name })
        let aws = AWSClient(
            configuration: AWSConfiguration(
                environmentName: name, region: environment.aws.region, profile: environment.aws.profile,
                roleArn: environment.aws.roleARN?.description, endpoint: environment.aws.endpoint?.absoluteString,
                connectTimeout: .seconds(3), timeout: .seconds(5)),
            environment: [
                "AWS_CONFIG_FILE": "\(sandbox)/aws/config",
                "AWS_SHARED_CREDENTIALS_FILE": "\(sandbox)/aws/credentials",
                "AWS_EC2_METADATA_DISABLED": "true",
            ])
        return Environment(config: environment, aws: aws)
    }

    func client(_ environment: Environment, kafka: KafkaConfig? = nil) -> KafkaAdminClient {
        let kafka = kafka ?? environment.kafka
        return KafkaAdminClient(configuration: KafkaConnectionOptions.configuration(
            bootstrap: kafka.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) }, kafka: kafka, aws: environment.aws,
            connectTimeout: .seconds(3), requestTimeout: .seconds(5)))
    }

    /// confluent-kafka's metadata over the environment's own security (Tests/Support/kafka_secured_reads.py).
    func confluentMetadata(_ name: String, mechanism: String? = nil) throws -> [String: Any] {
        let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Support/kafka_secured_reads.py")
        let python = SandboxFixture.folder.appendingPathComponent("venv/bin/python").path
        let output = try SandboxFixture.run(python, [support.path, SandboxFixture.folder.path, name] + (mechanism.map { [$0] } ?? []))
        guard output.status == 0, let json = try JSONSerialization.jsonObject(with: Data(output.text.utf8)) as? [String: Any],
              let raw = json["raw"] as? [String: Any]
        else { throw SandboxFixture.Failure(description: "kafka_secured_reads.py \(name) failed: \(output.text)") }
        return raw
    }

    func expectSame(_ ours: KafkaClusterMetadata, _ theirs: [String: Any], _ label: String) throws {
        #expect(ours.clusterID == theirs["cluster_id"] as? String, "\(label)")
        #expect(ours.controllerID.map(Int.init) == theirs["controller_id"] as? Int, "\(label)")
        let brokers = (theirs["brokers"] as? [[Any]] ?? []).map { "\($0[0]) \($0[1]):\($0[2])" }
        #expect(ours.brokers.map { "\($0.id) \($0.host):\($0.port)" } == brokers, "\(label)")
        let topics = theirs["topics"] as? [String: [String: [Any]]] ?? [:]
        #expect(Set(ours.topics.map(\.name)) == Set(topics.keys), "\(label)")
        for topic in ours.topics {
            let partitions = try #require(topics[topic.name], "\(label) \(topic.name)")
            #expect(topic.partitions.count == partitions.count, "\(label) \(topic.name)")
            for partition in topic.partitions {
                let their = try #require(partitions["\(partition.id)"], "\(label) \(topic.name)/\(partition.id)")
                #expect(Int(partition.leader) == their[0] as? Int)
                #expect(partition.replicas.map(Int.init) == their[1] as? [Int])
                #expect(partition.isr.map(Int.init) == their[2] as? [Int])
            }
        }
    }

    // MARK: - Logins that work

    @Test(arguments: SandboxEnvironments.selected(["test", "acc", "prod"]))
    func metadataOverTheEnvironmentsSecurityEqualsConfluentKafka(_ name: String) async throws {
        let environment = try environment(name)
        let client = client(environment)
        let clock = ContinuousClock()
        let start = clock.now
        let ours = try await client.metadata()
        let elapsed = clock.now - start
        await client.shutdown()
        try expectSame(ours, try confluentMetadata(name), name)
        #expect(await client.connectionAttempts == 1, "one connection: bootstrap, TLS, login, Metadata")
        print("\(name): connect + TLS/SASL + Metadata took \(elapsed)")
    }

    /// SaslAuthenticate forced to each version lookout can pick against the gates (test: PLAIN,
    /// prod: SCRAM-SHA-512 over TLS), whose offer is pinned so that a narrower one fails.
    @Test(arguments: SandboxEnvironments.selected(["test", "prod"]))
    func saslAuthenticateAtEveryVersion(_ name: String) async throws {
        let environment = try environment(name)
        let address = try #require(environment.kafka.bootstrap.first.map { KafkaBrokerAddress(host: $0.host, port: $0.port) })
        var logins: [Int16] = []
        for version in SaslAuthenticateRequest.validVersions {
            var configuration = KafkaConnectionOptions.configuration(
                bootstrap: [address], kafka: environment.kafka, aws: environment.aws,
                connectTimeout: .seconds(3), requestTimeout: .seconds(5))
            configuration.maximumVersions = [SaslAuthenticateRequest.apiKey: version]
            let client = KafkaAdminClient(configuration: configuration)
            let ours = try await client.metadata()
            let offered = await client.apiVersions(of: address)
            await client.shutdown()
            #expect(offered?[SaslAuthenticateRequest.apiKey] == 0...2, "\(name) v\(version)")
            #expect(offered?[SaslHandshakeRequest.apiKey] == 0...1, "\(name) v\(version)")
            #expect(await client.connectionAttempts == 1, "\(name) v\(version)")
            try expectSame(ours, try confluentMetadata(name), "\(name) SaslAuthenticate v\(version)")
            logins.append(version)
        }
        #expect(logins == [0, 1, 2])
    }

    @Test func prodAlsoLogsInWithSCRAMSHA256() async throws {
        let environment = try environment("prod")
        var kafka = environment.kafka
        kafka.sasl?.mechanism = .scramSHA256
        let client = client(environment, kafka: kafka)
        let ours = try await client.metadata()
        await client.shutdown()
        try expectSame(ours, try confluentMetadata("prod", mechanism: "SCRAM-SHA-256"), "prod SCRAM-SHA-256")
    }

    @Test func accTrustsItsPrivateCAFetchedThroughAWS() async throws {
        let environment = try environment("acc")
        var kafka = environment.kafka
        kafka.tls?.caFile = nil
        kafka.tls?.caPCA = environment.config.certificates?.pca
        #expect(kafka.tls?.caPCA != nil)
        let security = try await KafkaConnectionOptions.security(kafka: kafka, aws: environment.aws)
        #expect(security.tls?.trustSource.hasPrefix("the Private CA arn:aws:acm-pca:") == true)
        // The subordinate CA's certificate and its chain (the sandbox root).
        #expect(security.tls?.trustRoots?.count == 2)
        let client = client(environment, kafka: kafka)
        let ours = try await client.metadata()
        await client.shutdown()
        try expectSame(ours, try confluentMetadata("acc"), "acc via ca_pca")
    }

    // MARK: - Logins that fail, and say why

    func failure(_ client: KafkaAdminClient) async -> KafkaError? {
        do {
            _ = try await client.metadata()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: SandboxEnvironments.selected(["test", "prod"]))
    func aWrongPasswordIsAFailedLoginForThatUser(_ name: String) async throws {
        let environment = try environment(name)
        let right = environment.kafka.sasl!
        let client = KafkaAdminClient(configuration: .init(
            bootstrap: environment.kafka.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) },
            connectTimeout: .seconds(3), requestTimeout: .seconds(5), reconnectBackoff: .seconds(5),
            security: {
                var security = try await KafkaConnectionOptions.security(kafka: environment.kafka, aws: environment.aws)
                let password = security.sasl?.password.reveal() ?? ""
                security.sasl?.password = SecretValue("not-" + password)
                return security
            }))
        let error = try #require(await failure(client))
        await client.shutdown()
        #expect(error.code == .authenticationFailed)
        #expect(error.detail.hasPrefix("authentication failed for user \(right.username) with \(right.mechanism.rawValue)"), "\(error)")
        #expect(error.api == "SaslAuthenticate")
        #expect(await client.connectionAttempts == 1, "a refused login is not retried on the same poll")
        // The right password still works at the same moment: the failure is this client's alone.
        let good = self.client(environment)
        _ = try await good.metadata()
        await good.shutdown()
    }

    @Test func anUnknownUserIsAFailedLoginForThatUser() async throws {
        let environment = try environment("test")
        var kafka = environment.kafka
        kafka.sasl?.username = "nobody"
        let error = try #require(await failure(client(environment, kafka: kafka)))
        #expect(error.code == .authenticationFailed)
        #expect(error.detail.hasPrefix("authentication failed for user nobody"), "\(error)")
    }

    @Test func aMechanismTheBrokerDoesNotOfferIsNamed() async throws {
        let environment = try environment("test")
        var kafka = environment.kafka
        kafka.sasl?.mechanism = .scramSHA512
        let error = try #require(await failure(client(environment, kafka: kafka)))
        #expect(error.code == .authenticationFailed)
        #expect(error.detail == "authentication failed for user admin: the broker does not offer SCRAM-SHA-512 (it offers PLAIN)", "\(error)")
    }

    @Test func anUnrelatedCAIsNotTrusted() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try SandboxFixture.run(which("openssl") ?? "openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(folder)/ca.key",
                                                               "-out", "\(folder)/ca.pem", "-subj", "/CN=unrelated", "-days", "2"])
        #expect(made.status == 0, "\(made.text)")
        let environment = try environment("prod")
        var kafka = environment.kafka
        kafka.tls?.caFile = "\(folder)/ca.pem"
        let client = client(environment, kafka: kafka)
        let error = try #require(await failure(client))
        #expect(error.code == .certificateUntrusted)
        #expect(error.description == "Kafka broker \(kafka.bootstrap[0]): certificate not trusted by ca_file \(folder)/ca.pem")
        #expect(await client.connectionAttempts == 1)
    }

    @Test func aServedCertificateFromAnotherCAIsNotTrusted() async throws {
        let sandbox = try SandboxFixture()
        try sandbox.scenario("cert-untrusted", "prod")
        defer { try? sandbox.scenario("reset", "prod") }
        let environment = try environment("prod")
        let error = try #require(await failure(client(environment)))
        #expect(error.code == .certificateUntrusted)
        #expect(error.detail == "certificate not trusted by ca_file \(environment.kafka.tls!.caFile!)", "\(error)")
    }

    @Test func aServedCertificateForAnotherNameDoesNotMatch() async throws {
        let sandbox = try SandboxFixture()
        try sandbox.scenario("cert-wrong-name", "prod")
        defer { try? sandbox.scenario("reset", "prod") }
        let environment = try environment("prod")
        let error = try #require(await failure(client(environment)))
        #expect(error.code == .certificateNameMismatch)
        #expect(error.detail == "certificate name does not match 127.0.0.1", "\(error)")
    }

    @Test func aPasswordThatCannotBeReadIsSaidSoWithoutAConnection() async throws {
        let environment = try environment("test")
        var kafka = environment.kafka
        kafka.sasl?.passwordSSM = "/lookout-tests/no-such-parameter"
        let client = client(environment, kafka: kafka)
        let error = try #require(await failure(client))
        #expect(error.code == .securityUnavailable)
        #expect(error.detail.contains("cannot read the SASL password (password_ssm) from SSM /lookout-tests/no-such-parameter: "), "\(error)")
        #expect(error.detail.contains("ParameterNotFound"), "\(error)")
        #expect(await client.connectionAttempts == 0)
    }
}
}

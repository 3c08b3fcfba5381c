import Foundation
import Testing
import LookoutTestSupport

/// The Kafka part of `snapshot` against the sandbox's Tansu (dev is the plaintext environment),
/// compared with confluent-kafka's `list_topics()`, and broken through the sandbox's Kafka proxy.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct KafkaSnapshotSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()

    func snapshot(_ extra: [String] = []) throws -> [String: JSONObject] {
        let result = try LookoutBinary.run(["snapshot", "--format", "json"] + extra, environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let environments = try parseJSON(result.stdout)["environments"] as? [JSONObject] ?? []
        return Dictionary(uniqueKeysWithValues: environments.map { ($0["name"] as! String, $0) })
    }

    func kafkaSource(_ environment: JSONObject?) -> JSONObject? {
        (environment?["sources"] as? [JSONObject])?.first { $0["name"] as? String == "kafka" }
    }

    @Test func metadataEqualsWhatConfluentKafkaReads() throws {
        let ours = try #require(try snapshot(["--env", "dev"])["dev"]?["kafka"] as? JSONObject)
        let theirs = try confluentReads("dev")
        for key in ["cluster_id", "controller", "brokers", "topics"] {
            let a = try JSONSerialization.data(withJSONObject: ours[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            let b = try JSONSerialization.data(withJSONObject: theirs[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            #expect(a == b, "\(key): lookout \(String(decoding: a, as: UTF8.self)) vs confluent-kafka \(String(decoding: b, as: UTF8.self))")
        }
        let topics = ours["topics"] as? [JSONObject] ?? []
        #expect(topics.count >= 3)
        // Per partition: leader, replicas and ISR (compared above), one entry per partition.
        for topic in topics {
            let details = topic["partition_details"] as? [JSONObject] ?? []
            #expect(details.count == topic["partitions"] as? Int, "\(topic["name"] ?? "")")
            #expect(details.compactMap { $0["partition"] as? Int } == Array(0..<details.count))
            #expect(details.allSatisfy { $0["leader"] as? Int != nil && !($0["isr"] as? [Int] ?? []).isEmpty })
        }
        print("dev: \(topics.count) topics, \(topics.reduce(0) { $0 + ($1["partitions"] as? Int ?? 0) }) partitions compared with confluent-kafka (leader, replicas, isr)")
    }

    func source(_ environment: JSONObject?, _ name: String) -> JSONObject? {
        (environment?["sources"] as? [JSONObject])?.first { $0["name"] as? String == name }
    }

    func errorSources(_ environment: JSONObject?) -> [String] {
        (environment?["errors"] as? [JSONObject] ?? []).compactMap { $0["source"] as? String }
    }

    /// It switches a fault on dev's Kafka and asserts the other environments stay well: it runs
    /// in the `whole` group (Tests/groups.conf), with no other sandbox test beside it.
    @Test(arguments: [("kafka-refuse", "connect"), ("kafka-blackhole", "")])
    func aFaultyKafkaAddressMakesOnlyThatClusterUnknown(scenario: String, cause: String) throws {
        let sources = ["ecs", "autoscaling", "secrets", "certificates", "route53", "kafka", "groups", "endpoints"]
        let notKafka = ["ecs", "autoscaling", "secrets", "certificates", "route53", "endpoints"]
        let baseline = try snapshot()
        for name in ["dev", "test", "acc", "prod"] {
            #expect(source(baseline[name], "kafka")?["status"] as? String == "ok", "\(name) before the fault: \(kafkaError(baseline[name]))")
        }

        try Sandbox.scenario(scenario, "dev")
        defer { try? Sandbox.scenario("reset", "dev") }
        let all = try snapshot()
        let dev = try #require(all["dev"])
        #expect(source(dev, "kafka")?["status"] as? String == "unknown")
        #expect(dev["status"] as? String == "unknown")
        let message = kafkaError(dev)
        #expect(message.hasPrefix("dev kafka: "), "\(message)")
        if !cause.isEmpty { #expect(message.lowercased().contains(cause), "\(message)") }
        #expect(source(dev, "groups")?["status"] as? String == "unknown", "groups are read through the same cluster")
        #expect(Set(errorSources(dev)) == ["kafka", "groups"], "only Kafka and its groups fail on dev")
        #expect((dev["sources"] as? [JSONObject] ?? []).compactMap { $0["name"] as? String } == sources)
        for name in notKafka {
            let status = try #require(source(dev, name)?["status"] as? String, "dev has no \(name) source")
            #expect(status != "unknown", "dev \(name) is not Kafka and must stay known")
            if name != "endpoints" {
                #expect(status == source(baseline["dev"], name)?["status"] as? String, "dev \(name) changed with the fault")
            }
        }

        for name in ["test", "acc", "prod"] {
            let environment = all[name]
            #expect((environment?["sources"] as? [JSONObject] ?? []).compactMap { $0["name"] as? String } == sources, "\(name)")
            #expect(errorSources(environment).isEmpty, "\(name) has errors: \(environment?["errors"] ?? "")")
            // Over TLS and SASL: Kafka and the groups read through it are known and unharmed.
            #expect(source(environment, "kafka")?["status"] as? String == "ok", "\(name): \(kafkaError(environment))")
            let groups = source(environment, "groups")?["status"] as? String
            #expect(groups != nil && groups != "unknown", "\(name) groups: \(groups ?? "absent")")
            #expect(((environment?["kafka"] as? JSONObject)?["groups"] as? [JSONObject] ?? []).isEmpty == false, "\(name) lists its groups")
            for other in notKafka {
                let status = try #require(source(environment, other)?["status"] as? String, "\(name) has no \(other) source")
                #expect(status != "unknown", "\(name) \(other)")
            }
        }
    }

    // MARK: - Over TLS and SASL (issue 8)

    func kafkaError(_ environment: JSONObject?) -> String {
        ((environment?["errors"] as? [JSONObject] ?? []).first { $0["source"] as? String == "kafka" }?["message"] as? String) ?? ""
    }

    /// confluent-kafka's reads over the environment's own TLS and SASL (Tests/Support/kafka_secured_reads.py).
    func confluentReads(_ environment: String, mechanism: String? = nil) throws -> JSONObject {
        let output = try Sandbox.python(Sandbox.kafkaReads, [Sandbox.folder!.path, environment] + (mechanism.map { [$0] } ?? []))
        return try #require(try parseJSON(output)["snapshot"] as? JSONObject)
    }

    func expectSameMetadata(_ ours: JSONObject, _ theirs: JSONObject, _ label: String) throws {
        for key in ["cluster_id", "controller", "brokers", "topics"] {
            let a = try JSONSerialization.data(withJSONObject: ours[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            let b = try JSONSerialization.data(withJSONObject: theirs[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            #expect(a == b, "\(label) \(key): lookout \(String(decoding: a, as: UTF8.self)) vs confluent-kafka \(String(decoding: b, as: UTF8.self))")
        }
    }

    /// The sandbox's lookout.yaml with `ca_file` made absolute (a temp copy lives elsewhere) and `edit` applied.
    func temporaryConfig(_ edit: (String) -> String) throws -> String {
        let folder = Sandbox.folder!.path
        var text = try String(contentsOfFile: "\(folder)/lookout-tests.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
        let edited = edit(text)
        #expect(edited != text, "the edit changed nothing")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-\(UUID().uuidString).yaml").path
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Replaces `old` by `new` only inside the block of environment `name`.
    func inEnvironment(_ name: String, _ text: String, replacing old: String, with new: String) -> String {
        let marker = "  - name: \(name)\n"
        guard let start = text.range(of: marker) else { return text }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n  - name: ")?.lowerBound ?? text.endIndex
        return text[..<start.upperBound] + text[start.upperBound..<end].replacingOccurrences(of: old, with: new) + text[end...]
    }

    @Test func securedClustersEqualWhatConfluentKafkaReads() throws {
        let all = try snapshot()
        for name in ["test", "acc", "prod"] {
            let environment = all[name]
            #expect(kafkaSource(environment)?["status"] as? String == "ok", "\(name): \(kafkaError(environment))")
            let ours = try #require(environment?["kafka"] as? JSONObject, "\(name) has no kafka part")
            try expectSameMetadata(ours, try confluentReads(name), name)
        }
    }

    @Test func prodLogsInWithSCRAMSHA256FromAConfigOverride() throws {
        let config = try temporaryConfig { inEnvironment("prod", $0, replacing: "mechanism: SCRAM-SHA-512", with: "mechanism: SCRAM-SHA-256") }
        defer { try? FileManager.default.removeItem(atPath: config) }
        let prod = try #require(try snapshot(["--config", config, "--env", "prod"])["prod"])
        #expect(kafkaSource(prod)?["status"] as? String == "ok", "\(kafkaError(prod))")
        try expectSameMetadata(try #require(prod["kafka"] as? JSONObject), try confluentReads("prod", mechanism: "SCRAM-SHA-256"), "prod SCRAM-SHA-256")
    }

    /// Runs Python with boto3 on one environment's moto (through its profile).
    func boto3(_ environment: String, _ code: String) throws {
        let info = try Sandbox.info
        let script = """
            import os, sys, boto3
            os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"] = sys.argv[1], sys.argv[2]
            ssm = boto3.Session(profile_name=sys.argv[3]).client("ssm")
            \(code)
            """
        let result = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path,
                                     ["-c", script, info["aws_config_file"] as! String, info["aws_shared_credentials_file"] as! String, "lookout-\(environment)"])
        guard result.status == 0 else { throw SandboxError("boto3 on \(environment) failed: \(result.stderr)") }
    }

    @Test func aWrongPasswordFailsTheLoginOfThatEnvironmentOnly() throws {
        let parameter = "/lookout-tests/wrong-password-\(UUID().uuidString.prefix(8))"
        try boto3("test", "ssm.put_parameter(Name='\(parameter)', Type='SecureString', Value=os.urandom(12).hex())")
        defer { try? boto3("test", "ssm.delete_parameter(Name='\(parameter)')") }
        let config = try temporaryConfig { inEnvironment("test", $0, replacing: "password_ssm: /kafka/test/admin-password", with: "password_ssm: \(parameter)") }
        defer { try? FileManager.default.removeItem(atPath: config) }

        let all = try snapshot(["--config", config])
        let test = try #require(all["test"])
        #expect(kafkaSource(test)?["status"] as? String == "unknown")
        let message = kafkaError(test)
        #expect(message.hasPrefix("test kafka: "), "\(message)")
        #expect(message.contains("authentication failed for user admin"), "\(message)")
        for name in ["ecs", "autoscaling", "secrets", "certificates", "route53"] {
            let other = (test["sources"] as? [JSONObject])?.first { $0["name"] as? String == name }
            #expect(other?["status"] as? String != "unknown", "test \(name) is not Kafka and must stay known")
        }
        for name in ["dev", "acc", "prod"] {
            #expect(kafkaSource(all[name])?["status"] as? String == "ok", "\(name): \(kafkaError(all[name]))")
            #expect(!kafkaError(all[name]).contains("authentication"), "\(name)")
        }
    }

    @Test func aCAThatDidNotSignTheBrokerIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try Sandbox.run(which("openssl") ?? "openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(folder)/ca.key",
                                                        "-out", "\(folder)/ca.pem", "-subj", "/CN=unrelated test CA", "-days", "2"])
        #expect(made.status == 0, "\(made.stderr)")
        let config = try temporaryConfig { inEnvironment("acc", $0, replacing: "ca_file: \(Sandbox.folder!.path)/pki/acc-trust.pem", with: "ca_file: \(folder)/ca.pem") }
        defer { try? FileManager.default.removeItem(atPath: config) }
        let acc = try #require(try snapshot(["--config", config, "--env", "acc"])["acc"])
        #expect(kafkaSource(acc)?["status"] as? String == "unknown")
        #expect(kafkaError(acc).contains("certificate not trusted by ca_file \(folder)/ca.pem"), "\(kafkaError(acc))")
        #expect(!kafkaError(acc).contains("NIOSSL"), "\(kafkaError(acc))")
    }

    @Test func aCertificateForAnotherNameIsNamed() throws {
        try Sandbox.scenario("cert-wrong-name", "prod")
        defer { try? Sandbox.scenario("reset", "prod") }
        let prod = try #require(try snapshot(["--env", "prod"])["prod"])
        #expect(kafkaSource(prod)?["status"] as? String == "unknown")
        let message = kafkaError(prod)
        #expect(message.contains("certificate name does not match 127.0.0.1"), "\(message)")
        #expect(!message.contains("NIOSSL"), "\(message)")
        let endpoint = try #require((prod["endpoints"] as? [JSONObject])?.first)
        // The probe's own TLS phase judges the name; a round trip needs a verified connection.
        let kafka = ((endpoint["checks"] as? JSONObject)?["kafka"] as? JSONObject) ?? [:]
        #expect(["failed", "skipped"].contains(kafka["status"] as? String ?? ""), "\(kafka)")
    }

    @Test func theEndpointRoundTripRunsOverTLSAndSASL() throws {
        let all = try snapshot()
        for name in ["dev", "test", "acc", "prod"] {
            let endpoint = try #require((all[name]?["endpoints"] as? [JSONObject])?.first, "\(name)")
            let kafka = ((endpoint["checks"] as? JSONObject)?["kafka"] as? JSONObject) ?? [:]
            #expect(kafka["status"] as? String == "ok", "\(name): \(kafka)")
            #expect((kafka["duration_ms"] as? Int ?? -1) >= 0, "\(name): \(kafka)")
        }
    }
}

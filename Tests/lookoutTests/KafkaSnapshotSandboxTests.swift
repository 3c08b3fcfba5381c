import Foundation
import Testing

/// The Kafka part of `snapshot` against the sandbox's Tansu (dev is the plaintext environment),
/// compared with confluent-kafka's `list_topics()`, and broken through the sandbox's Kafka proxy.
@Suite(.serialized, .enabled(if: Sandbox.available, "no sandbox: run ./sandbox/up"))
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
        let theirs = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("kafka_reads.py").path, [Sandbox.folder!.path, "dev"]))
        for key in ["cluster_id", "controller", "brokers", "topics"] {
            let a = try JSONSerialization.data(withJSONObject: ours[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            let b = try JSONSerialization.data(withJSONObject: theirs[key] ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
            #expect(a == b, "\(key): lookout \(String(decoding: a, as: UTF8.self)) vs confluent-kafka \(String(decoding: b, as: UTF8.self))")
        }
        #expect((ours["topics"] as? [JSONObject])?.count ?? 0 >= 3)
    }

    @Test(arguments: [("kafka-refuse", "connect"), ("kafka-blackhole", "")])
    func aFaultyKafkaAddressMakesOnlyThatClusterUnknown(scenario: String, cause: String) throws {
        try Sandbox.scenario(scenario, "dev")
        defer { try? Sandbox.scenario("reset", "dev") }
        let all = try snapshot()
        let dev = try #require(all["dev"])
        let source = try #require(kafkaSource(dev))
        #expect(source["status"] as? String == "unknown")
        #expect(dev["status"] as? String == "unknown")
        let error = (dev["errors"] as? [JSONObject] ?? []).first { $0["source"] as? String == "kafka" }
        let message = error?["message"] as? String ?? ""
        #expect(message.hasPrefix("dev kafka: "), "\(message)")
        if !cause.isEmpty { #expect(message.lowercased().contains(cause), "\(message)") }
        let groups = (dev["sources"] as? [JSONObject])?.first { $0["name"] as? String == "groups" }
        #expect(groups?["status"] as? String == "unknown", "groups are read through the same cluster")
        for name in ["ecs", "autoscaling", "secrets", "certificates", "route53"] {
            let other = (dev["sources"] as? [JSONObject])?.first { $0["name"] as? String == name }
            #expect(other?["status"] as? String != "unknown", "dev \(name) is not Kafka and must stay known")
        }
        for name in ["test", "acc", "prod"] {
            let sources = all[name]?["sources"] as? [JSONObject] ?? []
            // Groups are read through the cluster's own connection: unknown where Kafka is.
            let notKafka = sources.filter { !["kafka", "groups"].contains($0["name"] as? String) }
            #expect(notKafka.allSatisfy { $0["status"] as? String != "unknown" }, "\(name)")
        }
    }

    @Test func securedClustersSayWhyTheyAreUnknown() throws {
        let all = try snapshot()
        for (name, needs) in [("test", "SASL PLAIN"), ("acc", "TLS"), ("prod", "TLS and SASL SCRAM-SHA-512")] {
            let error = (all[name]?["errors"] as? [JSONObject] ?? []).first { $0["source"] as? String == "kafka" }
            let message: String = (error?["message"] as? String) ?? ""
            #expect(message.contains("\(needs) to the brokers is not supported by lookout yet"), "\(name)")
        }
    }
}

import Foundation
import KafkaProtocol
import LookoutKafka
import Testing
import LookoutTestSupport

/// Against the shared sandbox (its dev environment is PLAINTEXT; the others need TLS or SASL,
/// which come with issue 8). Faults go through the sandbox's proxy and are always reset.
/// Every suite that uses the shared sandbox nests here, so that a fault one of them switches
/// on never overlaps another's reads.
@Suite("Sandbox", .sandboxPresentOrRequired, .requiresSandbox, .serialized)
struct SandboxTests {}

extension SandboxTests {
@Suite("Kafka")
struct SandboxKafkaTests {
    func client(_ address: KafkaBrokerAddress) -> KafkaAdminClient {
        KafkaAdminClient(configuration: .init(
            bootstrap: [address],
            connectTimeout: .seconds(2),
            requestTimeout: .seconds(3),
            reconnectBackoff: .milliseconds(500),
            maximumReconnectBackoff: .seconds(1)
        ))
    }

    @Test func devMetadataEqualsConfluentKafka() async throws {
        let sandbox = try SandboxFixture()
        let address = try sandbox.bootstrap("dev")
        let client = client(address)
        defer { Task { await client.shutdown() } }

        let ours = try await client.metadata()
        let theirs = try sandbox.confluentMetadata(address)

        #expect(ours.clusterID == theirs["cluster_id"] as? String)
        #expect(ours.controllerID.map(Int.init) == theirs["controller_id"] as? Int)
        let brokers = (theirs["brokers"] as? [[Any]] ?? []).map { "\($0[0]) \($0[1]):\($0[2])" }
        #expect(ours.brokers.map { "\($0.id) \($0.host):\($0.port)" } == brokers)
        #expect(ours.controller != nil, "the controller is among the brokers")

        let theirTopics = theirs["topics"] as? [String: [String: [Any]]] ?? [:]
        #expect(Set(ours.topics.map(\.name)) == Set(theirTopics.keys))
        for topic in ours.topics {
            let partitions = try #require(theirTopics[topic.name])
            #expect(topic.partitions.count == partitions.count, "\(topic.name)")
            for partition in topic.partitions {
                let their = try #require(partitions["\(partition.id)"], "\(topic.name)/\(partition.id)")
                #expect(Int(partition.leader) == their[0] as? Int, "\(topic.name)/\(partition.id) leader")
                #expect(partition.replicas.map(Int.init) == their[1] as? [Int], "\(topic.name)/\(partition.id) replicas")
                #expect(partition.isr.map(Int.init) == their[2] as? [Int], "\(topic.name)/\(partition.id) isr")
            }
        }
        // The topics the sandbox seeds, with their partition counts.
        for (name, count) in sandbox.topics {
            #expect(ours.topics.first { $0.name == name }?.partitions.count == count, "\(name)")
        }
        #expect(ours.underReplicatedCount == 0)
        #expect(ours.offlineCount == 0)
    }

    /// How each other environment answers a handshake now; a fault on dev must not change it.
    func handshakeOutcomes(_ sandbox: SandboxFixture, except: String) async -> [String: String] {
        var outcomes: [String: String] = [:]
        for environment in sandbox.environments.keys.sorted() where environment != except {
            guard let address = try? sandbox.bootstrap(environment) else { continue }
            let client = client(address)
            do {
                let answer = try await client.send(to: address) { _ in ApiVersionsRequest() }
                outcomes[environment] = "answered \(answer.response.errorCode)"
            } catch {
                outcomes[environment] = "\(error.code)"
            }
            await client.shutdown()
        }
        return outcomes
    }

    @Test(arguments: ["kafka-refuse", "kafka-blackhole"])
    func aKafkaFaultOnDevFailsDevCleanlyAndNothingElse(scenario: String) async throws {
        let sandbox = try SandboxFixture()
        let address = try sandbox.bootstrap("dev")
        let client = client(address)
        defer { Task { await client.shutdown() } }
        await client.beginPoll()
        _ = try await client.metadata()
        let before = await handshakeOutcomes(sandbox, except: "dev")

        try sandbox.scenario(scenario, "dev")
        let failure: KafkaError
        let elapsed: Duration
        let attempts: Int
        do {
            defer { try? sandbox.scenario("reset", "dev") }
            let attemptsBefore = await client.connectionAttempts
            // The open connection is cut (refuse) or goes silent (black hole).
            let started = ContinuousClock.now
            do {
                _ = try await client.metadata()
                Issue.record("\(scenario): dev still answered")
                return
            } catch {
                failure = error
            }
            elapsed = ContinuousClock.now - started
            // The rest of the poll fails fast, without another attempt.
            for _ in 0..<3 {
                let again = ContinuousClock.now
                await #expect(throws: KafkaError.self) { try await client.metadata() }
                #expect(ContinuousClock.now - again < .milliseconds(100), "\(scenario): later requests in the poll fail fast")
            }
            attempts = await client.connectionAttempts - attemptsBefore
            let during = await handshakeOutcomes(sandbox, except: "dev")
            #expect(during == before, "\(scenario) on dev changed other environments")
        }
        print("\(scenario) on dev: failed after \(elapsed), \(attempts) new connection attempt(s): \(failure); other environments: \(before)")
        #expect(attempts <= 1)
        #expect(failure.code == .noBrokerReachable, "\(failure)")
        switch scenario {
        case "kafka-refuse":
            #expect(failure.detail.contains("connection refused") || failure.detail.contains("connection closed"), "\(failure)")
        default:
            #expect(failure.detail.contains("no answer within"), "\(failure)")
            #expect(elapsed < .seconds(4), "a black hole costs one request timeout (3 s): \(elapsed)")
        }
        #expect(failure.description.contains(address.description), "the error names the broker: \(failure)")

        // After the reset the same client recovers on its own, after the backoff.
        try await Task.sleep(for: .milliseconds(1200))
        await client.beginPoll()
        let metadata = try await client.metadata()
        #expect(!metadata.topics.isEmpty)
    }
}
}

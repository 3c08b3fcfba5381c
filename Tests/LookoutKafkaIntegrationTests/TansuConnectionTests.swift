import KafkaProtocol
import LookoutKafka
import Testing

/// Connection handling against a private Tansu: reuse, a broker that is down, reconnection.
@Suite("Tansu: connections")
struct TansuConnectionTests {
    @Test func oneConnectionServesManyPollsAndConcurrentRequests() async throws {
        let tansu = try await TansuFixture.start(topics: ["orders": 3])
        defer { tansu.stop() }
        let client = KafkaAdminClient(configuration: .init(bootstrap: [tansu.address]))
        for _ in 0..<5 {
            let metadata = try await client.metadata()
            #expect(metadata.topics.map(\.name) == ["orders"])
        }
        // Pipelined on the one connection.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await client.metadata().partitionCount }
            }
            for try await count in group {
                #expect(count == 3)
            }
        }
        #expect(await client.connectionAttempts == 1)

        // A figure for the report, not a gate: metadata() on the open connection.
        var samples: [Duration] = []
        for _ in 0..<200 {
            let started = ContinuousClock.now
            _ = try await client.metadata()
            samples.append(ContinuousClock.now - started)
        }
        samples.sort()
        print("metadata() against a private Tansu (1 topic, 3 partitions): median \(samples[100]), p90 \(samples[180])")
        await client.shutdown()
    }

    @Test func aBrokerThatIsDownCostsOneAttemptUntilTheBackoffPasses() async throws {
        // A port that was Tansu's a moment ago and now refuses.
        let tansu = try await TansuFixture.start()
        let address = tansu.address
        tansu.stop()
        let client = KafkaAdminClient(configuration: .init(
            bootstrap: [address],
            connectTimeout: .seconds(2),
            reconnectBackoff: .milliseconds(500),
            maximumReconnectBackoff: .seconds(2)
        ))

        var errors: [KafkaError] = []
        for _ in 0..<5 {
            do {
                _ = try await client.metadata()
                Issue.record("metadata answered from a stopped broker")
            } catch {
                errors.append(error)
            }
        }
        // Concurrent requests in the same poll share the failure as well.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { _ = try? await client.metadata() }
            }
        }
        #expect(await client.connectionAttempts == 1)
        #expect(errors.allSatisfy { $0.code == .noBrokerReachable })
        #expect(errors[0].detail.contains("\(address)"))
        #expect(errors[0].detail.lowercased().contains("refused"), "\(errors[0])")
        #expect(errors[1].detail.contains("not retried yet"), "\(errors[1])")

        try await Task.sleep(for: .milliseconds(600))
        _ = try? await client.metadata()
        #expect(await client.connectionAttempts == 2, "the next poll after the backoff tries again, once")
        _ = try? await client.metadata()
        #expect(await client.connectionAttempts == 2)
        await client.shutdown()
    }

    @Test func reconnectsAfterTheBrokerComesBack() async throws {
        let tansu = try await TansuFixture.start(topics: ["orders": 2])
        defer { tansu.stop() }
        let client = KafkaAdminClient(configuration: .init(
            bootstrap: [tansu.address],
            connectTimeout: .seconds(2),
            reconnectBackoff: .milliseconds(200)
        ))
        #expect(try await client.metadata().partitionCount == 2)
        #expect(await client.connectionAttempts == 1)

        tansu.stop()
        await #expect(throws: KafkaError.self) { try await client.metadata() }

        try await tansu.restart()
        try tansu.createTopics(["orders": 2, "payments": 1])
        try await Task.sleep(for: .milliseconds(1000))
        let metadata = try await client.metadata()
        #expect(metadata.partitionCount == 3)
        let attempts = await client.connectionAttempts
        #expect((2...3).contains(attempts), "one reconnection (and at most one failed attempt while down): \(attempts)")
        await client.shutdown()
    }

    @Test func aShutDownClientRefusesWork() async throws {
        let tansu = try await TansuFixture.start()
        defer { tansu.stop() }
        let client = KafkaAdminClient(configuration: .init(bootstrap: [tansu.address]))
        _ = try await client.metadata()
        await client.shutdown()
        do {
            _ = try await client.metadata()
            Issue.record("a shut-down client answered")
        } catch {
            #expect(error.code == .shutDown)
        }
    }
}

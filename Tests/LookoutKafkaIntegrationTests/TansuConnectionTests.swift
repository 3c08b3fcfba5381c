import KafkaProtocol
@testable import LookoutKafka
import Synchronization
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

    /// A port that was Tansu's a moment ago and now refuses.
    func deadAddress() async throws -> KafkaBrokerAddress {
        let tansu = try await TansuFixture.start()
        tansu.stop()
        return tansu.address
    }

    /// A client whose one bootstrap broker refuses, its backoff (1 s, doubling up to
    /// `maximumBackoff`) measured on a clock the test moves by hand.
    func downBrokerClient(maximumBackoff: Duration) async throws -> (KafkaAdminClient, TestClock) {
        let address = try await deadAddress()
        let clock = TestClock()
        let client = KafkaAdminClient(configuration: .init(
            bootstrap: [address],
            connectTimeout: .seconds(2),
            reconnectBackoff: .seconds(1),
            maximumReconnectBackoff: maximumBackoff
        ), now: { clock.now })
        return (client, clock)
    }

    /// Counts the attempts `requests` sequential and 5 concurrent Metadata calls make in one new poll.
    func attemptsInOnePoll(_ client: KafkaAdminClient, requests: Int = 3) async -> Int {
        let before = await client.connectionAttempts
        await client.beginPoll()
        for _ in 0..<requests {
            _ = try? await client.metadata()
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask { _ = try? await client.metadata() }
            }
        }
        return await client.connectionAttempts - before
    }

    @Test func aBrokerThatIsDownCostsOneAttemptPerPollNotOnePerRequest() async throws {
        let (client, clock) = try await downBrokerClient(maximumBackoff: .seconds(1))

        await client.beginPoll()
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
        #expect(errors[0].detail.contains("\(client.configuration.bootstrap[0])"))
        #expect(errors[0].detail.lowercased().contains("refused"), "\(errors[0])")
        #expect(errors[1].detail.contains("not retried in this poll"), "\(errors[1])")

        // A poll that runs on for an hour, far past the backoff, still does not try again.
        clock.advance(by: .seconds(3600))
        for _ in 0..<5 {
            _ = try? await client.metadata()
        }
        #expect(await client.connectionAttempts == 1, "no second attempt within one poll")

        // Each later poll past the backoff: exactly one attempt, however many requests.
        var perPoll: [Int] = []
        for _ in 0..<5 {
            clock.advance(by: .seconds(2))
            perPoll.append(await attemptsInOnePoll(client, requests: 4))
        }
        #expect(perPoll == [1, 1, 1, 1, 1])

        // A poll that starts before the backoff has passed makes none.
        clock.advance(by: .milliseconds(500))
        #expect(await attemptsInOnePoll(client) == 0)
        do {
            _ = try await client.metadata()
        } catch {
            #expect(error.detail.contains("not retried yet"), "\(error)")
        }
        #expect(await client.connectionAttempts == 6)
        print("a down broker over 7 polls of 4-9 requests each: \(await client.connectionAttempts) connection attempts")
        await client.shutdown()
    }

    @Test func theReconnectBackoffDoublesUpToItsMaximum() async throws {
        let (client, clock) = try await downBrokerClient(maximumBackoff: .seconds(4))
        #expect(await attemptsInOnePoll(client) == 1)
        // Before each gap has passed a poll tries nothing; once it has, one attempt.
        var waited: [Duration] = []
        for gap in [Duration.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)] {
            clock.advance(by: gap - .milliseconds(1))
            #expect(await attemptsInOnePoll(client) == 0, "1 ms before \(gap)")
            clock.advance(by: .milliseconds(1))
            #expect(await attemptsInOnePoll(client) == 1, "at \(gap)")
            waited.append(gap)
        }
        #expect(await client.connectionAttempts == 6)
        print("reconnect backoff: attempts after \(waited) (1 s doubling, capped at 4 s), \(await client.connectionAttempts) attempts in 11 polls")
        await client.shutdown()
    }

    @Test func aDeadBootstrapAddressBeforeALiveOneCostsOneAttempt() async throws {
        let tansu = try await TansuFixture.start(topics: ["orders": 2])
        defer { tansu.stop() }
        let dead = try await TansuFixture.start()
        dead.stop()
        let clock = TestClock()
        let client = KafkaAdminClient(configuration: .init(
            bootstrap: [dead.address, tansu.address],
            connectTimeout: .seconds(2),
            reconnectBackoff: .seconds(1)
        ), now: { clock.now })

        await client.beginPoll()
        let metadata = try await client.metadata()
        #expect(metadata.partitionCount == 2)
        #expect(metadata.brokers.map(\.address) == [tansu.address])
        #expect(await client.connectionAttempts == 2, "the dead address once, then Tansu")
        for _ in 0..<5 {
            #expect(try await client.metadata().partitionCount == 2)
        }
        #expect(await client.connectionAttempts == 2)
        // Later polls, past the backoff, go to the open connection first: nothing new.
        for _ in 0..<3 {
            clock.advance(by: .seconds(60))
            await client.beginPoll()
            #expect(try await client.metadata().partitionCount == 2)
        }
        #expect(await client.connectionAttempts == 2)
        #expect(await client.apiVersions(of: dead.address) == nil)
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
        await client.beginPoll()
        await #expect(throws: KafkaError.self) { try await client.metadata() }

        try await tansu.restart()
        try tansu.createTopics(["orders": 2, "payments": 1])
        try await Task.sleep(for: .milliseconds(1000))
        await client.beginPoll()
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

/// A clock the test moves by hand, for the client's backoff.
final class TestClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)

    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}

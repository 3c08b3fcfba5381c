import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources
@testable import LookoutPolling
import Testing

/// The environment poller starts a poll on its Kafka client each time, so a broker that is down
/// is tried again in a later poll (after its backoff) and only once in each. Against a closed
/// loopback port: a real refusal, no server.
@Suite struct EnvironmentPollerKafkaTests {
    /// A loopback port that was free a moment ago and refuses connections.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EBADF) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func eachPollTriesADownBrokerAgainOnceAfterTheBackoff() async throws {
        let port = try Self.closedPort()
        let config = try Config.decode(yaml: """
            environments:
              - name: dev
                aws: { region: eu-west-1 }
                kafka: { bootstrap: ["127.0.0.1:\(port)"] }
            """, file: "/t/lookout.yaml", home: "/h", stateHome: "/s").environments[0]
        let poller = EnvironmentPoller(config: config, sourceTimeout: .seconds(3), environment: [:])
        let client = try #require(poller.kafkaClient)

        let first = await poller.poll()
        #expect(first.kafka?.error?.contains("refused") == true, "\(first.kafka?.error ?? "no error")")
        #expect(first.groups?.error?.contains("not read") == true)
        #expect(await client.connectionAttempts == 1)
        // The next poll comes within the 1 s backoff: no attempt.
        _ = await poller.poll()
        #expect(await client.connectionAttempts == 1)
        // After the backoff the next poll tries once more: the poller began a new poll.
        try await Task.sleep(for: .milliseconds(1100))
        let third = await poller.poll()
        #expect(third.kafka?.error != nil)
        #expect(await client.connectionAttempts == 2)
        await poller.shutdown()
    }
}

import KafkaProtocol
import NIOCore
import NIOPosix

/// A Kafka admin client for one cluster: bootstrap, then a connection per broker as needed,
/// kept across polls and reconnected with backoff.
///
/// A broker that is down costs at most one connection attempt per poll (`beginPoll()` starts
/// one), not one per request: once an attempt failed, requests to it fail fast with the same
/// error for the rest of that poll, however long the poll takes; concurrent requests share one
/// attempt. Across polls it is tried again only after its backoff (starting at
/// `reconnectBackoff`, doubling up to `maximumReconnectBackoff`) has passed.
public actor KafkaAdminClient {
    public struct Configuration: Sendable {
        public var bootstrap: [KafkaBrokerAddress]
        public var clientID: String
        public var connectTimeout: Duration
        public var requestTimeout: Duration
        public var reconnectBackoff: Duration
        public var maximumReconnectBackoff: Duration
        /// Caps the version negotiated per API key, e.g. `[MetadataRequest.apiKey: 4]`.
        public var maximumVersions: [Int16: Int16]
        public var maximumFrameSize: Int32
        /// TLS and SASL, asked for before the first connection and again after a login or
        /// certificate failure (a rotated password or CA is then picked up); errors it throws
        /// fail the connection attempt with their description.
        public var security: @Sendable () async throws -> KafkaSecurity

        public init(
            bootstrap: [KafkaBrokerAddress],
            clientID: String = "lookout",
            connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(10),
            reconnectBackoff: Duration = .seconds(1),
            maximumReconnectBackoff: Duration = .seconds(30),
            maximumVersions: [Int16: Int16] = [:],
            maximumFrameSize: Int32 = KafkaFrameDecoder.defaultMaximumFrameSize,
            security: @escaping @Sendable () async throws -> KafkaSecurity = { KafkaSecurity() }
        ) {
            self.security = security
            self.bootstrap = bootstrap
            self.clientID = clientID
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.reconnectBackoff = reconnectBackoff
            self.maximumReconnectBackoff = maximumReconnectBackoff
            self.maximumVersions = maximumVersions
            self.maximumFrameSize = maximumFrameSize
        }
    }

    private enum Slot {
        case connecting(Task<KafkaConnection, any Error>)
        case ready(KafkaConnection)
        /// Failed in poll `poll`: not tried again in that poll, nor before `retryAt`.
        case failed(KafkaError, poll: Int, retryAt: ContinuousClock.Instant, nextBackoff: Duration)
    }

    public nonisolated let configuration: Configuration
    private let group: any EventLoopGroup
    private var slots: [KafkaBrokerAddress: Slot] = [:]
    var knownBrokers: [Int32: KafkaBrokerAddress] = [:]
    /// Group coordinators found, by group id; dropped when a coordinator says it is not one.
    var coordinators: [String: KafkaBrokerAddress] = [:]
    private var isShutDown = false
    private var poll = 0
    private let now: @Sendable () -> ContinuousClock.Instant
    private var security: Task<ResolvedSecurity, any Error>?

    /// Every TCP connection this client started, successful or not.
    public private(set) var connectionAttempts = 0

    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.init(configuration: configuration, eventLoopGroup: eventLoopGroup, now: { ContinuousClock.now })
    }

    /// `now` stands in for the clock the backoff is measured with, so tests need not sleep.
    init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.now = now
    }

    /// Starts a poll: a broker whose connection failed in an earlier poll may be tried again
    /// (once its backoff has passed); one that fails in this poll is not tried again in it.
    public func beginPoll() {
        self.poll += 1
    }

    /// The most brokers a Metadata answer may list.
    public static let maximumBrokers = 10_000

    // MARK: - Admin calls

    /// Brokers, controller, topics and partitions, from any reachable broker.
    public func metadata(topics: [String]? = nil) async throws(KafkaError) -> KafkaClusterMetadata {
        let answer = try await self.sendToAnyBroker { version in
            Self.metadataRequest(version: version, topics: topics)
        }
        let metadata = KafkaClusterMetadata(answer.response)
        // Every broker listed is one lookout may connect to: a cluster of more than 10,000 is
        // an answer that cannot be right, not 10,000 connections to open.
        guard metadata.brokers.count <= Self.maximumBrokers else {
            throw KafkaError(code: .protocolViolation, broker: answer.broker.description, api: MetadataRequest.apiName,
                             detail: "the answer lists \(metadata.brokers.count) brokers (at most \(Self.maximumBrokers) are taken)")
        }
        for broker in metadata.brokers {
            self.knownBrokers[broker.id] = broker.address
        }
        return metadata
    }

    /// A Metadata request for all topics (or the ones named) that never creates a topic.
    public static func metadataRequest(version: Int16, topics: [String]?) -> MetadataRequest {
        var request = MetadataRequest()
        if let topics {
            request.topics = topics.map { MetadataRequest.MetadataRequestTopic(name: $0) }
        } else {
            // Version 0 has no null: an empty list means all topics there.
            request.topics = version == 0 ? [] : nil
        }
        if version >= 4 {
            request.allowAutoTopicCreation = false
        }
        return request
    }

    // MARK: - Requests

    /// Sends one request to any broker that answers: brokers already connected first, then
    /// the bootstrap addresses, then the brokers the last Metadata listed.
    public func sendToAnyBroker<Request: KafkaRequestMessage>(
        _ makeRequest: @escaping @Sendable (Int16) -> Request
    ) async throws(KafkaError) -> KafkaResponse<Request.Response> {
        var failures: [KafkaError] = []
        for address in self.candidateAddresses() {
            do {
                return try await self.send(to: address, makeRequest)
            } catch {
                if error.code == .shutDown || error.isSecurityFailure { throw error }
                failures.append(error)
            }
        }
        let detail = failures.isEmpty
            ? "no bootstrap address configured"
            : "no broker answered: " + failures.map(\.description).joined(separator: "; ")
        throw KafkaError(code: .noBrokerReachable, api: KafkaAPINames.name(Request.apiKey), detail: detail)
    }

    /// Sends one request to the broker at `address`, connecting first if need be.
    /// `dropIsBrokers: false` for a request that may be what made the broker close the
    /// connection (the bulkhead's pieces): the next request connects again instead of failing fast.
    public func send<Request: KafkaRequestMessage>(
        to address: KafkaBrokerAddress,
        dropIsBrokers: Bool = true,
        _ makeRequest: @escaping @Sendable (Int16) -> Request
    ) async throws(KafkaError) -> KafkaResponse<Request.Response> {
        let connection = try await self.connection(to: address)
        do {
            return try await connection.send(makeRequest)
        } catch {
            // A broker that went silent or dropped the connection mid-request is treated like
            // one that refused: the rest of the poll fails fast instead of waiting again.
            if error.code == .timedOut || (error.code == .connectionClosed && dropIsBrokers) {
                self.markFailed(address, error: error, backoff: self.configuration.reconnectBackoff)
            }
            throw error
        }
    }

    /// The API versions the broker at `address` offered, while connected to it.
    public func apiVersions(of address: KafkaBrokerAddress) -> [Int16: ClosedRange<Int16>]? {
        guard case .ready(let connection) = self.slots[address], connection.isActive else { return nil }
        return connection.brokerVersions
    }

    /// The broker ids and addresses the last Metadata answer listed.
    public var brokers: [Int32: KafkaBrokerAddress] { self.knownBrokers }

    public func shutdown() async {
        self.isShutDown = true
        let slots = self.slots
        self.slots = [:]
        for slot in slots.values {
            switch slot {
            case .ready(let connection):
                await connection.close()
            case .connecting(let task):
                if let connection = try? await task.value { await connection.close() }
            case .failed:
                break
            }
        }
    }

    // MARK: - Connections

    private func candidateAddresses() -> [KafkaBrokerAddress] {
        var seen = Set<KafkaBrokerAddress>()
        var ordered: [KafkaBrokerAddress] = []
        let connected = self.slots.compactMap { address, slot -> KafkaBrokerAddress? in
            if case .ready(let connection) = slot, connection.isActive { return address }
            return nil
        }
        let known = self.knownBrokers.sorted { $0.key < $1.key }.map(\.value)
        for address in connected.sorted(by: { $0.description < $1.description }) + self.configuration.bootstrap + known
        where seen.insert(address).inserted {
            ordered.append(address)
        }
        return ordered
    }

    private func connection(to address: KafkaBrokerAddress) async throws(KafkaError) -> KafkaConnection {
        guard !self.isShutDown else {
            throw KafkaError(code: .shutDown, broker: address.description, detail: "the client was shut down")
        }
        var backoff = self.configuration.reconnectBackoff
        switch self.slots[address] {
        case .ready(let connection):
            if connection.isActive { return connection }
        case .connecting(let task):
            return try await Self.value(of: task, address: address)
        case .failed(let error, let poll, let retryAt, let nextBackoff):
            if poll == self.poll {
                throw KafkaError(code: .backingOff, broker: error.broker, api: error.api, detail: "\(error.detail) (not retried in this poll)")
            }
            if self.now() < retryAt {
                throw KafkaError(code: .backingOff, broker: error.broker, api: error.api, detail: "\(error.detail) (not retried yet)")
            }
            backoff = nextBackoff
        case nil:
            break
        }
        let security = try await self.resolvedSecurity()
        self.connectionAttempts += 1
        let configuration = KafkaConnection.Configuration(
            clientID: self.configuration.clientID,
            connectTimeout: self.configuration.connectTimeout,
            requestTimeout: self.configuration.requestTimeout,
            maximumVersions: self.configuration.maximumVersions,
            maximumFrameSize: self.configuration.maximumFrameSize,
            security: security
        )
        let group = self.group
        let task = Task<KafkaConnection, any Error> {
            try await KafkaConnection.connect(to: address, configuration: configuration, group: group)
        }
        self.slots[address] = .connecting(task)
        do throws(KafkaError) {
            let connection = try await Self.value(of: task, address: address)
            if self.isShutDown {
                await connection.close()
                throw KafkaError(code: .shutDown, broker: address.description, detail: "the client was shut down")
            }
            self.slots[address] = .ready(connection)
            return connection
        } catch {
            if error.isSecurityFailure || error.code == .tlsFailed {
                self.security = nil
            }
            self.markFailed(address, error: error, backoff: backoff)
            throw error
        }
    }

    /// The configured TLS and SASL settings, asked for once and shared by concurrent connects.
    private func resolvedSecurity() async throws(KafkaError) -> ResolvedSecurity {
        let task: Task<ResolvedSecurity, any Error>
        if let existing = self.security {
            task = existing
        } else {
            let provider = self.configuration.security
            task = Task { try ResolvedSecurity(await provider()) }
            self.security = task
        }
        do {
            return try await task.value
        } catch {
            self.security = nil
            if let error = error as? KafkaError { throw error }
            throw KafkaError(code: .securityUnavailable, detail: String(describing: error))
        }
    }

    private func markFailed(_ address: KafkaBrokerAddress, error: KafkaError, backoff: Duration) {
        let doubled = backoff * 2
        self.slots[address] = .failed(
            error,
            poll: self.poll,
            retryAt: self.now() + backoff,
            nextBackoff: min(doubled, self.configuration.maximumReconnectBackoff)
        )
    }

    private static func value(of task: Task<KafkaConnection, any Error>, address: KafkaBrokerAddress) async throws(KafkaError) -> KafkaConnection {
        do {
            return try await task.value
        } catch let error as KafkaError {
            throw error
        } catch {
            throw KafkaError(code: .connectFailed, broker: address.description, detail: "\(error)")
        }
    }
}

import KafkaProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// One negotiated connection to one broker. Requests may be sent concurrently; they are
/// pipelined on the socket.
final class KafkaConnection: Sendable {
    struct Configuration: Sendable {
        var clientID: String
        var connectTimeout: Duration
        var requestTimeout: Duration
        var maximumVersions: [Int16: Int16]
        var maximumFrameSize: Int32
        var security: ResolvedSecurity
    }

    let address: KafkaBrokerAddress
    let brokerVersions: [Int16: ClosedRange<Int16>]
    private let channel: any Channel
    private let requestTimeout: Duration

    private init(address: KafkaBrokerAddress, channel: any Channel, brokerVersions: [Int16: ClosedRange<Int16>], requestTimeout: Duration) {
        self.address = address
        self.channel = channel
        self.brokerVersions = brokerVersions
        self.requestTimeout = requestTimeout
    }

    var isActive: Bool { self.channel.isActive }

    /// Connects, shakes hands with TLS when configured, and waits for the ApiVersions exchange
    /// and the SASL login, so that a broker that accepts the socket but never answers (or
    /// refuses the login) counts as one failed attempt.
    static func connect(
        to address: KafkaBrokerAddress,
        configuration: Configuration,
        group: any EventLoopGroup
    ) async throws(KafkaError) -> KafkaConnection {
        let eventLoop = group.next()
        let negotiated = eventLoop.makePromise(of: [Int16: ClosedRange<Int16>].self)
        let handlerConfiguration = KafkaChannelHandler.Configuration(
            clientID: configuration.clientID,
            requestTimeout: TimeAmount(configuration.requestTimeout),
            maximumVersions: configuration.maximumVersions,
            sasl: configuration.security.sasl.map {
                ConnectionStateMachine.SASLCredentials(mechanism: $0.mechanism, username: $0.username, password: $0.password)
            }
        )
        let maximumFrameSize = configuration.maximumFrameSize
        let tlsContext = configuration.security.tlsContext
        // SNI carries names only; for an address the certificate must list that IP, which
        // swift-nio-ssl checks against the socket's peer when no name is given.
        let serverName = Self.isIPAddress(address.host) ? nil : address.host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize))
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaChannelHandler(configuration: handlerConfiguration, negotiated: negotiated)
                        )
                    }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            negotiated.fail(error)
            throw KafkaError(connectError: error, broker: address, timeout: configuration.connectTimeout)
        }
        do {
            let versions = try await negotiated.futureResult.get()
            return KafkaConnection(address: address, channel: channel, brokerVersions: versions, requestTimeout: configuration.requestTimeout)
        } catch {
            channel.close(promise: nil)
            let context = KafkaError.SecurityContext(
                host: address.host, trustSource: configuration.security.trustSource,
                username: configuration.security.sasl?.username, mechanism: configuration.security.sasl?.mechanism
            )
            throw KafkaError(requestError: error, broker: address, apiKey: Self.handshakeAPI(of: error), timeout: configuration.requestTimeout, security: context)
        }
    }

    /// The API a failed handshake was at, for the message.
    private static func handshakeAPI(of error: any Error) -> Int16 {
        if case ConnectionError.authenticationFailed(let failure) = error {
            switch failure {
            case .mechanismNotOffered: return SaslHandshakeRequest.apiKey
            case .rejected, .serverError, .serverSignatureMismatch, .protocolViolation: return SaslAuthenticateRequest.apiKey
            }
        }
        return ApiVersionsRequest.apiKey
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// Sends the request built for the version negotiation picks, and decodes the answer.
    func send<Request: KafkaRequestMessage>(
        _ makeRequest: @escaping @Sendable (Int16) -> Request
    ) async throws(KafkaError) -> KafkaResponse<Request.Response> {
        let promise = self.channel.eventLoop.makePromise(of: KafkaRawResponse.self)
        let task = KafkaRequestTask(
            apiKey: Request.apiKey,
            clientVersions: Request.validVersions,
            firstFlexibleVersion: Request.firstFlexibleVersion,
            encodeBody: { (buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) in
                try makeRequest(version).encode(into: &buffer, version: version)
            },
            promise: promise
        )
        self.channel.writeAndFlush(task).whenFailure { error in
            promise.fail(error)
        }
        do {
            var raw = try await promise.futureResult.get()
            let response = try KafkaResponseFrame.decodeBody(Request.Response.self, body: &raw.body, version: raw.version)
            return KafkaResponse(broker: self.address, version: raw.version, response: response)
        } catch {
            throw KafkaError(requestError: error, broker: self.address, apiKey: Request.apiKey, timeout: self.requestTimeout)
        }
    }

    func close() async {
        try? await self.channel.close()
    }
}

/// A decoded answer with the broker that gave it and the version it was asked in.
public struct KafkaResponse<Message: KafkaResponseMessage>: Sendable {
    public var broker: KafkaBrokerAddress
    public var version: Int16
    public var response: Message
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

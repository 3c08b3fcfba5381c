import KafkaProtocol
import NIOCore
import NIOSSL

/// A response body as read off the wire, with the version it was asked in.
struct KafkaRawResponse: Sendable {
    var version: Int16
    var body: ByteBuffer
}

/// One request handed to the channel: what it may be sent as, how to write its body once the
/// version is chosen, and where the answer goes.
struct KafkaRequestTask: Sendable {
    var apiKey: Int16
    var clientVersions: ClosedRange<Int16>
    var firstFlexibleVersion: Int16?
    var encodeBody: @Sendable (inout ByteBuffer, Int16) throws(KafkaProtocolError) -> Void
    var promise: EventLoopPromise<KafkaRawResponse>

    func isFlexible(_ version: Int16) -> Bool {
        guard let first = self.firstFlexibleVersion else { return false }
        return version >= first
    }
}

/// The only place that does I/O for a broker connection: it feeds channel events to the
/// `ConnectionStateMachine` and carries out the actions it returns.
final class KafkaChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = KafkaRequestTask
    typealias OutboundOut = ByteBuffer

    struct Configuration: Sendable {
        var clientID: String
        var requestTimeout: TimeAmount
        var maximumVersions: [Int16: Int16]
        var sasl: ConnectionStateMachine.SASLCredentials? = nil
    }

    private var state: ConnectionStateMachine
    private var tasks: [ConnectionStateMachine.RequestID: KafkaRequestTask] = [:]
    private var timers: [Int32: Scheduled<Void>] = [:]
    private var nextRequestID: ConnectionStateMachine.RequestID = 0
    private var brokerVersions: [Int16: ClosedRange<Int16>] = [:]
    private let configuration: Configuration
    /// Succeeds with the broker's API versions once ApiVersions is answered; fails if the
    /// connection ends first.
    private let negotiated: EventLoopPromise<[Int16: ClosedRange<Int16>]>

    init(configuration: Configuration, negotiated: EventLoopPromise<[Int16: ClosedRange<Int16>]>) {
        self.configuration = configuration
        self.negotiated = negotiated
        self.state = ConnectionStateMachine(
            maximumVersions: configuration.maximumVersions,
            sasl: configuration.sasl,
            clientNonce: configuration.sasl == nil ? "" : Self.makeNonce()
        )
    }

    /// 32 random letters and digits: printable, without ",", as RFC 5802 asks of a nonce.
    static func makeNonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.run(self.state.connected(), context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        self.run(self.state.connected(), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.state.closed(), context: context)
        self.cancelTimers()
        self.negotiated.fail(ConnectionError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? KafkaProtocolError {
            self.run(self.state.protocolViolation(error.description), context: context)
        } else if let failure = TLSFailure(error) {
            self.run(self.state.tlsFailed(failure), context: context)
        } else {
            self.run(self.state.errorCaught(String(describing: error)), context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        guard let correlationID = KafkaResponseFrame.correlationID(of: frame) else {
            self.run(self.state.protocolViolation("a frame without a correlation id"), context: context)
            return
        }
        self.cancelTimer(correlationID)
        self.run(self.state.frameReceived(correlationID: correlationID), context: context, frame: frame)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let task = self.unwrapOutboundIn(data)
        let id = self.nextRequestID
        self.nextRequestID += 1
        self.tasks[id] = task
        promise?.succeed(())
        let spec = ConnectionStateMachine.RequestSpec(id: id, apiKey: task.apiKey, clientVersions: task.clientVersions)
        self.run(self.state.requestEnqueued(spec), context: context)
    }

    // MARK: - Actions

    private func run(_ action: ConnectionStateMachine.Action, context: ChannelHandlerContext, frame: ByteBuffer? = nil) {
        switch action {
        case .sendApiVersions(let version, let correlationID):
            var buffer = context.channel.allocator.buffer(capacity: 64)
            let request = ApiVersionsRequest(clientSoftwareName: "lookout", clientSoftwareVersion: "0.1.0")
            do {
                try KafkaRequestFrame.write(
                    request, version: version, correlationID: correlationID,
                    clientID: self.configuration.clientID, into: &buffer
                )
            } catch {
                self.run(self.state.protocolViolation(error.description), context: context)
                return
            }
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
            self.scheduleTimeout(correlationID, context: context)

        case .negotiated(let send, let fail):
            self.negotiated.succeed(self.brokerVersions)
            self.send(send, context: context)
            self.fail(fail)

        case .sendRequests(let send, let fail):
            self.send(send, context: context)
            self.fail(fail)

        case .decodeApiVersions(let version):
            guard let frame else { return }
            switch Self.decodeApiVersions(frame: frame, version: version) {
            case .success(let response):
                var versions: [Int16: ClosedRange<Int16>] = [:]
                for api in response.apiKeys where api.minVersion <= api.maxVersion {
                    versions[api.apiKey] = api.minVersion...api.maxVersion
                }
                self.brokerVersions = versions
                self.run(self.state.apiVersionsReceived(errorCode: response.errorCode, versions: versions), context: context)
            case .failure(let error):
                self.run(self.state.protocolViolation("ApiVersions answer: \(error)"), context: context)
            }

        case .sendSaslHandshake(let version, let correlationID, let mechanism):
            self.write(SaslHandshakeRequest(mechanism: mechanism), version: version, correlationID: correlationID, context: context)

        case .decodeSaslHandshake(let version):
            guard let frame else { return }
            do {
                let response = try KafkaResponseFrame.decode(SaslHandshakeResponse.self, frame: frame, version: version)
                self.run(self.state.saslHandshakeReceived(errorCode: response.errorCode, mechanisms: response.mechanisms), context: context)
            } catch {
                self.run(self.state.protocolViolation("SaslHandshake answer: \(error)"), context: context)
            }

        case .sendSaslAuthenticate(let version, let correlationID, let bytes):
            self.write(SaslAuthenticateRequest(authBytes: bytes), version: version, correlationID: correlationID, context: context)

        case .decodeSaslAuthenticate(let version):
            guard let frame else { return }
            do {
                let response = try KafkaResponseFrame.decode(SaslAuthenticateResponse.self, frame: frame, version: version)
                self.run(
                    self.state.saslAuthenticateReceived(errorCode: response.errorCode, errorMessage: response.errorMessage, authBytes: response.authBytes),
                    context: context
                )
            } catch {
                self.run(self.state.protocolViolation("SaslAuthenticate answer: \(error)"), context: context)
            }

        case .forwardResponse(let id, let apiKey, let version):
            guard let frame, let task = self.tasks.removeValue(forKey: id) else { return }
            do {
                let body = try KafkaResponseFrame.body(of: frame, apiKey: apiKey, flexible: task.isFlexible(version))
                task.promise.succeed(KafkaRawResponse(version: version, body: body))
            } catch {
                task.promise.fail(error)
            }

        case .closeConnection(let fail, let error):
            self.fail(fail)
            self.cancelTimers()
            self.negotiated.fail(error)
            context.close(promise: nil)

        case .failRequests(let fail):
            self.fail(fail)

        case .none:
            break
        }
    }

    /// Writes one of the connection's own requests (the SASL exchange) and times it.
    private func write<Request: KafkaRequestMessage>(_ request: Request, version: Int16, correlationID: Int32, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        do {
            try KafkaRequestFrame.write(request, version: version, correlationID: correlationID, clientID: self.configuration.clientID, into: &buffer)
        } catch {
            self.run(self.state.protocolViolation(error.description), context: context)
            return
        }
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        self.scheduleTimeout(correlationID, context: context)
    }

    /// A broker that does not know the ApiVersions version sent answers in version 0
    /// (KIP-511), whatever was asked.
    static func decodeApiVersions(frame: ByteBuffer, version: Int16) -> Result<ApiVersionsResponse, KafkaProtocolError> {
        do {
            return .success(try KafkaResponseFrame.decode(ApiVersionsResponse.self, frame: frame, version: version))
        } catch {
            guard version > 0,
                  let fallback = try? KafkaResponseFrame.decode(ApiVersionsResponse.self, frame: frame, version: 0)
            else { return .failure(error) }
            return .success(fallback)
        }
    }

    private func send(_ requests: [ConnectionStateMachine.OutgoingRequest], context: ChannelHandlerContext) {
        guard !requests.isEmpty else { return }
        for request in requests {
            guard let task = self.tasks[request.id] else { continue }
            var buffer = context.channel.allocator.buffer(capacity: 256)
            do {
                try KafkaRequestFrame.write(
                    apiKey: task.apiKey,
                    version: request.version,
                    flexible: task.isFlexible(request.version),
                    correlationID: request.correlationID,
                    clientID: self.configuration.clientID,
                    into: &buffer
                ) { (body: inout ByteBuffer) throws(KafkaProtocolError) in
                    try task.encodeBody(&body, request.version)
                }
            } catch {
                self.tasks.removeValue(forKey: request.id)
                task.promise.fail(error)
                _ = self.state.requestNotSent(correlationID: request.correlationID)
                continue
            }
            context.write(self.wrapOutboundOut(buffer), promise: nil)
            self.scheduleTimeout(request.correlationID, context: context)
        }
        context.flush()
    }

    private func fail(_ failures: [ConnectionStateMachine.RequestFailure]) {
        for failure in failures {
            self.tasks.removeValue(forKey: failure.id)?.promise.fail(failure.error)
        }
    }

    // MARK: - Timers

    private func scheduleTimeout(_ correlationID: Int32, context: ChannelHandlerContext) {
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: self.configuration.requestTimeout) {
            self.timers.removeValue(forKey: correlationID)
            self.run(self.state.timeoutFired(correlationID: correlationID), context: context)
        }
        self.timers[correlationID] = timer
    }

    private func cancelTimer(_ correlationID: Int32) {
        self.timers.removeValue(forKey: correlationID)?.cancel()
    }

    private func cancelTimers() {
        for timer in self.timers.values { timer.cancel() }
        self.timers.removeAll()
    }
}

import KafkaProtocol
import LookoutSecrets

/// The life of one broker connection, without I/O or clocks: ApiVersions first (again in
/// version 0 if the broker does not know the version sent), then, when SASL is configured,
/// SaslHandshake and SaslAuthenticate until the nested SASL machine is done, then requests
/// pipelined by correlation id, each at the highest version both sides support.
///
/// The channel handler reports what happened and carries out the returned action.
struct ConnectionStateMachine {
    /// Chosen by the handler; identifies a request across events.
    typealias RequestID = UInt64

    enum State: Equatable {
        /// Created; the socket is not connected yet. Requests wait.
        case initialized(queued: [RequestSpec])
        /// ApiVersions is on the wire. Requests wait.
        case negotiating(Negotiation)
        /// SaslHandshake or SaslAuthenticate is on the wire. Requests wait.
        case authenticating(Authentication)
        case ready(Ready)
        case closed(ConnectionError)
    }

    enum Action {
        case sendApiVersions(version: Int16, correlationID: Int32)
        /// The broker's versions are known: the connection is ready for use.
        case negotiated(send: [OutgoingRequest], fail: [RequestFailure])
        case sendRequests([OutgoingRequest], fail: [RequestFailure])
        /// The frame answers the ApiVersions request of this version: decode it, then report
        /// `apiVersionsReceived`.
        case decodeApiVersions(version: Int16)
        case sendSaslHandshake(version: Int16, correlationID: Int32, mechanism: String)
        /// The frame answers SaslHandshake: decode it, then report `saslHandshakeReceived`.
        case decodeSaslHandshake(version: Int16)
        case sendSaslAuthenticate(version: Int16, correlationID: Int32, bytes: [UInt8])
        /// The frame answers SaslAuthenticate: decode it, then report `saslAuthenticateReceived`.
        case decodeSaslAuthenticate(version: Int16)
        case forwardResponse(id: RequestID, apiKey: Int16, version: Int16)
        case closeConnection(fail: [RequestFailure], error: ConnectionError)
        case failRequests([RequestFailure])
        case none
    }

    /// The ApiVersions version lookout speaks first: the highest it has.
    static let firstApiVersionsVersion = ApiVersionsRequest.validVersions.upperBound
    static let apiVersionsKey = ApiVersionsRequest.apiKey

    private(set) var state: State
    private var nextCorrelationID: Int32 = 0
    /// Caps per API key that override negotiation (tests force every version this way).
    private let maximumVersions: [Int16: Int16]
    private let sasl: SASLCredentials?
    /// SCRAM's client nonce; chosen by the handler so that this machine stays deterministic.
    private let clientNonce: String

    /// SaslHandshake version 0 sends the tokens without Kafka framing; lookout frames them.
    static let saslHandshakeVersion: Int16 = 1

    init(maximumVersions: [Int16: Int16] = [:], sasl: SASLCredentials? = nil, clientNonce: String = "") {
        self.state = .initialized(queued: [])
        self.maximumVersions = maximumVersions
        self.sasl = sasl
        self.clientNonce = clientNonce
    }

    // MARK: - Events

    mutating func connected() -> Action {
        switch self.state {
        case .initialized(let queued):
            let version = min(Self.firstApiVersionsVersion, self.maximumVersions[Self.apiVersionsKey] ?? Self.firstApiVersionsVersion)
            let correlationID = self.takeCorrelationID()
            self.state = .negotiating(.init(apiVersionsVersion: version, correlationID: correlationID, queued: queued))
            return .sendApiVersions(version: version, correlationID: correlationID)
        case .negotiating, .authenticating, .ready:
            return self.closeAll(.protocolViolation("connected twice"))
        case .closed:
            return .none
        }
    }

    mutating func requestEnqueued(_ request: RequestSpec) -> Action {
        switch self.state {
        case .initialized(var queued):
            queued.append(request)
            self.state = .initialized(queued: queued)
            return .none
        case .negotiating(var negotiation):
            negotiation.queued.append(request)
            self.state = .negotiating(negotiation)
            return .none
        case .authenticating(var authentication):
            authentication.queued.append(request)
            self.state = .authenticating(authentication)
            return .none
        case .ready(var ready):
            let (send, fail) = self.schedule([request], in: &ready)
            self.state = .ready(ready)
            return .sendRequests(send, fail: fail)
        case .closed(let error):
            return .failRequests([RequestFailure(id: request.id, error: error)])
        }
    }

    /// A frame arrived; its correlation id decides what it answers.
    mutating func frameReceived(correlationID: Int32) -> Action {
        switch self.state {
        case .initialized:
            return self.closeAll(.protocolViolation("a response arrived before any request"))
        case .negotiating(let negotiation):
            guard correlationID == negotiation.correlationID else {
                return self.closeAll(.unexpectedCorrelationID(correlationID))
            }
            return .decodeApiVersions(version: negotiation.apiVersionsVersion)
        case .authenticating(let authentication):
            guard correlationID == authentication.correlationID else {
                return self.closeAll(.unexpectedCorrelationID(correlationID))
            }
            switch authentication.step {
            case .handshake: return .decodeSaslHandshake(version: Self.saslHandshakeVersion)
            case .authenticate: return .decodeSaslAuthenticate(version: authentication.authenticateVersion)
            }
        case .ready(var ready):
            guard let request = ready.inFlight.removeValue(forKey: correlationID) else {
                return self.closeAll(.unexpectedCorrelationID(correlationID))
            }
            self.state = .ready(ready)
            return .forwardResponse(id: request.id, apiKey: request.apiKey, version: request.version)
        case .closed:
            return .none
        }
    }

    /// The decoded ApiVersions answer: its error code and the broker's range per API key.
    mutating func apiVersionsReceived(errorCode: Int16, versions: [Int16: ClosedRange<Int16>]) -> Action {
        switch self.state {
        case .negotiating(var negotiation):
            if errorCode == KafkaErrorCode.unsupportedVersion && negotiation.apiVersionsVersion > 0 {
                negotiation.apiVersionsVersion = 0
                negotiation.correlationID = self.takeCorrelationID()
                self.state = .negotiating(negotiation)
                return .sendApiVersions(version: 0, correlationID: negotiation.correlationID)
            }
            guard errorCode == 0 else {
                return self.closeAll(.brokerError(apiKey: Self.apiVersionsKey, code: errorCode))
            }
            guard let sasl = self.sasl else {
                return self.becomeReady(brokerVersions: versions, queued: negotiation.queued)
            }
            let handshakeKey = SaslHandshakeRequest.apiKey
            let authenticateKey = SaslAuthenticateRequest.apiKey
            guard Self.negotiate(client: Self.saslHandshakeVersion...Self.saslHandshakeVersion, broker: versions[handshakeKey], cap: nil) != nil else {
                return self.closeAll(.unsupportedVersion(apiKey: handshakeKey, client: Self.saslHandshakeVersion...Self.saslHandshakeVersion, broker: versions[handshakeKey]))
            }
            guard let authenticateVersion = Self.negotiate(
                client: SaslAuthenticateRequest.validVersions, broker: versions[authenticateKey], cap: self.maximumVersions[authenticateKey]
            ) else {
                return self.closeAll(.unsupportedVersion(apiKey: authenticateKey, client: SaslAuthenticateRequest.validVersions, broker: versions[authenticateKey]))
            }
            let correlationID = self.takeCorrelationID()
            self.state = .authenticating(Authentication(
                brokerVersions: versions, queued: negotiation.queued, step: .handshake, correlationID: correlationID,
                authenticateVersion: authenticateVersion,
                sasl: SASLAuthenticationStateMachine(sasl.mechanism, username: sasl.username, password: sasl.password, clientNonce: self.clientNonce)
            ))
            return .sendSaslHandshake(version: Self.saslHandshakeVersion, correlationID: correlationID, mechanism: sasl.mechanism.name)
        case .initialized, .authenticating, .ready:
            return self.closeAll(.protocolViolation("an ApiVersions answer nobody asked for"))
        case .closed:
            return .none
        }
    }

    /// The decoded SaslHandshake answer.
    mutating func saslHandshakeReceived(errorCode: Int16, mechanisms: [String]) -> Action {
        switch self.state {
        case .authenticating(var authentication) where authentication.step == .handshake:
            guard errorCode == 0 else {
                return self.closeAll(.authenticationFailed(.mechanismNotOffered(authentication.sasl.name.name, offered: mechanisms)))
            }
            let action = authentication.sasl.start()
            return self.continueAuthentication(&authentication, action)
        case .initialized, .negotiating, .authenticating, .ready:
            return self.closeAll(.protocolViolation("a SaslHandshake answer nobody asked for"))
        case .closed:
            return .none
        }
    }

    /// The decoded SaslAuthenticate answer.
    mutating func saslAuthenticateReceived(errorCode: Int16, errorMessage: String?, authBytes: [UInt8]) -> Action {
        switch self.state {
        case .authenticating(var authentication) where authentication.step == .authenticate:
            guard errorCode == 0 else {
                return self.closeAll(.authenticationFailed(.rejected(code: errorCode, message: errorMessage)))
            }
            let action = authentication.sasl.serverMessageReceived(authBytes)
            return self.continueAuthentication(&authentication, action)
        case .initialized, .negotiating, .authenticating, .ready:
            return self.closeAll(.protocolViolation("a SaslAuthenticate answer nobody asked for"))
        case .closed:
            return .none
        }
    }

    /// The TLS layer gave up (an untrusted certificate, a wrong name, a failed handshake).
    mutating func tlsFailed(_ failure: TLSFailure) -> Action {
        self.closeAll(.tls(failure))
    }

    /// The handler could not encode a scheduled request; it is failed and forgotten.
    mutating func requestNotSent(correlationID: Int32) -> Action {
        switch self.state {
        case .ready(var ready):
            ready.inFlight.removeValue(forKey: correlationID)
            self.state = .ready(ready)
            return .none
        case .initialized, .negotiating, .authenticating, .closed:
            return .none
        }
    }

    /// A response frame could not be read at all (the frame itself, not one message body).
    mutating func protocolViolation(_ reason: String) -> Action {
        self.closeAll(.protocolViolation(reason))
    }

    /// The request with this correlation id got no answer in time. Later answers on this
    /// connection would be out of step, so the connection closes, as Kafka's own client does.
    mutating func timeoutFired(correlationID: Int32) -> Action {
        switch self.state {
        case .negotiating(let negotiation):
            guard negotiation.correlationID == correlationID else { return .none }
            return self.closeAll(.timedOut(apiKey: Self.apiVersionsKey))
        case .authenticating(let authentication):
            guard authentication.correlationID == correlationID else { return .none }
            switch authentication.step {
            case .handshake: return self.closeAll(.timedOut(apiKey: SaslHandshakeRequest.apiKey))
            case .authenticate: return self.closeAll(.timedOut(apiKey: SaslAuthenticateRequest.apiKey))
            }
        case .ready(let ready):
            guard let request = ready.inFlight[correlationID] else { return .none }
            return self.closeAll(.timedOut(apiKey: request.apiKey))
        case .initialized, .closed:
            return .none
        }
    }

    mutating func errorCaught(_ description: String) -> Action {
        self.closeAll(.ioError(description))
    }

    /// The channel went inactive.
    mutating func closed() -> Action {
        switch self.state {
        case .closed:
            return .none
        case .initialized, .negotiating, .authenticating, .ready:
            let failures = self.pendingIDs().map { RequestFailure(id: $0, error: .closed) }
            self.state = .closed(.closed)
            return .failRequests(failures)
        }
    }

    // MARK: - Helpers

    private mutating func takeCorrelationID() -> Int32 {
        let id = self.nextCorrelationID
        self.nextCorrelationID = id == Int32.max ? 0 : id + 1
        return id
    }

    private func pendingIDs() -> [RequestID] {
        switch self.state {
        case .initialized(let queued):
            return queued.map(\.id)
        case .negotiating(let negotiation):
            return negotiation.queued.map(\.id)
        case .authenticating(let authentication):
            return authentication.queued.map(\.id)
        case .ready(let ready):
            return ready.inFlight.values.map(\.id).sorted()
        case .closed:
            return []
        }
    }

    private mutating func closeAll(_ error: ConnectionError) -> Action {
        switch self.state {
        case .closed:
            return .none
        case .initialized, .negotiating, .authenticating, .ready:
            let failures = self.pendingIDs().map { RequestFailure(id: $0, error: error) }
            self.state = .closed(error)
            return .closeConnection(fail: failures, error: error)
        }
    }

    private mutating func becomeReady(brokerVersions: [Int16: ClosedRange<Int16>], queued: [RequestSpec]) -> Action {
        var ready = Ready(brokerVersions: brokerVersions, inFlight: [:])
        let (send, fail) = self.schedule(queued, in: &ready)
        self.state = .ready(ready)
        return .negotiated(send: send, fail: fail)
    }

    /// Carries out what the SASL machine decided: another SaslAuthenticate, ready, or closed.
    private mutating func continueAuthentication(_ authentication: inout Authentication, _ action: SASLAuthenticationStateMachine.Action) -> Action {
        switch action {
        case .send(let bytes):
            authentication.step = .authenticate
            authentication.correlationID = self.takeCorrelationID()
            self.state = .authenticating(authentication)
            return .sendSaslAuthenticate(version: authentication.authenticateVersion, correlationID: authentication.correlationID, bytes: bytes)
        case .authenticated:
            return self.becomeReady(brokerVersions: authentication.brokerVersions, queued: authentication.queued)
        case .fail(let failure):
            return self.closeAll(.authenticationFailed(failure))
        }
    }

    private mutating func schedule(
        _ requests: [RequestSpec],
        in ready: inout Ready
    ) -> ([OutgoingRequest], [RequestFailure]) {
        var send: [OutgoingRequest] = []
        var fail: [RequestFailure] = []
        for request in requests {
            let broker = ready.brokerVersions[request.apiKey]
            let cap = self.maximumVersions[request.apiKey]
            guard let version = Self.negotiate(client: request.clientVersions, broker: broker, cap: cap) else {
                fail.append(RequestFailure(
                    id: request.id,
                    error: .unsupportedVersion(apiKey: request.apiKey, client: request.clientVersions, broker: broker)
                ))
                continue
            }
            let correlationID = self.takeCorrelationID()
            ready.inFlight[correlationID] = InFlightRequest(id: request.id, apiKey: request.apiKey, version: version)
            send.append(OutgoingRequest(id: request.id, correlationID: correlationID, version: version))
        }
        return (send, fail)
    }

    /// The highest version both sides support, at most `cap`; nil when none is common.
    static func negotiate(client: ClosedRange<Int16>, broker: ClosedRange<Int16>?, cap: Int16?) -> Int16? {
        guard let broker else { return nil }
        let high = min(client.upperBound, broker.upperBound, cap ?? Int16.max)
        let low = max(client.lowerBound, broker.lowerBound)
        return high >= low ? high : nil
    }
}

import LookoutSecrets
@testable import LookoutKafka
import Testing

/// The connection machine with a SASL login between ApiVersions and the first request, state by
/// state: negotiating → authenticating (handshake, then authenticate) → ready, and every way out.
@Suite("Connection state machine: SASL")
struct ConnectionStateMachineSASLTests {
    typealias Machine = ConnectionStateMachine
    static let versions: [Int16: ClosedRange<Int16>] = [3: 0...12, 17: 0...1, 18: 0...3, 36: 0...2]

    func machine(_ mechanism: KafkaSASLMechanism, username: String = "user", password: String = "pencil", nonce: String = "rOprNGfwEbeRWgbNEkqO") -> Machine {
        Machine(sasl: .init(mechanism: mechanism, username: username, password: SecretValue(password)), clientNonce: nonce)
    }

    func metadata(_ id: Machine.RequestID) -> Machine.RequestSpec {
        .init(id: id, apiKey: 3, clientVersions: 0...12)
    }

    /// Connected, ApiVersions answered: the handshake (correlation 1) is on the wire.
    func handshaking(_ mechanism: KafkaSASLMechanism, password: String = "pencil", versions: [Int16: ClosedRange<Int16>] = Self.versions) -> Machine {
        var machine = machine(mechanism, password: password)
        _ = machine.requestEnqueued(metadata(7))
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        _ = machine.apiVersionsReceived(errorCode: 0, versions: versions)
        return machine
    }

    // MARK: negotiating

    @Test func apiVersionsLeadsToTheHandshakeNotToTheRequests() {
        var machine = machine(.plain)
        #expect(machine.requestEnqueued(metadata(7)) == .none)
        #expect(machine.connected() == .sendApiVersions(version: 3, correlationID: 0))
        #expect(machine.frameReceived(correlationID: 0) == .decodeApiVersions(version: 3))
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: Self.versions) == .sendSaslHandshake(version: 1, correlationID: 1, mechanism: "PLAIN"))
    }

    @Test func aBrokerWithoutSaslHandshakeV1IsRefusedBeforeAnyPassword() {
        var machine = machine(.scramSHA512)
        _ = machine.requestEnqueued(metadata(7))
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        let error = ConnectionError.unsupportedVersion(apiKey: 17, client: 1...1, broker: 0...0)
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: [3: 0...12, 17: 0...0, 36: 0...2]) == .closeConnection(
            fail: [.init(id: 7, error: error)], error: error
        ))
    }

    @Test func aBrokerWithoutSaslAuthenticateIsRefused() {
        var machine = machine(.plain)
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        let error = ConnectionError.unsupportedVersion(apiKey: 36, client: 0...2, broker: nil)
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: [3: 0...12, 17: 0...1]) == .closeConnection(fail: [], error: error))
    }

    // MARK: authenticating: handshake

    @Test func theHandshakeAnswerIsDecodedAsSuch() {
        var machine = handshaking(.plain)
        #expect(machine.frameReceived(correlationID: 1) == .decodeSaslHandshake(version: 1))
    }

    @Test func requestsWaitWhileAuthenticating() {
        var machine = handshaking(.plain)
        #expect(machine.requestEnqueued(metadata(8)) == .none)
        guard case .authenticating(let authentication) = machine.state else {
            Issue.record("not authenticating: \(machine.state)")
            return
        }
        #expect(authentication.queued.map(\.id) == [7, 8])
    }

    @Test func anUnofferedMechanismClosesWithTheOffer() {
        var machine = handshaking(.scramSHA512)
        _ = machine.frameReceived(correlationID: 1)
        let error = ConnectionError.authenticationFailed(.mechanismNotOffered("SCRAM-SHA-512", offered: ["PLAIN"]))
        #expect(machine.saslHandshakeReceived(errorCode: 33, mechanisms: ["PLAIN"]) == .closeConnection(fail: [.init(id: 7, error: error)], error: error))
        #expect(machine.state == .closed(error))
    }

    @Test func aWrongCorrelationIDWhileAuthenticatingCloses() {
        var machine = handshaking(.plain)
        #expect(machine.frameReceived(correlationID: 5) == .closeConnection(
            fail: [.init(id: 7, error: .unexpectedCorrelationID(5))], error: .unexpectedCorrelationID(5)
        ))
    }

    @Test func aHandshakeTimeoutNamesSaslHandshake() {
        var machine = handshaking(.plain)
        #expect(machine.timeoutFired(correlationID: 0) == .none)
        #expect(machine.timeoutFired(correlationID: 1) == .closeConnection(
            fail: [.init(id: 7, error: .timedOut(apiKey: 17))], error: .timedOut(apiKey: 17)
        ))
    }

    @Test func answersOutOfStepAreViolations() {
        var machine = handshaking(.plain)
        let error = ConnectionError.protocolViolation("a SaslAuthenticate answer nobody asked for")
        #expect(machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: []) == .closeConnection(fail: [.init(id: 7, error: error)], error: error))
        var again = handshaking(.plain)
        let apiVersions = ConnectionError.protocolViolation("an ApiVersions answer nobody asked for")
        #expect(again.apiVersionsReceived(errorCode: 0, versions: [:]) == .closeConnection(fail: [.init(id: 7, error: apiVersions)], error: apiVersions))
    }

    // MARK: authenticating: PLAIN

    @Test func plainLogsInWithOneAuthenticateAndSendsTheQueue() {
        var machine = handshaking(.plain)
        _ = machine.frameReceived(correlationID: 1)
        #expect(machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["PLAIN"]) == .sendSaslAuthenticate(
            version: 2, correlationID: 2, bytes: [0] + Array("user".utf8) + [0] + Array("pencil".utf8)
        ))
        #expect(machine.frameReceived(correlationID: 2) == .decodeSaslAuthenticate(version: 2))
        #expect(machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: []) == .negotiated(
            send: [.init(id: 7, correlationID: 3, version: 12)], fail: []
        ))
        #expect(machine.requestEnqueued(metadata(8)) == .sendRequests([.init(id: 8, correlationID: 4, version: 12)], fail: []))
    }

    @Test func theAuthenticateVersionIsNegotiated() {
        var machine = handshaking(.plain, versions: [3: 0...12, 17: 0...1, 36: 0...0])
        _ = machine.frameReceived(correlationID: 1)
        guard case .sendSaslAuthenticate(let version, _, _) = machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["PLAIN"]) else {
            Issue.record("no SaslAuthenticate")
            return
        }
        #expect(version == 0)
        #expect(machine.frameReceived(correlationID: 2) == .decodeSaslAuthenticate(version: 0))
    }

    @Test func aRefusedLoginClosesWithTheBrokersWords() {
        var machine = handshaking(.plain)
        _ = machine.frameReceived(correlationID: 1)
        _ = machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["PLAIN"])
        _ = machine.frameReceived(correlationID: 2)
        let error = ConnectionError.authenticationFailed(.rejected(code: 58, message: "invalid credentials"))
        #expect(machine.saslAuthenticateReceived(errorCode: 58, errorMessage: "invalid credentials", authBytes: []) == .closeConnection(
            fail: [.init(id: 7, error: error)], error: error
        ))
        #expect(machine.requestEnqueued(metadata(8)) == .failRequests([.init(id: 8, error: error)]))
    }

    @Test func anAuthenticateTimeoutNamesSaslAuthenticate() {
        var machine = handshaking(.plain)
        _ = machine.frameReceived(correlationID: 1)
        _ = machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["PLAIN"])
        #expect(machine.timeoutFired(correlationID: 2) == .closeConnection(
            fail: [.init(id: 7, error: .timedOut(apiKey: 36))], error: .timedOut(apiKey: 36)
        ))
    }

    @Test func theBrokerClosingDuringTheLoginFailsTheQueue() {
        var machine = handshaking(.plain)
        #expect(machine.closed() == .failRequests([.init(id: 7, error: .closed)]))
        #expect(machine.state == .closed(.closed))
    }

    // MARK: authenticating: SCRAM (RFC 7677's exchange through the connection)

    @Test func scramRunsTwoAuthenticatesAndChecksTheServer() {
        var machine = handshaking(.scramSHA256)
        _ = machine.frameReceived(correlationID: 1)
        #expect(machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["SCRAM-SHA-256"]) == .sendSaslAuthenticate(
            version: 2, correlationID: 2, bytes: Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8)
        ))
        _ = machine.frameReceived(correlationID: 2)
        let serverFirst = Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)
        #expect(machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: serverFirst) == .sendSaslAuthenticate(
            version: 2, correlationID: 3,
            bytes: Array("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8)
        ))
        #expect(machine.frameReceived(correlationID: 3) == .decodeSaslAuthenticate(version: 2))
        #expect(machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) == .negotiated(
            send: [.init(id: 7, correlationID: 4, version: 12)], fail: []
        ))
    }

    @Test func aScramServerWithTheWrongSignatureIsNotTrusted() {
        var machine = handshaking(.scramSHA256, password: "crayon")
        _ = machine.frameReceived(correlationID: 1)
        _ = machine.saslHandshakeReceived(errorCode: 0, mechanisms: ["SCRAM-SHA-256"])
        _ = machine.frameReceived(correlationID: 2)
        _ = machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        _ = machine.frameReceived(correlationID: 3)
        let error = ConnectionError.authenticationFailed(.serverSignatureMismatch)
        #expect(machine.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) == .closeConnection(
            fail: [.init(id: 7, error: error)], error: error
        ))
    }

    // MARK: TLS and no SASL

    @Test func aTLSFailureClosesWithItsReason() {
        var machine = Machine()
        _ = machine.requestEnqueued(metadata(7))
        _ = machine.connected()
        #expect(machine.tlsFailed(.untrusted) == .closeConnection(fail: [.init(id: 7, error: .tls(.untrusted))], error: .tls(.untrusted)))
    }

    @Test func withoutSASLApiVersionsLeadsStraightToReady() {
        var machine = Machine()
        _ = machine.connected()
        _ = machine.frameReceived(correlationID: 0)
        #expect(machine.apiVersionsReceived(errorCode: 0, versions: Self.versions) == .negotiated(send: [], fail: []))
    }
}

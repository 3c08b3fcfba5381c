import LookoutSecrets

/// One SASL login as a pure state machine over the mechanism: the bytes to send first, then
/// what each server message calls for. The connection state machine nests it while it
/// authenticates.
struct SASLAuthenticationStateMachine: Equatable {
    enum Mechanism: Equatable {
        /// RFC 4616: one message, the server's empty answer ends it.
        case plain(username: String, password: SecretValue, sent: Bool)
        case scram(SCRAMClient)
    }

    typealias Action = SCRAMClient.Action

    private(set) var mechanism: Mechanism
    let name: KafkaSASLMechanism

    init(_ mechanism: KafkaSASLMechanism, username: String, password: SecretValue, clientNonce: String) {
        self.name = mechanism
        switch mechanism {
        case .plain:
            self.mechanism = .plain(username: username, password: password, sent: false)
        case .scramSHA256:
            self.mechanism = .scram(SCRAMClient(algorithm: .sha256, username: username, password: password, clientNonce: clientNonce))
        case .scramSHA512:
            self.mechanism = .scram(SCRAMClient(algorithm: .sha512, username: username, password: password, clientNonce: clientNonce))
        }
    }

    mutating func start() -> Action {
        switch self.mechanism {
        case .plain(let username, let password, let sent):
            guard !sent else { return .fail(.protocolViolation("PLAIN started twice")) }
            self.mechanism = .plain(username: username, password: password, sent: true)
            return .send([0] + Array(username.utf8) + [0] + Array(password.reveal().utf8))
        case .scram(var scram):
            let action = scram.start()
            self.mechanism = .scram(scram)
            return action
        }
    }

    /// The auth bytes of a successful SaslAuthenticate answer.
    mutating func serverMessageReceived(_ bytes: [UInt8]) -> Action {
        switch self.mechanism {
        case .plain(_, _, let sent):
            guard sent else { return .fail(.protocolViolation("a PLAIN answer before the PLAIN message")) }
            return .authenticated
        case .scram(var scram):
            let action = scram.serverMessageReceived(bytes)
            self.mechanism = .scram(scram)
            return action
        }
    }
}

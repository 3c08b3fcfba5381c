/// A failure of the Kafka client, with the broker and API it concerns.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The TCP connection could not be made (refused, unreachable, connect timeout).
        case connectFailed
        /// An earlier connection attempt failed and the backoff has not passed yet.
        case backingOff
        /// A request, or the connection handshake, got no answer in time.
        case timedOut
        /// The connection closed before the answer.
        case connectionClosed
        /// The broker and lookout share no version of an API.
        case unsupportedVersion
        /// Bytes that are not the Kafka protocol.
        case protocolViolation
        /// The broker answered with a Kafka error code.
        case brokerError(Int16)
        /// No bootstrap or known broker could be reached.
        case noBrokerReachable
        /// The client was shut down.
        case shutDown
        /// The broker refused the SASL login (or, with SCRAM, could not prove it knows the password).
        case authenticationFailed
        /// The broker's certificate chain does not lead to the configured trust anchors.
        case certificateUntrusted
        /// The broker's certificate does not name the host connected to.
        case certificateNameMismatch
        /// TLS failed otherwise (protocol versions, a closed handshake).
        case tlsFailed
        /// The TLS or SASL settings could not be made (a CA, a password or a key unreadable).
        case securityUnavailable
    }

    public var code: Code
    /// The broker concerned, `host:port`, when one is.
    public var broker: String?
    /// The API concerned (`Metadata`), when one is.
    public var api: String?
    /// What happened, in words.
    public var detail: String

    public init(code: Code, broker: String? = nil, api: String? = nil, detail: String) {
        self.code = code
        self.broker = broker
        self.api = api
        self.detail = detail
    }

    /// Failures that another broker of the same cluster would give too: trying the next one
    /// only costs connections.
    public var isSecurityFailure: Bool {
        switch self.code {
        case .authenticationFailed, .certificateUntrusted, .certificateNameMismatch, .securityUnavailable:
            return true
        case .connectFailed, .backingOff, .timedOut, .connectionClosed, .unsupportedVersion, .protocolViolation,
             .brokerError, .noBrokerReachable, .shutDown, .tlsFailed:
            return false
        }
    }

    public var description: String {
        var text = "Kafka"
        if let broker { text += " broker \(broker)" }
        if let api { text += " (\(api))" }
        return text + ": " + detail
    }
}

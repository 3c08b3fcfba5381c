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

    public var description: String {
        var text = "Kafka"
        if let broker { text += " broker \(broker)" }
        if let api { text += " (\(api))" }
        return text + ": " + detail
    }
}

/// Why a connection or a request on it failed, before the client adds the broker's address.
enum ConnectionError: Error, Equatable, Sendable {
    case closed
    case timedOut(apiKey: Int16)
    case unsupportedVersion(apiKey: Int16, client: ClosedRange<Int16>, broker: ClosedRange<Int16>?)
    case brokerError(apiKey: Int16, code: Int16)
    case unexpectedCorrelationID(Int32)
    case protocolViolation(String)
    case ioError(String)
    case authenticationFailed(SASLFailure)
    case tls(TLSFailure)
}

/// Why TLS to a broker failed, in the terms a person acts on.
enum TLSFailure: Error, Equatable, Sendable {
    /// The served chain does not lead to the configured trust anchors.
    case untrusted
    /// The certificate does not name the host connected to.
    case nameMismatch
    case handshakeFailed(String)
}

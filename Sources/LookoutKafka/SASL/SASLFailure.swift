/// Why a SASL login failed, before the client adds the user and the broker.
enum SASLFailure: Error, Equatable, Sendable {
    /// The broker does not offer the configured mechanism.
    case mechanismNotOffered(String, offered: [String])
    /// The broker refused the credentials (SaslAuthenticate's error and message).
    case rejected(code: Int16, message: String?)
    /// SCRAM: the server answered `e=...`.
    case serverError(String)
    /// SCRAM: the server's signature is not the one the password gives: it does not know it.
    case serverSignatureMismatch
    case protocolViolation(String)
}

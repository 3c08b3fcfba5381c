/// The SASL mechanisms lookout can log in with.
public enum KafkaSASLMechanism: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"

    /// The name SaslHandshake carries.
    public var name: String { self.rawValue }
}

/// What a person asked for, by the names in the config: the command line and the console build
/// the same request, and ``PreparedAction/prepare(_:environment:client:)`` turns it into a plan.
public enum ActionRequest: Sendable, Equatable {
    /// Roll these ECS services, one at a time (broker services gated on Kafka).
    case roll(services: [String], timeout: Duration)
    /// Write a new value of a secret, made locally, and roll the services that read it.
    case rotateSecret(String, timeout: Duration)
    /// Write an earlier version of a secret back (nil: the one labelled `previous`).
    case restoreSecret(String, version: Int?, timeout: Duration)
    /// Reissue a tracked certificate (key made locally, issued, verified, written, services rolled).
    case reissueCertificate(String, timeout: Duration)
    /// Revoke a superseded certificate at the Private CA (the serial normalised).
    case revokeCertificate(String, serial: String)

    /// How the plan, the audit log and the messages name the action.
    public var action: String {
        switch self {
        case .roll: "service roll"
        case .rotateSecret: "secret rotate"
        case .restoreSecret: "secret restore"
        case .reissueCertificate: "cert reissue"
        case .revokeCertificate: "cert revoke"
        }
    }
}

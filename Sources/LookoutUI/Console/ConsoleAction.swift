/// An action a key asked for on a row: what, where, on which object (by its name in the config).
public struct ConsoleAction: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case roll, rotate, restore, reissue

        /// The view whose rows it acts on, and what such a row holds.
        public var noun: String {
            switch self {
            case .roll: "service"
            case .rotate, .restore: "secret"
            case .reissue: "tracked certificate"
            }
        }

        /// How the dialog names the action, as the command line does.
        public var title: String {
            switch self {
            case .roll: "service roll"
            case .rotate: "secret rotate"
            case .restore: "secret restore"
            case .reissue: "cert reissue"
            }
        }
    }

    public var kind: Kind
    public var environment: String
    public var target: String

    public init(kind: Kind, environment: String, target: String) {
        self.kind = kind
        self.environment = environment
        self.target = target
    }

    public var title: String { "\(kind.title) \(target) in \(environment)" }
}

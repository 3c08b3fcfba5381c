import Foundation

/// The guards every action passes before it touches anything: read-only, the protected
/// environment's name, and the y/N question. Pure, so every combination is tested.
public enum ActionGuard {
    public struct Inputs: Sendable, Equatable {
        public var environment: String
        public var environmentReadOnly: Bool
        public var protected: Bool
        public var readOnlyFlag: Bool
        public var dryRun: Bool
        public var yes: Bool
        public var confirmEnv: String?
        /// Whether stdin is a terminal a person can answer on.
        public var interactive: Bool

        public init(environment: String, environmentReadOnly: Bool, protected: Bool, readOnlyFlag: Bool, dryRun: Bool,
                    yes: Bool, confirmEnv: String?, interactive: Bool) {
            self.environment = environment
            self.environmentReadOnly = environmentReadOnly
            self.protected = protected
            self.readOnlyFlag = readOnlyFlag
            self.dryRun = dryRun
            self.yes = yes
            self.confirmEnv = confirmEnv
            self.interactive = interactive
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// Go on without asking.
        case proceed
        /// Ask `y/N`; only `y` or `yes` goes on.
        case askYesNo
        /// Ask for the environment's name; only the exact name goes on.
        case askName
        case refuse(String)
    }

    public static func decide(_ inputs: Inputs) -> Verdict {
        let name = inputs.environment
        if let given = inputs.confirmEnv, given != name {
            return .refuse("--confirm-env \(given) does not name the environment `\(name)`; nothing was changed")
        }
        // Read-only refuses every action, its dry run too, as the console offers no action key.
        if inputs.readOnlyFlag {
            return .refuse("read-only (--read-only): actions are refused; nothing was changed")
        }
        if inputs.environmentReadOnly {
            return .refuse("environment `\(name)` is read-only in the config (read_only: true); nothing was changed")
        }
        // A dry run changes nothing, so it needs no confirmation.
        if inputs.dryRun { return .proceed }
        if inputs.protected {
            if inputs.confirmEnv == name {
                if inputs.yes { return .proceed }
                return inputs.interactive ? .askYesNo : refuseNoTerminal(name)
            }
            if inputs.interactive { return .askName }
            return .refuse("environment `\(name)` is protected: give --confirm-env \(name) (--yes alone never acts on it); nothing was changed")
        }
        if inputs.yes { return .proceed }
        return inputs.interactive ? .askYesNo : refuseNoTerminal(name)
    }

    /// Whether the answer typed at the prompt lets the action go on.
    public static func accepts(_ answer: String?, for verdict: Verdict, environment: String) -> Bool {
        let typed = (answer ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch verdict {
        case .askYesNo: return ["y", "yes"].contains(typed.lowercased())
        case .askName: return typed == environment
        case .proceed: return true
        case .refuse: return false
        }
    }

    private static func refuseNoTerminal(_ name: String) -> Verdict {
        .refuse("no terminal to confirm on: pass --yes to act on `\(name)` without a prompt; nothing was changed")
    }
}

/// Why an action did not run, or stopped: what a person reads, and the sysexits code that says
/// what to do next.
public struct ActionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Read-only, a protected environment not confirmed, a lock held (77).
        case refused
        /// A service the action needs does not answer, or cannot be reached by lookout (69).
        case unavailable
        /// The audit log cannot be written: nothing was changed (74).
        case auditFailed
        /// Stopped half-way; the message says what is current, and a re-run resolves it (75).
        case halfway
        /// A bad argument: an unknown service, secret or certificate (64).
        case usage
        /// Stopped by SIGINT or SIGTERM at a step boundary (128 + the signal: 130, 143); the
        /// message says the step, what is current and the command that finishes the job.
        case interrupted(Interruption.Signal)
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 {
        switch kind {
        case .refused: 77
        case .unavailable: 69
        case .auditFailed: 74
        case .halfway: 75
        case .usage: 64
        case .interrupted(let signal): signal.exitCode
        }
    }

    public var description: String { message }
}

extension ActionError {
    /// This error with `text` added to its message when it says where a run stopped (half-way or
    /// interrupted); an audit failure or a refusal is left as it is.
    func adding(halfwayOrInterrupted text: String) -> ActionError {
        switch kind {
        case .halfway, .interrupted:
            return ActionError(kind, message + text)
        case .refused, .unavailable, .auditFailed, .usage:
            return self
        }
    }
}

extension ActionError {
    /// For a roll inside a rotation or reissue that a signal stopped: the signal and where the
    /// roll stopped, on one line, for the outer machine's `interrupted` event; nil otherwise.
    var duringTheRoll: String? {
        guard case .interrupted(let signal) = kind else { return nil }
        return "\(signal) during the roll (" + message.replacingOccurrences(of: "\n ", with: ";") + ")"
    }
}

extension Int {
    /// The version after this one, as SSM will number it; an SSM answer can say `Int.max`, which
    /// has no successor to trap on here.
    var saturatingPlusOne: Int { self == .max ? .max : self + 1 }
}

import LookoutActions

/// The confirmation dialog of one console action and then its progress panel. Pure: the app
/// feeds it keys and what the background work reports (the plan, progress lines, the outcome),
/// and carries out the effect each key returns. The guards are ``ActionGuard``'s, the same as the
/// command line's: a protected environment needs its name typed, `y` alone never acts on it.
public struct ActionDialog: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// The guards refused before anything was read.
        case refused(String)
        /// The plan is being built (reads only), off the UI thread.
        case preparing
        /// The plan could not be built; nothing was changed.
        case notPlanned(String)
        /// The plan was built but a real run would be refused: no confirmation is offered.
        case blocked(String)
        /// Waiting for `y` (or the environment's name, typed, then Enter).
        case confirming
        /// A wrong or empty name was typed, or `n`: nothing ran.
        case notConfirmed(String)
        case running
        case succeeded(String)
        case failed(String)
        /// Gone: the console drops the dialog.
        case closed
    }

    /// What the app does after a key.
    public enum Effect: Sendable, Equatable {
        case none
        /// Run the prepared plan.
        case run
        /// Let go of the plan (prepared or still being prepared); nothing runs.
        case discard
        /// Hide the panel; a running action goes on.
        case hide
    }

    public let action: ConsoleAction
    public let verdict: ActionGuard.Verdict
    public private(set) var phase: Phase
    /// The plan as ``ActionPlan/rendered`` gives it, then every progress line, then the outcome.
    public private(set) var lines: [String] = []
    /// The name typed so far on a protected environment.
    public private(set) var typed = ""
    /// The first body line shown (scrolling); the app clamps it to the lines that fit.
    public var scroll = 0
    /// Whether the body follows new lines (until the person scrolls up).
    public private(set) var following = true

    /// Opens the dialog for a key press: the guards first, as the command line runs them for an
    /// interactive, real (not dry) run without `--yes`.
    public init(action: ConsoleAction, protected: Bool, environmentReadOnly: Bool, readOnlyFlag: Bool) {
        self.action = action
        verdict = ActionGuard.decide(ActionGuard.Inputs(
            environment: action.environment, environmentReadOnly: environmentReadOnly, protected: protected,
            readOnlyFlag: readOnlyFlag, dryRun: false, yes: false, confirmEnv: nil, interactive: true))
        if case .refuse(let why) = verdict {
            phase = .refused(why)
            lines = ["Refused: \(why)"]
        } else {
            phase = .preparing
        }
    }

    /// Whether background work belongs to the dialog (a plan being built, a run).
    public var isBusy: Bool { phase == .preparing || phase == .running }

    // MARK: Reports from the background

    public mutating func planned(_ rendered: String, blocked: String?) {
        guard phase == .preparing else { return }
        lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let blocked {
            phase = .blocked(blocked)
            lines.append("Blocked: \(blocked); nothing can run, nothing was changed.")
        } else {
            phase = .confirming
        }
        scroll = 0
        following = false
    }

    public mutating func notPlanned(_ message: String) {
        guard phase == .preparing else { return }
        phase = .notPlanned(message)
        append("Cannot plan: \(message)")
    }

    public mutating func progress(_ line: String) {
        guard phase == .running else { return }
        append(line)
    }

    /// The run ended: `failure` is the error's message (naming the step and what is current), nil when it succeeded.
    public mutating func finished(failure: String?, done: String) {
        guard phase == .running else { return }
        if let failure {
            phase = .failed(failure)
            append("Failed: \(failure)")
        } else {
            phase = .succeeded(done)
            append(done)
        }
    }

    private mutating func append(_ text: String) {
        lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        following = true
    }

    // MARK: Keys

    public mutating func handle(_ key: Key) -> Effect {
        if let delta = scrollDelta(key) {
            scroll = max(0, scroll + delta)
            following = false
            return .none
        }
        switch phase {
        case .preparing:
            if key == .escape || key == .char("n") {
                phase = .closed
                return .discard
            }
        case .confirming:
            return confirmKey(key)
        case .running:
            if key == .escape { return .hide }
        case .refused, .notPlanned, .blocked, .notConfirmed, .succeeded, .failed:
            if [.escape, .enter, .char("q"), .char("n")].contains(key) { phase = .closed }
        case .closed:
            break
        }
        return .none
    }

    private mutating func confirmKey(_ key: Key) -> Effect {
        switch verdict {
        case .askName:
            switch key {
            case .escape:
                phase = .closed
                return .discard
            case .backspace:
                typed = String(typed.dropLast())
            case .char(let c) where !c.isNewline && c.asciiValue.map({ $0 >= 32 }) ?? true:
                typed.append(c)
            case .enter:
                return decide(typed)
            default:
                break
            }
            return .none
        case .askYesNo, .proceed:
            switch key {
            case .char("y"), .char("Y"): return decide("y")
            case .char("n"), .char("N"), .escape, .enter:
                phase = .closed
                return .discard
            default: return .none
            }
        case .refuse:
            phase = .closed
            return .discard
        }
    }

    /// The same check as the command line's prompt: only `y`, or the exact name on a protected environment.
    private mutating func decide(_ answer: String) -> Effect {
        guard ActionGuard.accepts(answer, for: verdict, environment: action.environment) else {
            let shown = answer.isEmpty ? "nothing was typed" : "`\(answer)` is not `\(action.environment)`"
            phase = .notConfirmed("not confirmed: \(shown); nothing was changed")
            append("Not confirmed: \(shown); nothing was changed.")
            return .discard
        }
        phase = .running
        append("Confirmed; running (progress follows):")
        return .run
    }

    private func scrollDelta(_ key: Key) -> Int? {
        switch key {
        case .up: -1
        case .down: 1
        case .pageUp: -10
        case .pageDown: 10
        case .home: -scroll
        default: nil
        }
    }

    /// Keeps the scroll position within `count` lines shown `page` at a time; at the bottom while following.
    public mutating func clamp(lineCount count: Int, page: Int) {
        let last = max(0, count - max(1, page))
        scroll = following ? last : min(scroll, last)
    }

    // MARK: What the panel says

    /// The panel's title.
    public var title: String {
        let state = switch phase {
        case .refused: "refused"
        case .preparing: "planning"
        case .notPlanned: "no plan"
        case .blocked: "blocked"
        case .confirming: "confirm"
        case .notConfirmed: "not confirmed"
        case .running: "running"
        case .succeeded: "done"
        case .failed: "failed"
        case .closed: "closed"
        }
        return "\(action.title): \(state)"
    }

    /// The prompt line under the body: what the keys do now.
    public var prompt: String {
        switch phase {
        case .refused, .notPlanned, .blocked, .notConfirmed, .succeeded, .failed, .closed:
            "Esc closes"
        case .preparing:
            "building the plan (reads only)… Esc cancels"
        case .confirming:
            if verdict == .askName {
                "\(action.environment) is protected: type its name and Enter to run, Esc cancels: \(typed)▏"
            } else {
                "Run \(action.kind.title) \(action.target) in \(action.environment)? y runs it, n/Esc cancels [y/N]"
            }
        case .running:
            "running… Esc hides this panel; the action goes on (an action key shows it again)"
        }
    }
}

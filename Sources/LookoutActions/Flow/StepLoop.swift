import Foundation

/// An action's state machine as the one loop that drives every action sees it: events in, steps
/// out, no I/O. Each action (roll, rotate or restore a secret, reissue or revoke a certificate)
/// is one; its runner does the I/O of each step.
public protocol StepMachine: Sendable {
    associatedtype Action: Sendable
    associatedtype Result: Sendable

    mutating func start() -> Action
    /// A SIGINT or SIGTERM came: the failure that says what state the run left, or nil when the
    /// step in hand must run on to the next boundary (a reissue's certificate after its key).
    mutating func interrupted(by signal: String) -> Action?
    /// What `action` is to the loop.
    static func kind(of action: Action) -> StepKind<Action, Result>
}

/// An action as the loop sees it.
public enum StepKind<Action, Result> {
    /// A step whose I/O the runner does, then reports with an event.
    case step
    /// A finished step to print and audit, then `next`.
    case completed(StepReport, next: Action)
    case finished(Result)
    case failed(StepFailure)
}

/// A finished step, as printed (`  ok  <step>: <note>`) and audited.
public struct StepReport: Sendable, Equatable {
    public var step: String
    public var note: String
    public var versions: [String: String]

    public init(step: String, note: String, versions: [String: String] = [:]) {
        self.step = step
        self.note = note
        self.versions = versions
    }
}

/// Where a run stopped: the step, why, the versions in play (audited), and the message that says
/// what is current and how to finish.
public struct StepFailure: Sendable, Equatable {
    public var step: String
    public var reason: String
    public var versions: [String: String]
    public var message: String
    /// Audited as `refused` rather than `failed` (AWS refused the one write the run made).
    public var refused: Bool
    /// Whether nothing was changed for certain (the run stopped before its first write, or AWS
    /// refused that write): 69 or 77 rather than 75.
    public var changedNothing: Bool

    public init(step: String, reason: String, versions: [String: String] = [:], message: String, refused: Bool = false,
                changedNothing: Bool = false) {
        self.step = step
        self.reason = reason
        self.versions = versions
        self.message = message
        self.refused = refused
        self.changedNothing = changedNothing
    }

    /// The exit kind of a write action's failure: nothing changed for certain is 69, or 77 when
    /// AWS refused the write; anything written, or possibly written, is half-way (75).
    public func kind(writeRefused: Bool) -> ActionError.Kind {
        changedNothing ? (writeRefused ? .refused : .unavailable) : .halfway
    }
}

/// The loop every action runs, the steps they share: at each step boundary a pending SIGINT or
/// SIGTERM becomes the machine's `interrupted` event; a step's I/O is the runner's (`perform`);
/// a finished step is printed and audited (with its duration) before the next begins; a failure
/// is audited (`failed`, `refused` or `interrupted`) and thrown with its message and exit code.
/// The plan, the locks and the first and last audit lines are ``ActionSession/execute``'s.
public struct StepLoop<Machine: StepMachine> {
    public var machine: Machine
    public private(set) var interrupted: Interruption.Signal?

    public init(_ machine: Machine) {
        self.machine = machine
    }

    /// - Parameters:
    ///   - perform: the I/O of one step: returns the machine's next action (fed the step's
    ///     outcome), or nil when a signal cut a read short (the loop then stops the machine).
    ///   - kind: the error kind of a failure that is not an interruption (75 half-way, 69, 77).
    public mutating func run(session: ActionSession,
                             perform: (inout Machine, Machine.Action) async throws(ActionError) -> Machine.Action?,
                             kind: (StepFailure) -> ActionError.Kind) async throws(ActionError) -> Machine.Result {
        var action = machine.start()
        var stepStarted = ContinuousClock.now
        while true {
            switch Machine.kind(of: action) {
            case .step:
                if interrupted == nil, let signal = Interruption.pending, let stopped = machine.interrupted(by: signal.description) {
                    interrupted = signal
                    action = stopped
                    continue
                }
                if let next = try await perform(&machine, action) {
                    action = next
                } else if interrupted == nil, let signal = Interruption.pending {
                    // A read given up on a signal: the machine stops where it is, or, between two
                    // writes that belong together, the step runs again and goes on.
                    if let stopped = machine.interrupted(by: signal.description) {
                        interrupted = signal
                        action = stopped
                    }
                }
            case .completed(let report, let next):
                session.say("  ok  \(report.step): \(report.note)")
                try session.record(step: report.step, outcome: "ok", versions: report.versions, detail: report.note,
                                   duration: .now - stepStarted)
                stepStarted = .now
                action = next
            case .finished(let result):
                return result
            case .failed(let failure):
                // A failure while a signal is pending is the signal's: a step the signal cut
                // short (a roll inside a rotation) reports it as its failure.
                if interrupted == nil { interrupted = Interruption.pending }
                let outcome = interrupted != nil ? "interrupted" : failure.refused ? "refused" : "failed"
                try? session.record(step: failure.step, outcome: outcome, versions: failure.versions, detail: failure.reason,
                                    duration: .now - stepStarted)
                throw ActionError(interrupted.map { .interrupted($0) } ?? kind(failure), failure.message)
            }
        }
    }
}

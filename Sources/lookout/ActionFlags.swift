import ArgumentParser
import Foundation
import LookoutActions
import LookoutAWS
import LookoutConfig

/// `--read-only`, one type shared with the root command (the console). ArgumentParser parses the
/// root's options first, from the whole command line, and gives a subcommand the value only of
/// an option group whose type it already decoded: so the actions take `--config` and `--env`
/// through the root's own `EnvironmentOptions` and `--read-only` through this type, or they
/// would silently never see them.
struct ReadOnlyOption: ParsableArguments {
    @Flag(name: .long, help: "Refuse every action (exit 77); the console offers no key that acts.")
    var readOnly = false
}

/// PRODUCT.md's ACTION FLAGS, shared by every action (`--config` comes with `EnvironmentOptions`,
/// `--read-only` with ``ReadOnlyOption``).
struct ActionFlags: ParsableArguments {
    @Flag(name: .long, help: "Print every step the action would take, and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Do not ask y/N; a protected environment still needs its name.")
    var yes = false

    @Option(name: .long, help: ArgumentHelp("Confirm a protected environment by its name.", valueName: "name"))
    var confirmEnv: String?

    @Flag(name: .long, help: "Break a lock older than 30 minutes (audited).")
    var breakLock = false
}

extension EnvironmentOptions {
    /// An action acts on one environment: `--env` is required (checked here, since the group is
    /// the root's, where it is optional).
    func requireEnvironment() throws {
        guard env != nil else { throw ValidationError("Missing expected argument '--env <name>'") }
    }
}

/// What an action command supplies to the shared flow.
struct ActionSpec {
    var action: String
    var target: String
    var locks: [String]
    var steps: [ActionPlan.Step]
    var facts: [String]
    /// Why a real run must be refused although the plan could be made.
    var blocked: String?
}

/// The one path every action takes: guards, plan, dry run or prompt, identity, audit, locks, steps.
enum ActionFlow {
    static func run(options: EnvironmentOptions, flags: ActionFlags, readOnly: Bool,
                    prepare: (EnvironmentConfig, AWSClient) async throws(ActionError) -> ActionSpec,
                    execute: (ActionSession) async throws(ActionError) -> Void) async throws {
        let (config, environments) = try options.load()
        guard options.env != nil, let environment = environments.first else {
            throw CommandFailure(message: "an action needs --env", code: 64)
        }
        let verdict = ActionGuard.decide(ActionGuard.Inputs(
            environment: environment.name, environmentReadOnly: environment.readOnly, protected: environment.protected,
            readOnlyFlag: readOnly, dryRun: flags.dryRun, yes: flags.yes, confirmEnv: flags.confirmEnv,
            interactive: isatty(STDIN_FILENO) == 1))
        if case .refuse(let why) = verdict { throw CommandFailure(message: why, code: 77) }
        do {
            let client = ActionEnvironment.client(for: environment)
            let spec = try await prepare(environment, client)
            let plan = ActionPlan(environment: environment.name, action: spec.action, target: spec.target, locks: spec.locks,
                                  steps: spec.steps, facts: spec.facts)
            emit(plan.rendered)
            if flags.dryRun {
                if let blocked = spec.blocked { emit("A real run would be refused: \(blocked)\n") }
                emit("Dry run: nothing was changed.\n")
                return
            }
            if let blocked = spec.blocked { throw ActionError(.unavailable, blocked + "; nothing was changed") }
            try confirm(verdict, environment: environment.name, action: "\(spec.action) \(spec.target)")
            let identity = try await ActionEnvironment.identity(client)
            let session = ActionSession(environment: environment, client: client, audit: AuditLog(path: config.auditLog),
                                        user: ActionEnvironment.osUser, identity: identity, action: spec.action,
                                        target: spec.target, progress: { emit($0 + "\n") })
            try await session.execute(locks: spec.locks, breakLock: flags.breakLock, execute)
            emit("Done: \(spec.action) \(spec.target) in \(environment.name).\n")
        } catch let error as ActionError {
            throw CommandFailure(message: error.message, code: error.exitCode)
        }
    }

    private static func confirm(_ verdict: ActionGuard.Verdict, environment: String, action: String) throws(ActionError) {
        let question: String
        switch verdict {
        case .proceed: return
        case .askYesNo: question = "\(action) in \(environment)? [y/N] "
        case .askName: question = "\(environment) is protected. Type its name to \(action): "
        case .refuse(let why): throw ActionError(.refused, why)
        }
        FileHandle.standardError.write(Data(question.utf8))
        guard ActionGuard.accepts(readLine(), for: verdict, environment: environment) else {
            throw ActionError(.refused, "not confirmed; nothing was changed")
        }
    }

    /// Progress goes out at once, line by line, even into a pipe.
    static func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

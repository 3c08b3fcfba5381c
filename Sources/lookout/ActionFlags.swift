import ArgumentParser
import Foundation
import LookoutActions
import LookoutConfig
import LookoutModel

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

    @Option(name: .long, help: ArgumentHelp("Confirm a protected environment by its name.", valueName: "name"), completion: Completions.environments)
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

/// The command line's side of the one path (``PreparedAction`` in LookoutActions, which the
/// console takes too): guards, plan, dry run or prompt, then the audited, locked run.
enum ActionFlow {
    /// - Parameters:
    ///   - timeout: the `--timeout` given, or nil for the config's `timeouts.action`.
    ///   - request: the action, given the wait it may take.
    static func run(options: EnvironmentOptions, flags: ActionFlags, readOnly: Bool, timeout: String?,
                    request makeRequest: (Duration) -> ActionRequest) async throws {
        let (config, environments) = try options.load()
        guard options.env != nil, let environment = environments.first else {
            throw CommandFailure(message: "an action needs --env", code: 64)
        }
        let wait = timeout.flatMap(ConfigDuration.init(parsing:))?.swiftDuration ?? environment.timeouts.action.swiftDuration
        let request = makeRequest(wait)
        let verdict = ActionGuard.decide(ActionGuard.Inputs(
            environment: environment.name, environmentReadOnly: environment.readOnly, protected: environment.protected,
            readOnlyFlag: readOnly, dryRun: flags.dryRun, yes: flags.yes, confirmEnv: flags.confirmEnv,
            interactive: isatty(STDIN_FILENO) == 1))
        if case .refuse(let why) = verdict { throw CommandFailure(message: why, code: 77) }
        var prepared: PreparedAction?
        do {
            let action = try await PreparedAction.prepare(request, environment: environment)
            prepared = action
            emit(action.plan.rendered)
            if flags.dryRun {
                if let blocked = action.blocked { emit("A real run would be refused: \(blocked)\n") }
                emit("Dry run: nothing was changed.\n")
                await action.close()
                return
            }
            if let blocked = action.blocked { throw ActionError(.unavailable, blocked + "; nothing was changed") }
            try confirm(verdict, environment: environment.name, action: "\(action.plan.action) \(action.plan.target)")
            try await action.run(audit: AuditLog(path: config.auditLog), breakLock: flags.breakLock) { emit($0 + "\n") }
            emit(action.doneLine + "\n")
            await action.close()
        } catch let error as ActionError {
            await prepared?.close()
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
        Output.write(question, to: STDERR_FILENO)
        guard ActionGuard.accepts(readLine(), for: verdict, environment: environment) else {
            throw ActionError(.refused, "not confirmed; nothing was changed")
        }
    }

    /// Progress goes out at once, line by line, even into a pipe; what it quotes from outside
    /// (ECS reasons, AWS and Kafka errors, lock holders) cannot drive the terminal.
    static func emit(_ text: String) {
        Output.write(text.terminalSafeLines, to: STDOUT_FILENO)
    }
}

/// Writes that never stop the process: after SIGHUP the terminal is gone and a write fails
/// (EIO, or EPIPE with SIGPIPE ignored); the action runs on, and the audit log has its outcome.
/// (`FileHandle.write(_:)` traps on such an error.)
enum Output {
    static func write(_ text: String, to descriptor: Int32) {
        write(Array(text.utf8)[...], to: descriptor)
    }

    /// Returns false when the descriptor took no more (the reader went away, the disk is full):
    /// `errno` then says why.
    @discardableResult
    static func write(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var bytes = bytes
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            bytes = bytes.dropFirst(written)
        }
        return true
    }
}

/// `--timeout`: a duration, when given.
func validateTimeout(_ timeout: String?) throws {
    guard let timeout else { return }
    guard let duration = ConfigDuration(parsing: timeout), duration.milliseconds > 0,
          duration.milliseconds <= ConfigDuration.maximum.milliseconds else {
        throw ValidationError("--timeout takes a duration such as 90s or 5m (longer than 0, at most \(ConfigDuration.maximum)).")
    }
}

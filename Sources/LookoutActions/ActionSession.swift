import Foundation
import LookoutAWS
import LookoutConfig
import LookoutEnvironment
import LookoutProbes

/// One real run of an action: who runs it, against which environment, and the audit log every
/// step is written to before the run goes on.
public final class ActionSession: Sendable {
    public let environment: EnvironmentConfig
    public let client: AWSClient
    public let audit: AuditLog
    public let user: String
    public let identity: String
    public let action: String
    public let target: String
    let progress: @Sendable (String) -> Void

    public init(environment: EnvironmentConfig, client: AWSClient, audit: AuditLog, user: String, identity: String,
                action: String, target: String, progress: @escaping @Sendable (String) -> Void) {
        self.environment = environment
        self.client = client
        self.audit = audit
        self.user = user
        self.identity = identity
        self.action = action
        self.target = target
        self.progress = progress
    }

    /// Appends one audit line (fsynced); a failure stops the action.
    public func record(step: String, outcome: String, versions: [String: String] = [:], detail: String? = nil,
                       duration: Duration? = nil) throws(ActionError) {
        try audit.append(AuditRecord(time: Date(), user: user, identity: identity, environment: environment.name,
                                     action: action, target: target, step: step, outcome: outcome, versions: versions,
                                     detail: detail, durationMS: duration.map(\.milliseconds)))
    }

    public func say(_ line: String) {
        progress(line)
    }

    /// Runs `body` with the locks held: the first audit line before any write, the locks taken
    /// (all or none), the body, the locks released (after a failure too), a last audit line.
    public func execute(locks: [String], breakLock: Bool, pid: Int32 = getpid(),
                        _ body: (ActionSession) async throws(ActionError) -> Void) async throws(ActionError) {
        let started = ContinuousClock.now
        try record(step: "begin", outcome: "started")
        let lockSet = SSMLocks(ssm: client.ssm, record: LockRecord(holder: user, pid: pid, time: Date(), action: "\(action) \(target)"),
                               breakRequested: breakLock)
        do {
            try await lockSet.acquire(locks) { (name: String, reason: String) throws(ActionError) in
                try self.record(step: "break-lock", outcome: "broken", detail: reason)
                self.say("breaking the lock \(name): \(reason)")
            }
        } catch {
            try? record(step: "lock", outcome: error.kind == .refused ? "refused" : "failed", detail: error.message)
            throw error
        }
        do {
            try record(step: "lock", outcome: "ok", detail: locks.joined(separator: ", "))
        } catch {
            _ = await lockSet.release()
            throw error
        }
        say("locked: \(locks.joined(separator: ", "))")
        var failure: ActionError?
        do {
            try await body(self)
        } catch {
            failure = error
        }
        let unreleased = await lockSet.release()
        if unreleased.isEmpty {
            try? record(step: "unlock", outcome: "ok")
        } else {
            try? record(step: "unlock", outcome: "failed", detail: unreleased.joined(separator: "; "))
        }
        let lockNote = unreleased.isEmpty ? "" : "\n  locks not released: \(unreleased.joined(separator: "; ")) (a re-run from this host takes them over once this process has exited)"
        if var failure {
            let outcome = if case .interrupted = failure.kind { "interrupted" } else { "failed" }
            try? record(step: "end", outcome: outcome, detail: failure.message, duration: .now - started)
            failure.message += lockNote
            throw failure
        }
        try? record(step: "end", outcome: "ok", duration: .now - started)
        if !lockNote.isEmpty { say(lockNote.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// Builds what an action needs from the config: the AWS client (`EnvironmentClients`, as the
/// pollers build it), the OS user, the caller's AWS identity.
public enum ActionEnvironment {
    /// Each AWS call of an action: the config's `timeouts.source` (10 s by default), its
    /// connection at most 3 s of it.
    public static func client(for config: EnvironmentConfig,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSClient {
        EnvironmentClients.aws(config, timeout: config.timeouts.source.swiftDuration, environment: environment)
    }

    /// `user@host` of this process.
    public static var osUser: String {
        let user = ProcessInfo.processInfo.environment["USER"]
            ?? getpwuid(getuid()).flatMap { String(cString: $0.pointee.pw_name) } ?? "uid\(getuid())"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// The ARN STS says the environment's credentials belong to; needed before any audit line.
    public static func identity(_ client: AWSClient) async throws(ActionError) -> String {
        do {
            return try await client.sts.getCallerIdentity().arn
        } catch {
            throw ActionError(.unavailable, "cannot learn the AWS identity (STS GetCallerIdentity): \(error); nothing was changed")
        }
    }
}

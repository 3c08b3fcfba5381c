import Foundation
import LookoutActions
import LookoutConfig
import LookoutModel
import LookoutPolling
import Synchronization

/// Reads the changes `:events` shows, off the UI thread: an environment's deployments, stopped
/// tasks, scaling activities and SSM versions (``ChangesReader``) and the audit log's actions.
/// Only while `:events` is open and only for the environments it shows (they cost AWS calls the
/// overview does not need), at most once a minute unless `r` asks, one reading at a time per
/// environment.
final class ChangesFeed: Sendable {
    private let state = Mutex<(log: ChangeLog, version: Int)>((ChangeLog(), 0))
    private let environments: [EnvironmentConfig]
    private let audit: AuditLog
    private let sourceTimeout: Duration?
    /// How long a reading stands before `:events` open reads again.
    static let freshFor: TimeInterval = 60

    init(environments: [EnvironmentConfig], audit: AuditLog, sourceTimeout: Duration?) {
        self.environments = environments
        self.audit = audit
        self.sourceTimeout = sourceTimeout
    }

    var latest: (log: ChangeLog, version: Int) { state.withLock { $0 } }

    /// Starts a reading of each named environment (nil: every one) back to `since` (at least the
    /// last hour), unless one is under way or the last reaches that far and is younger than
    /// ``freshFor`` (`force`: whatever its age).
    func want(_ names: Set<String>?, since: Date, now: Date = Date(), force: Bool = false) {
        let from = min(since, now.addingTimeInterval(-3600))
        let chosen = environments.filter { names?.contains($0.name) ?? true }
        let due = state.withLock { current -> [EnvironmentConfig] in
            let due = chosen.filter { environment in
                let reading = current.log.environments[environment.name]
                if reading?.reading == true { return false }
                if !force, let reading, let readAt = reading.readAt, now.timeIntervalSince(readAt) < Self.freshFor,
                   let covered = reading.since, covered <= from.addingTimeInterval(Self.freshFor) { return false }
                return true
            }
            for environment in due { current.log.environments[environment.name, default: .init()].reading = true }
            if !due.isEmpty { current.version += 1 }
            return due
        }
        guard !due.isEmpty else { return }
        let audit = audit, sourceTimeout = sourceTimeout
        Task {
            let readings = await ChangesReader.read(due, since: from, sourceTimeout: sourceTimeout)
            let end = Date()
            var audited: [ChangeEvent] = []
            var auditFailure: String?
            do throws(ActionError) {
                audited = try audit.changes(environments: Set(due.map(\.name)), from: from, to: end)
            } catch {
                auditFailure = "audit log: \(error.message)"
            }
            self.state.withLock { current in
                for (environment, reading) in zip(due, readings) {
                    var failures = reading.failures.map { (source: $0.source, error: $0.error) }
                    if let auditFailure { failures.append((source: "lookout", error: auditFailure)) }
                    current.log.environments[environment.name] = ChangeLog.Reading(
                        readAt: end, since: from, events: reading.events + audited.filter { $0.environment == environment.name }, failures: failures)
                }
                current.version += 1
            }
        }
    }
}

import Foundation
import LookoutActions
import LookoutConfig
import LookoutModel
import LookoutPolling
import Synchronization

/// Reads the changes `:events` shows, off the UI thread: every environment's deployments, stopped
/// tasks, scaling activities and SSM versions (``ChangesReader``) and the audit log's actions.
/// Only while `:events` is open (they cost AWS calls that the overview does not need), at most
/// once a minute unless `r` asks, one reading at a time.
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

    /// Starts a reading back to `since` (at least the last hour), unless one is under way or the
    /// last one reaches that far and is younger than ``freshFor`` (`force`: whatever its age).
    func want(since: Date, now: Date = Date(), force: Bool = false) {
        let from = min(since, now.addingTimeInterval(-3600))
        let start = state.withLock { current -> Bool in
            if current.log.reading { return false }
            if !force, let readAt = current.log.readAt, now.timeIntervalSince(readAt) < Self.freshFor,
               let covered = current.log.since, covered <= from.addingTimeInterval(Self.freshFor) { return false }
            current.log.reading = true
            current.version += 1
            return true
        }
        guard start else { return }
        let environments = environments, audit = audit, sourceTimeout = sourceTimeout
        Task {
            let readings = await ChangesReader.read(environments, since: from, sourceTimeout: sourceTimeout)
            var events = readings.flatMap(\.events)
            var failures = readings.flatMap(\.failures)
            let end = Date()
            do throws(ActionError) {
                events += try audit.changes(environments: Set(environments.map(\.name)), from: from, to: end)
            } catch {
                failures.append((environment: "", source: "lookout", error: "audit log: \(error.message)"))
            }
            let log = ChangeLog(readAt: end, since: from, reading: false, events: events, failures: failures)
            self.state.withLock { current in
                current.log = log
                current.version += 1
            }
        }
    }
}

import Foundation
import LookoutConfig
import LookoutModel

/// The one judge of what the sources saw, shared by the console, `snapshot` and `check`: every
/// source of the registry in turn, then the roll-up. Pure: the same observations, config and time
/// give the same verdict.
public enum Evaluator {
    public static func evaluate(_ observations: EnvironmentObservations, config: EnvironmentConfig, now: Date) -> EnvironmentSnapshot {
        var judging = Judging(config: config, now: now, observations: observations,
                              snapshot: EnvironmentSnapshot(name: config.name, protected: config.protected, readOnly: config.readOnly))
        var findings: [Finding] = []
        var sources: [SourceState] = []
        for source in SourceRegistry.all {
            source.record(&judging, findings: &findings, sources: &sources)
        }
        findings.sort { $0.status > $1.status }
        var snapshot = judging.snapshot
        snapshot.status = Status.worst(sources.map(\.status))
        snapshot.sources = sources
        snapshot.findings = findings
        return snapshot
    }

    /// Whether something changed at `changedAt` after the oldest running task of the services that
    /// read it started; a task without a start time counts from its service's PRIMARY deployment.
    static func rollPending(changedAt: Date, restart: [String], ecs: ECSObservation?) -> Bool? {
        guard !restart.isEmpty, let ecs else { return nil }
        var starts: [Date] = []
        for name in restart {
            let service = ecs.services.first { $0.name == name }
            for task in ecs.tasks where task.service == name && task.lastStatus == "RUNNING" {
                guard let start = task.startedAt ?? service?.deployment?.createdAt else { return nil }
                starts.append(start)
            }
        }
        guard let oldest = starts.min() else { return nil }
        return changedAt > oldest
    }

    /// Whole days from one time to another, rounded down (negative when `to` is earlier).
    /// Dates come from AWS (any number of seconds since 1970): clamped to ±a million years.
    static func days(from: Date, to: Date) -> Int {
        let days = (to.timeIntervalSince(from) / 86_400).rounded(.down)
        guard days.isFinite else { return days > 0 ? 365_000_000 : -365_000_000 }
        return Int(min(max(days, -365_000_000), 365_000_000))
    }
}

extension Source {
    /// Judges this source's outcome, if it is configured: its findings, and its row in `sources`
    /// (unknown when its latest poll failed, with the age of the data still shown).
    static func record(_ judging: inout Judging, findings: inout [Finding], sources: inout [SourceState]) {
        guard let outcome = outcome(in: judging.observations) else { return }
        let now = judging.now
        var status = Status.ok
        if let value = outcome.value {
            let found = judge(value, &judging)
            findings += found
            status = Status.worst(found.map(\.status))
        }
        if let error = outcome.error {
            status = .unknown
            var message = error
            if let fetchedAt = outcome.fetchedAt {
                message += "; showing data from \(Int(now.timeIntervalSince(fetchedAt)))s ago"
            }
            findings.append(Finding(status: .unknown, source: outcome.name, object: judging.config.name, message: message))
        } else if outcome.value == nil {
            status = .unknown
        }
        sources.append(SourceState(
            name: outcome.name, status: status, fetchedAt: outcome.fetchedAt,
            ageSeconds: outcome.fetchedAt.map { max(0, Int(now.timeIntervalSince($0))) },
            durationMs: outcome.durationMs, error: outcome.error, errorSince: outcome.errorSince))
    }
}

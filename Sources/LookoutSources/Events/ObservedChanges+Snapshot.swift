import Foundation
import LookoutModel

extension ObservedChanges {
    /// Takes in a judged poll of the environment: each Route53 health check's status, each Auto
    /// Scaling instance's lifecycle state and health (Auto Scaling's activities do not record an
    /// instance marked unhealthy, only its replacement), and each consumer group's state and status (a group not judged yet, `pending`, or unreadable,
    /// `unknown`, keeps its last mark), from the sources that answered in this poll.
    public mutating func observe(_ snapshot: EnvironmentSnapshot, at time: Date) {
        let answered = Set(snapshot.sources.filter { $0.error == nil && $0.status != .unknown }.map(\.name))
        var readings: [Reading] = []
        for check in snapshot.healthChecks ?? [] {
            readings.append(Reading(source: "route53", object: "health check \(check.observation.id)", value: check.status.rawValue) { old, new in
                "status \(old) → \(new) (\(check.observation.healthyObservations) of \(check.observation.totalObservations) checkers healthy)"
            })
        }
        for group in snapshot.autoscaling?.groups ?? [] {
            for instance in group.instances {
                readings.append(Reading(source: "autoscaling", object: "instance \(instance.id)", value: "\(instance.lifecycleState) \(instance.health)") { old, new in
                    Self.describePair(old: old, new: new, names: ("lifecycle", "health")) + " (group \(group.name))"
                })
            }
        }
        for group in snapshot.groups ?? [] {
            let object = "group \(group.observation.id)"
            let value: String
            if group.status == .pending || group.status == .unknown || group.observation.error != nil {
                guard let mark = marks["groups \(object)"] else { continue }
                value = mark
            } else {
                value = "\(group.observation.state ?? "?") \(group.status.rawValue)"
            }
            let reason = group.reason
            readings.append(Reading(source: "groups", object: object, value: value) { old, new in
                Self.describeGroup(old: old, new: new, reason: reason)
            })
        }
        observe(environment: snapshot.name, readings: readings, read: answered, findings: snapshot.findings, at: time)
    }

    /// "state Stable → PreparingRebalance; status ok → stall: commits stuck …"
    static func describeGroup(old: String, new: String, reason: String) -> String {
        let changed = describePair(old: old, new: new, names: ("state", "status"))
        let statusMoved = old.split(separator: " ").last != new.split(separator: " ").last
        return changed + (statusMoved && !reason.isEmpty ? ": \(reason)" : "")
    }

    /// Two words each, "A B" → "C D": "first A → C; second B → D", naming only what moved.
    static func describePair(old: String, new: String, names: (first: String, second: String)) -> String {
        let before = old.split(separator: " ", maxSplits: 1).map(String.init), after = new.split(separator: " ", maxSplits: 1).map(String.init)
        guard before.count == 2, after.count == 2 else { return "\(old) → \(new)" }
        var parts: [String] = []
        if before[0] != after[0] { parts.append("\(names.first) \(before[0]) → \(after[0])") }
        if before[1] != after[1] { parts.append("\(names.second) \(before[1]) → \(after[1])") }
        return parts.joined(separator: "; ")
    }
}

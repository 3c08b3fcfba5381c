import Foundation
import LookoutModel

extension AuditLog {
    /// lookout's own actions as changes, one event per action: its `end` record (ok, failed,
    /// interrupted), or, for an action whose end is not in the log (a process killed mid-way),
    /// its last step recorded. Only the named environments, within `from`...`to`.
    public func changes(environments: Set<String>, from: Date, to: Date) throws(ActionError) -> [ChangeEvent] {
        let (records, _, _) = try read()
        var open: [String: (begin: AuditRecord, last: AuditRecord)] = [:]
        var events: [ChangeEvent] = []
        func event(_ record: AuditRecord, _ summary: String) {
            guard record.time >= from, record.time <= to else { return }
            events.append(ChangeEvent(environment: record.environment, source: "lookout", object: record.target, time: record.time,
                                      summary: summary, who: record.user))
        }
        for record in records where environments.contains(record.environment) {
            let key = "\(record.environment)\u{0}\(record.action)\u{0}\(record.target)\u{0}\(record.user)"
            switch record.step {
            case "begin":
                open[key] = (record, record)
            case "end":
                open[key] = nil
                let took = record.durationMS.map { " in \(Double($0) / 1000) s" } ?? ""
                event(record, "\(record.action) \(record.outcome)\(took)\(record.detail.map { ": \($0)" } ?? "")")
            default:
                if let begun = open[key] { open[key] = (begun.begin, record) }
            }
        }
        for (begin, last) in open.values {
            event(last, "\(begin.action) without an end in the audit log; last step \(last.step): \(last.outcome)\(last.detail.map { " (\($0))" } ?? "")")
        }
        return events
    }
}

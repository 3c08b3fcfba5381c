import Foundation

/// What lookout sees change across its own polls of one environment, where no AWS API keeps a
/// history: a Route53 health check's status, a consumer group's state and status. Also when each
/// finding began, so that a finding can show the changes of the hour before it.
///
/// The console keeps one per environment in memory; `snapshot` and `check` keep it in the state
/// file, so that `lookout events` lists what they saw. Bounded: events of at most ``keep`` and at
/// most ``maximumEvents`` of them, marks only of objects the last poll read.
public struct ObservedChanges: Sendable, Equatable {
    /// The last value seen of each object, by key (`route53 <health check>`, `groups <group>`).
    public var marks: [String: String] = [:]
    /// When each current finding was first seen, by `source object`.
    public var findingsSince: [String: Date] = [:]
    /// The changes seen, oldest first.
    public var events: [ChangeEvent] = []

    public static let keep: TimeInterval = 14 * 86_400
    public static let maximumEvents = 2_000

    public init() {}

    /// One object's value as a poll read it.
    public struct Reading: Sendable {
        /// `route53` or `groups`: the source that read it.
        public var source: String
        /// The object as the event names it: `health check <id>`, `group <id>`.
        public var object: String
        public var value: String
        /// How the change is described: "status ok → crit".
        public var describe: @Sendable (_ old: String, _ new: String) -> String

        public init(source: String, object: String, value: String, describe: @escaping @Sendable (_ old: String, _ new: String) -> String) {
            self.source = source
            self.object = object
            self.value = value
            self.describe = describe
        }
    }

    /// Takes in one poll's readings at `time`. `read` names the sources that answered in that
    /// poll: an object of such a source not among the readings is gone (its mark is dropped, and
    /// its going is an event); a source that failed keeps its marks as they were.
    public mutating func observe(environment: String, readings: [Reading], read: Set<String>, findings: [Finding], at time: Date) {
        var seen = Set<String>()
        for reading in readings where read.contains(reading.source) {
            let key = "\(reading.source) \(reading.object)"
            seen.insert(key)
            if let old = marks[key], old != reading.value {
                events.append(ChangeEvent(environment: environment, source: reading.source, object: reading.object, time: time,
                                          summary: reading.describe(old, reading.value), who: nil))
            }
            marks[key] = reading.value
        }
        for key in marks.keys.sorted() where !seen.contains(key) {
            guard let space = key.firstIndex(of: " "), read.contains(String(key[..<space])) else { continue }
            let source = String(key[..<space]), object = String(key[key.index(after: space)...])
            events.append(ChangeEvent(environment: environment, source: source, object: object, time: time,
                                      summary: "no longer listed (was \(marks[key] ?? "?"))", who: nil))
            marks[key] = nil
        }
        var since: [String: Date] = [:]
        for finding in findings {
            let key = "\(finding.source) \(finding.object)"
            since[key] = findingsSince[key] ?? time
        }
        findingsSince = since
        let cutoff = time.addingTimeInterval(-Self.keep)
        events.removeAll { $0.time < cutoff }
        if events.count > Self.maximumEvents { events.removeFirst(events.count - Self.maximumEvents) }
    }

    /// When a finding was first seen (nil: not seen by this memory).
    public func since(_ finding: Finding) -> Date? {
        findingsSince["\(finding.source) \(finding.object)"]
    }
}

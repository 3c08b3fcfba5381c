import Foundation

/// The offsets of the last polls, compact enough for a state file: per poll its time, the end
/// offsets of the topics the groups committed to, and each group's committed offsets. Names are
/// values, never keys, so that no key conversion of an encoder can touch a topic or group name.
public struct LagHistory: Codable, Sendable, Equatable {
    /// A topic's offsets, indexed by partition; nil where none was read.
    public struct TopicOffsets: Codable, Sendable, Equatable {
        public var topic: String
        /// Each partition's offset, `Int64.min` where none was read: 8 bytes an offset, where
        /// `Int64?` takes 16 (the window at production scale holds millions).
        public private(set) var raw: [Int64]

        public static let none = Int64.min

        public init(topic: String, offsets: [Int64?]) {
            self.topic = topic
            self.raw = offsets.map { $0 ?? Self.none }
        }

        /// `raw` as it is (``none`` for a partition not read).
        public init(topic: String, raw: [Int64]) {
            self.topic = topic
            self.raw = raw
        }

        /// The offsets, nil where none was read.
        public var offsets: [Int64?] { raw.map { $0 == Self.none ? nil : $0 } }

        /// The offset of `partition`, nil where none was read or the partition is beyond the list.
        public subscript(partition: Int) -> Int64? {
            guard raw.indices.contains(partition) else { return nil }
            let value = raw[partition]
            return value == Self.none ? nil : value
        }

        private enum CodingKeys: String, CodingKey { case topic, offsets }

        /// The offsets as one string, `"12,13,-,15"` (`-` where nil): a window of polls of
        /// hundreds of groups holds tens of thousands of offsets, and one JSON value per topic
        /// makes the state file five times faster to write than one value per offset.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(topic, forKey: .topic)
            var text = ""
            for (index, offset) in raw.enumerated() {
                if index > 0 { text += "," }
                text += offset == Self.none ? "-" : String(offset)
            }
            try container.encode(text, forKey: .offsets)
        }

        /// Reads the string form, and the array of numbers that earlier versions wrote.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            topic = try container.decode(String.self, forKey: .topic)
            if let text = try? container.decode(String.self, forKey: .offsets) {
                raw = try text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { field in
                    if field == "-" { return Self.none }
                    guard let value = Int64(field), value != Self.none else {
                        throw DecodingError.dataCorruptedError(forKey: .offsets, in: container, debugDescription: "not an offset: \(field)")
                    }
                    return value
                }
            } else {
                raw = try container.decode([Int64?].self, forKey: .offsets).map { $0 ?? Self.none }
            }
        }
    }

    public struct GroupCommits: Codable, Sendable, Equatable {
        public var group: String
        public var committed: [TopicOffsets]

        public init(group: String, committed: [TopicOffsets]) {
            self.group = group
            self.committed = committed
        }
    }

    public struct Poll: Codable, Sendable, Equatable {
        /// Seconds since 1970, to the millisecond (whole-second dates would blur lag in seconds).
        public var time: Double
        public var ends: [TopicOffsets]
        public var groups: [GroupCommits]

        public init(time: Double, ends: [TopicOffsets], groups: [GroupCommits]) {
            self.time = time
            self.ends = ends
            self.groups = groups
        }

        /// The poll of these groups at `time`.
        public init(time: Date, groups: [GroupObservation]) {
            var ends: [String: [Int: Int64]] = [:]
            var commits: [GroupCommits] = []
            for group in groups {
                var committed: [String: [Int: Int64]] = [:]
                for partition in group.partitions {
                    if let end = partition.end { ends[partition.topic, default: [:]][partition.partition] = end }
                    if let offset = partition.committed { committed[partition.topic, default: [:]][partition.partition] = offset }
                }
                commits.append(GroupCommits(group: group.id, committed: Self.indexed(committed)))
            }
            self.init(time: (time.timeIntervalSince1970 * 1000).rounded() / 1000, ends: Self.indexed(ends), groups: commits)
        }

        /// Partition ids the window keeps: it is indexed by partition, so an id from a broker
        /// must not size it. Kafka topics hold thousands of partitions, not millions; a
        /// partition outside this range is shown without lag history.
        public static let partitionIds = 0..<100_000

        private static func indexed(_ offsets: [String: [Int: Int64]]) -> [TopicOffsets] {
            offsets.sorted { $0.key < $1.key }.map { topic, byPartition in
                let kept = byPartition.keys.filter(partitionIds.contains)
                let count = (kept.max() ?? -1) + 1
                return TopicOffsets(topic: topic, raw: (0..<count).map { byPartition[$0] ?? TopicOffsets.none })
            }
        }
    }

    public var polls: [Poll]

    public init(polls: [Poll] = []) {
        self.polls = polls
    }

    /// `later`'s polls after these, oldest dropped beyond `window`. A poll not later than the last
    /// one kept (a clock step back, the same poll twice) replaces what it is not later than.
    public func appending(_ later: LagHistory, window: Int) -> LagHistory {
        var polls = self.polls
        for poll in later.polls {
            polls.removeAll { $0.time >= poll.time }
            polls.append(poll)
        }
        return LagHistory(polls: Array(polls.suffix(max(1, window))))
    }
}

/// The history read for judging: per poll, lookups by topic, partition and group.
struct LagSeries {
    struct Sample: Equatable {
        var time: Double
        var committed: Int64
        var end: Int64
        var lag: Int64 { offsetLag(end: end, committed: committed) }
    }

    private let polls: [(time: Double, ends: [String: LagHistory.TopicOffsets], groups: [String: [String: LagHistory.TopicOffsets]])]

    init(_ history: LagHistory) {
        polls = history.polls.map { poll in
            (poll.time,
             Dictionary(poll.ends.map { ($0.topic, $0) }) { first, _ in first },
             Dictionary(poll.groups.map { group in
                 (group.group, Dictionary(group.committed.map { ($0.topic, $0) }) { first, _ in first })
             }) { first, _ in first })
        }
    }

    /// Polls in which the group was read.
    func polls(of group: String) -> Int {
        polls.filter { $0.groups[group] != nil }.count
    }

    /// The group's samples of one partition: polls where both its commit and the end were read.
    func samples(group: String, topic: String, partition: Int) -> [Sample] {
        polls.compactMap { poll in
            guard let committed = poll.groups[group]?[topic]?[partition],
                  let end = poll.ends[topic]?[partition] else { return nil }
            return Sample(time: poll.time, committed: committed, end: end)
        }
    }

    /// The group's total lag at every poll that read it, oldest first: the sum over the partitions
    /// whose commit and end that poll read (a poll that read none of them is left out).
    func lagTrend(group: String) -> [Int64] {
        lagSeries(group: group).map(\.lag)
    }

    /// ``lagTrend(group:)`` with each poll's time.
    func lagSeries(group: String) -> [(time: Double, lag: Int64)] {
        polls.compactMap { poll -> (time: Double, lag: Int64)? in
            guard let committed = poll.groups[group] else { return nil }
            var total: Int64 = 0
            var any = false
            for (topic, offsets) in committed {
                let ends = poll.ends[topic]
                for (partition, offset) in offsets.raw.enumerated() {
                    guard offset != LagHistory.TopicOffsets.none, let end = ends?[partition] else { continue }
                    total = total.saturatingPlus(offsetLag(end: end, committed: offset))
                    any = true
                }
            }
            return any ? (poll.time, total) : nil
        }
    }

    /// The end offsets of one partition at every poll that read it: (time, end).
    func ends(topic: String, partition: Int) -> [(time: Double, end: Int64)] {
        polls.compactMap { poll in
            guard let end = poll.ends[topic]?[partition] else { return nil }
            return (poll.time, end)
        }
    }
}

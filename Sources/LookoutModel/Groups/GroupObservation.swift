import Foundation

/// One partition of a topic a consumer group committed to, as read at one poll.
///
/// 40 bytes, not 56: the partition is kept as Kafka's Int32 and the offsets with `Int64.min` for
/// none (no offset is ever that), because at production scale one poll holds 200,000 of them and
/// the console and `serve` hold two polls at once while a new one is read.
public struct PartitionOffsets: Sendable, Equatable {
    public var topic: String
    private var partitionID: Int32
    private var rawCommitted: Int64
    private var rawEnd: Int64
    static let none = Int64.min

    public init(topic: String, partition: Int, committed: Int64?, end: Int64?) {
        self.topic = topic
        partitionID = Int32(clamping: partition)
        rawCommitted = committed ?? Self.none
        rawEnd = end ?? Self.none
    }

    public var partition: Int {
        get { Int(partitionID) }
        set { partitionID = Int32(clamping: newValue) }
    }

    /// Nil: the group has no commit for this partition.
    public var committed: Int64? {
        get { rawCommitted == Self.none ? nil : rawCommitted }
        set { rawCommitted = newValue ?? Self.none }
    }

    /// Nil: the end offset could not be read.
    public var end: Int64? {
        get { rawEnd == Self.none ? nil : rawEnd }
        set { rawEnd = newValue ?? Self.none }
    }

    /// End − committed, never below 0; nil without a commit or an end offset (never a made-up 0).
    public var lag: Int64? {
        guard let committed, let end else { return nil }
        return offsetLag(end: end, committed: committed)
    }
}

/// A consumer group as one poll read it.
///
/// Its rows (a partition each) are kept as read until the poll joins the window: then
/// ``GroupsObservation`` keeps only their keys, a topic and a count each, and the offsets stay in
/// the poll alone (at production scale 200,000 rows of 40 bytes, 8 MB a poll, which the console
/// and `serve` held twice while judging a new poll).
public struct GroupObservation: Sendable, Equatable {
    public var id: String
    /// From DescribeGroups (`Stable`, `Empty`, `Dead`, ...); nil when it could not be read.
    public var state: String?
    public var members: Int?
    /// What could not be read of this group, if anything.
    public var error: String?
    /// Every partition of every topic the group committed to, sorted by topic and partition, as
    /// read; empty once ``keys`` stand for them.
    private var rows: [PartitionOffsets]
    /// The rows as topics in order, each with its number of rows, when the poll at ``keyedAt``
    /// holds their offsets.
    private var keys: [Key] = []
    /// The partition ids of topics whose ids are not `0 ..< count`.
    private var irregularIDs: [Int32] = []
    private var keyedAt: Double?

    struct Key: Sendable, Equatable {
        var topic: String
        var count: Int32
        /// Where the topic's ids start in ``irregularIDs``; -1 for ids `0 ..< count`.
        var firstID: Int32
    }

    public init(id: String, state: String?, members: Int?, partitions: [PartitionOffsets], error: String? = nil) {
        self.id = id
        self.state = state
        self.members = members
        self.rows = partitions
        self.error = error
    }

    /// A group already keyed in the poll at `time`: its topics in order with their partition ids.
    init(id: String, state: String?, members: Int?, error: String?, keyed topics: [(topic: String, ids: [Int32])], at time: Double) {
        self.init(id: id, state: state, members: members, partitions: [], error: error)
        for (topic, ids) in topics {
            let regular = ids.indices.allSatisfy { ids[$0] == Int32($0) }
            keys.append(Key(topic: topic, count: Int32(ids.count), firstID: regular ? -1 : Int32(irregularIDs.count)))
            if !regular { irregularIDs += ids }
        }
        if !keys.isEmpty { keyedAt = time }
    }

    /// The rows as read (what the poll keeps of them when the group is keyed).
    var readRows: [PartitionOffsets] { rows }

    /// The number of rows.
    var rowCount: Int { keys.isEmpty ? rows.count : keys.reduce(0) { $0 + Int($1.count) } }

    /// Keeps only the rows' keys when `poll`, at the group's place `index`, holds every row's
    /// offsets exactly as read. A group it cannot stand for keeps its rows: a partition id the
    /// window does not keep, a partition listed twice or out of order, an end offset other than
    /// the poll's (one group's read of it where another's differed).
    mutating func key(in poll: PollIndex, at index: Int) {
        guard !rows.isEmpty, poll.holds(id, at: index) else { return }
        var keys: [Key] = []
        var irregular: [Int32] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let topic = rows[start].topic
            if let last = keys.last, last.topic >= topic { return }
            var end = start
            while end < rows.endIndex, rows[end].topic == topic { end += 1 }
            let run = poll.committedRun(groupAt: index, topic: topic), endRun = poll.endRun(topic)
            var regular = true
            for position in start..<end {
                let row = rows[position]
                guard LagHistory.Poll.partitionIds.contains(row.partition),
                      position == start || rows[position - 1].partition < row.partition,
                      poll.value(run, row.partition) == row.committed, poll.value(endRun, row.partition) == row.end else { return }
                if row.partition != position - start { regular = false }
            }
            keys.append(Key(topic: topic, count: Int32(end - start), firstID: regular ? -1 : Int32(irregular.count)))
            if !regular { irregular += rows[start..<end].map { Int32($0.partition) } }
            start = end
        }
        self.keys = keys
        irregularIDs = irregular
        keyedAt = poll.poll.time
        rows = []
    }

    /// The rows with their offsets: as read, or from `poll` (the one the group was keyed in, where
    /// it is at `index`). Keyed rows judged against another poll come without offsets (unknown,
    /// never another poll's numbers).
    func partitions(in poll: PollIndex?, at index: Int) -> [PartitionOffsets] {
        guard !keys.isEmpty else { return rows }
        let source = poll.flatMap { $0.poll.time == keyedAt && $0.holds(id, at: index) ? $0 : nil }
        var result: [PartitionOffsets] = []
        result.reserveCapacity(rowCount)
        for key in keys {
            let run = source?.committedRun(groupAt: index, topic: key.topic), endRun = source?.endRun(key.topic)
            for position in 0..<Int(key.count) {
                let partition = key.firstID < 0 ? position : Int(irregularIDs[Int(key.firstID) + position])
                result.append(PartitionOffsets(topic: key.topic, partition: partition,
                                               committed: source?.value(run, partition), end: source?.value(endRun, partition)))
            }
        }
        return result
    }
}

/// The consumer groups of one environment at one poll, with the earlier polls the window rules
/// and lag in seconds need.
public struct GroupsObservation: Sendable {
    public var readAt: Date
    public var groups: [GroupObservation]
    /// Polls kept: the config's `lag.window`.
    public var window: Int
    /// The polls judged over, oldest first, this one last. A fresh poll holds only itself; the
    /// console's memory or the one-shot commands' state file put the earlier ones in front.
    public var history: LagHistory

    /// A poll of `groups`; without `history`, the poll is made of them and keeps their offsets
    /// (the groups keep their rows' keys only).
    public init(readAt: Date, groups: [GroupObservation], window: Int, history: LagHistory? = nil) {
        self.readAt = readAt
        self.window = window
        if let history {
            self.groups = groups
            self.history = history
        } else {
            var groups = groups
            let poll = LagHistory.Poll(time: readAt, groups: groups)
            let index = PollIndex(poll)
            for position in groups.indices { groups[position].key(in: index, at: position) }
            self.groups = groups
            self.history = LagHistory(polls: [poll])
        }
    }

    /// A poll made as it is read, without rows in between: the end offsets first, then group by
    /// group its topics (`GroupsFetch`). At production scale the rows (200,000 of 40 bytes) were
    /// all made before the poll that then stood for them.
    public struct Reading {
        /// One topic of a group as read: its partition ids in order, and for each its commit and
        /// end offset (`LagHistory.TopicOffsets.none` for none).
        public struct Topic {
            public let topic: String
            public let ids: [Int32]
            public let committed: [Int64]
            public let ends: [Int64]

            /// `committed` and `ends` a value for each of `ids`.
            public init(topic: String, ids: [Int32], committed: [Int64], ends: [Int64]) {
                precondition(committed.count == ids.count && ends.count == ids.count, "a commit and an end offset for each partition id")
                self.topic = topic
                self.ids = ids
                self.committed = committed
                self.ends = ends
            }
        }

        private let readAt: Date
        /// The poll's time (``LagHistory/Poll/time(of:)``), which its keyed groups name.
        private let time: Double
        private var builder: LagHistory.Poll.Builder
        private var endRuns: [String: Int] = [:]
        private var endOffsets: [[Int64]] = []
        private var groups: [GroupObservation] = []
        private var committed: [Int64] = []

        /// `ends`: each topic's end offsets by partition id (ids the window keeps, none where not read).
        public init(readAt: Date, ends: [(topic: String, raw: [Int64])]) {
            self.readAt = readAt
            time = LagHistory.Poll.time(of: readAt)
            builder = LagHistory.Poll.Builder(time: time)
            for (topic, raw) in ends.sorted(by: { $0.topic < $1.topic }) where endRuns[topic] == nil {
                builder.addEnd(topic: topic, raw: raw)
                endRuns[topic] = endOffsets.count
                endOffsets.append(raw)
            }
        }

        /// The next group. It is kept as its topics' keys when the poll holds every partition as
        /// read: topics in order, each one's ids rising and within the window's, every end offset
        /// the poll's. Otherwise it keeps its rows, and the poll what it can of them.
        public mutating func add(id: String, state: String?, members: Int?, error: String?, topics: [Topic]) {
            builder.beginGroup(id)
            var keyable = true
            for (position, topic) in topics.enumerated() {
                if position > 0, topics[position - 1].topic >= topic.topic { keyable = false }
                let ends = endRuns[topic.topic].map { endOffsets[$0] } ?? []
                committed.removeAll(keepingCapacity: true)
                for (index, partition) in topic.ids.enumerated() {
                    if index > 0, topic.ids[index - 1] >= partition { keyable = false }
                    guard LagHistory.Poll.partitionIds.contains(Int(partition)) else { keyable = false; continue }
                    let end = Int(partition) < ends.count ? ends[Int(partition)] : LagHistory.TopicOffsets.none
                    if end != topic.ends[index] { keyable = false }
                    let offset = topic.committed[index]
                    guard offset != LagHistory.TopicOffsets.none else { continue }
                    LagHistory.Poll.set(&committed, Int(partition), offset)
                }
                if !committed.isEmpty { builder.addCommitted(topic: topic.topic, raw: committed) }
            }
            if keyable {
                groups.append(GroupObservation(id: id, state: state, members: members, error: error,
                                               keyed: topics.map { ($0.topic, $0.ids) }, at: time))
            } else {
                var rows: [PartitionOffsets] = []
                for topic in topics {
                    for (index, partition) in topic.ids.enumerated() {
                        let committed = topic.committed[index], end = topic.ends[index]
                        rows.append(PartitionOffsets(topic: topic.topic, partition: Int(partition),
                                                     committed: committed == LagHistory.TopicOffsets.none ? nil : committed,
                                                     end: end == LagHistory.TopicOffsets.none ? nil : end))
                    }
                }
                groups.append(GroupObservation(id: id, state: state, members: members, partitions: rows, error: error))
            }
        }

        /// The poll of the groups added, in their order.
        public mutating func finish(window: Int) -> GroupsObservation {
            GroupsObservation(readAt: readAt, groups: groups, window: window, history: LagHistory(polls: [builder.compactedPoll()]))
        }
    }

    /// This poll on top of the earlier ones, at most `window` kept.
    public func following(_ earlier: LagHistory) -> GroupsObservation {
        var result = self
        result.history = earlier.appending(history, window: window)
        return result
    }
}

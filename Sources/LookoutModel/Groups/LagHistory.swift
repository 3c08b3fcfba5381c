import Foundation

/// The offsets of the last polls, compact enough to keep ten of them at production scale: per
/// poll its time, the end offsets of the topics the groups committed to, and each group's
/// committed offsets.
///
/// A poll keeps its offsets in one flat array and its topics and groups as runs over it: at
/// 10,000 partitions and 1,000 groups a poll holds about 210,000 offsets, which as one array per
/// topic and group were 10,500 arrays a poll (their headers and the allocator's share alone about
/// 5 MB over a window of ten) and, freed a poll later, scattered the heap of the console and
/// `serve`. A run keeps its offsets as 32-bit distances from its smallest one when they fit (the
/// partitions of one topic move together), 64-bit otherwise: 4 bytes an offset, not 8.
public struct LagHistory: Sendable, Equatable {
    /// A topic's offsets, indexed by partition; nil where none was read. What a poll hands out
    /// and is built from one topic at a time; a poll does not keep these.
    public struct TopicOffsets: Sendable, Equatable {
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
    }

    public struct GroupCommits: Sendable, Equatable {
        public var group: String
        public var committed: [TopicOffsets]

        public init(group: String, committed: [TopicOffsets]) {
            self.group = group
            self.committed = committed
        }
    }

    public struct Poll: Sendable, Equatable {
        /// A topic's offsets: partition `p` at `start + p`, for `p < count`, in ``narrow`` as
        /// `base` + the value (``narrowNone`` for none), or in ``wide`` as they are when `base` is
        /// ``wideBase``.
        struct Run: Sendable, Equatable {
            var topic: String
            var start: Int32
            var count: Int32
            var base: Int64
        }

        public static let narrowNone = UInt32.max
        /// A run whose offsets spread too far for 32 bits (or a hostile broker's): ``wide``.
        static let wideBase = Int64.min

        /// A group's topics in ``runs``: `first ..< first + count`.
        struct GroupRun: Sendable, Equatable {
            var group: String
            var first: Int32
            var count: Int32
        }

        /// Seconds since 1970, to the millisecond (whole-second dates would blur lag in seconds).
        public var time: Double
        /// The offsets of the runs that fit in 32 bits.
        private(set) var narrow: [UInt32] = []
        /// The offsets of the runs that do not, `TopicOffsets.none` where none was read.
        private(set) var wide: [Int64] = []
        /// The end offsets' topics first (``endTopicCount`` of them), then each group's.
        private(set) var runs: [Run] = []
        /// The number of topics with end offsets.
        public private(set) var endTopicCount = 0
        private(set) var groupRuns: [GroupRun] = []

        /// An empty poll at `time`; ``Builder`` fills one.
        init(time: Double) {
            self.time = time
        }

        public init(time: Double, ends: [TopicOffsets], groups: [GroupCommits]) {
            var builder = Builder(time: time)
            for topic in ends { builder.addEnd(topic: topic.topic, raw: topic.raw) }
            for group in groups {
                builder.beginGroup(group.group)
                for topic in group.committed { builder.addCommitted(topic: topic.topic, raw: topic.raw) }
            }
            self = builder.build()
        }

        /// The poll of these groups at `time`.
        public init(time: Date, groups: [GroupObservation]) {
            var builder = Builder(time: Self.time(of: time))
            // The end offsets first: any group's read of a partition (the last one wins).
            var ends: [String: [Int64]] = [:]
            var offsets = 0
            for group in groups {
                offsets += group.readRows.count
                for partition in group.readRows where Self.partitionIds.contains(partition.partition) {
                    if let end = partition.end { Self.set(&ends[partition.topic, default: []], partition.partition, end) }
                }
            }
            builder.reserve(offsets: offsets + ends.values.reduce(0) { $0 + $1.count }, topics: ends.count, groups: groups.count)
            for (topic, raw) in ends.sorted(by: { $0.key < $1.key }) { builder.addEnd(topic: topic, raw: raw) }
            ends = [:]
            // Then each group's commits, a run per topic in the topics' order.
            var committed: [Int64] = []
            for group in groups {
                builder.beginGroup(group.id)
                let sorted = zip(group.readRows, group.readRows.dropFirst()).allSatisfy { $0.topic <= $1.topic }
                let partitions = sorted ? group.readRows : group.readRows.sorted { $0.topic < $1.topic }
                var index = partitions.startIndex
                while index < partitions.endIndex {
                    let topic = partitions[index].topic
                    committed.removeAll(keepingCapacity: true)
                    while index < partitions.endIndex, partitions[index].topic == topic {
                        let partition = partitions[index]
                        index += 1
                        guard Self.partitionIds.contains(partition.partition), let offset = partition.committed else { continue }
                        Self.set(&committed, partition.partition, offset)
                    }
                    if !committed.isEmpty { builder.addCommitted(topic: topic, raw: committed) }
                }
            }
            self = builder.build()
        }

        /// `value` at `partition` of a run indexed by partition id, the run grown with none to it
        /// (a partition id the window keeps: ``partitionIds``).
        public static func set(_ raw: inout [Int64], _ partition: Int, _ value: Int64) {
            precondition(partitionIds.contains(partition), "a partition id the window keeps")
            if raw.count <= partition { raw.append(contentsOf: repeatElement(TopicOffsets.none, count: partition + 1 - raw.count)) }
            raw[partition] = value
        }

        /// A poll's time: seconds since 1970 to the millisecond (whole-second dates would blur lag
        /// in seconds).
        public static func time(of date: Date) -> Double {
            (date.timeIntervalSince1970 * 1000).rounded() / 1000
        }

        /// Partition ids the window keeps: it is indexed by partition, so an id from a broker
        /// must not size it. Kafka topics hold thousands of partitions, not millions; a
        /// partition outside this range is shown without lag history.
        public static let partitionIds = 0..<100_000

        /// Fills a poll: the end offsets' topics first, then group by group its committed topics.
        public struct Builder: Sendable {
            private var poll: Poll
            /// The offsets of the run begun last, kept until the next begins.
            private var pending: [Int64] = []

            public init(time: Double) {
                poll = Poll(time: time)
            }

            /// Room for `offsets` offsets, `topics` topics and `groups` groups.
            public mutating func reserve(offsets: Int, topics: Int, groups: Int) {
                poll.narrow.reserveCapacity(offsets)
                poll.runs.reserveCapacity(topics)
                poll.groupRuns.reserveCapacity(groups)
            }

            /// A topic's end offsets; only before the first group.
            public mutating func addEnd(topic: String, raw: [Int64]) {
                beginEnd(topic: topic)
                append(contentsOf: raw)
            }

            public mutating func beginGroup(_ group: String) {
                store()
                poll.groupRuns.append(GroupRun(group: group, first: Int32(poll.runs.count), count: 0))
            }

            /// A topic's committed offsets, of the group begun last.
            public mutating func addCommitted(topic: String, raw: [Int64]) {
                beginCommitted(topic: topic)
                append(contentsOf: raw)
            }

            /// A topic's offsets as they come: `begin`, then `append` (the state file's reader,
            /// which checks them before they are kept).
            public mutating func beginEnd(topic: String) {
                precondition(poll.groupRuns.isEmpty, "the end offsets come before the groups")
                store()
                poll.runs.append(Run(topic: topic, start: 0, count: 0, base: 0))
                poll.endTopicCount += 1
            }

            public mutating func beginCommitted(topic: String) {
                precondition(!poll.groupRuns.isEmpty, "a group begins first")
                store()
                poll.runs.append(Run(topic: topic, start: 0, count: 0, base: 0))
                poll.groupRuns[poll.groupRuns.count - 1].count += 1
            }

            /// Offsets of the run begun last (an array: a copy, not an element at a time through
            /// generic code, for the state file's reader in another module).
            public mutating func append(contentsOf offsets: [Int64]) {
                precondition(!poll.runs.isEmpty, "a run begins first")
                pending.append(contentsOf: offsets)
            }

            /// The run begun last as the poll keeps it, its `count` values written by `fill` in
            /// place (the state file's reader decodes them straight into the poll); `base` + each
            /// value, ``Poll/narrowNone`` for none. `fill` checks that no value overflows from
            /// `base`, and returns false when the values cannot be kept: the run is left empty.
            /// (Not generic over an error: across modules that was a call through witness tables
            /// a run, slower than the copy it saves.)
            @discardableResult
            public mutating func addNarrow(base: Int64, count: Int, _ fill: (UnsafeMutableBufferPointer<UInt32>) -> Bool) -> Bool {
                precondition(!poll.runs.isEmpty && pending.isEmpty && base != wideBase, "a run begins first")
                let last = poll.runs.count - 1
                precondition(poll.runs[last].count == 0 && count >= 0 && poll.narrow.count + count <= Int(Int32.max), "more offsets than a poll holds")
                let start = poll.narrow.count
                poll.narrow.append(contentsOf: repeatElement(0, count: count))
                guard poll.narrow.withUnsafeMutableBufferPointer({ fill(UnsafeMutableBufferPointer(rebasing: $0[start...])) }) else {
                    poll.narrow.removeLast(count)
                    return false
                }
                poll.runs[last].start = Int32(start)
                poll.runs[last].count = Int32(count)
                poll.runs[last].base = base
                return true
            }

            /// The poll.
            public mutating func build() -> Poll {
                store()
                return poll
            }

            /// The poll, its offsets and runs copied into arrays of their own size where the ones
            /// they grew in hold more than an eighth spare (a reader that reserved for the most,
            /// or grew them by doubling).
            public mutating func compactedPoll() -> Poll {
                var compact = build()
                func fit<T>(_ array: inout [T]) {
                    if array.capacity - array.count > array.count / 8 { array = array.withUnsafeBufferPointer { Array($0) } }
                }
                fit(&compact.narrow)
                fit(&compact.wide)
                fit(&compact.runs)
                fit(&compact.groupRuns)
                return compact
            }

            /// Stores the pending run: 32-bit distances from its smallest offset when its offsets
            /// spread less than that, as they are otherwise.
            private mutating func store() {
                guard let last = poll.runs.indices.last, !pending.isEmpty else { return }
                var low = Int64.max, high = Int64.min
                for offset in pending where offset != TopicOffsets.none {
                    low = min(low, offset)
                    high = max(high, offset)
                }
                if low > high { low = 0; high = 0 }
                let spread = high.subtractingReportingOverflow(low)
                if !spread.overflow, spread.partialValue < Int64(narrowNone), poll.narrow.count + pending.count <= Int(Int32.max) {
                    poll.runs[last].start = Int32(poll.narrow.count)
                    poll.runs[last].base = low
                    poll.narrow.append(contentsOf: pending.lazy.map { $0 == TopicOffsets.none ? narrowNone : UInt32(truncatingIfNeeded: $0 &- low) })
                } else {
                    precondition(poll.wide.count + pending.count <= Int(Int32.max), "more offsets than a poll holds")
                    poll.runs[last].start = Int32(poll.wide.count)
                    poll.runs[last].base = wideBase
                    poll.wide.append(contentsOf: pending)
                }
                poll.runs[last].count = Int32(pending.count)
                pending.removeAll(keepingCapacity: true)
            }
        }

        // MARK: Reading

        /// The number of offsets the poll holds (read or not).
        public var offsetCount: Int { narrow.count + wide.count }

        /// The number of groups.
        public var groupCount: Int { groupRuns.count }

        /// Each topic's end offsets, in order, without copying them (``Offsets`` is valid only
        /// inside `body`).
        public func forEachEnd(_ body: (String, Offsets) throws -> Void) rethrows {
            try withOffsets { offsets in
                for run in runs[0..<endTopicCount] { try body(run.topic, offsets(run)) }
            }
        }

        /// Each group with the number of its topics, then each topic's committed offsets
        /// (``Offsets`` is valid only inside `committed`).
        public func forEachGroup(_ group: (String, Int) throws -> Void, committed: (String, Offsets) throws -> Void) rethrows {
            try withOffsets { offsets in
                for run in groupRuns {
                    try group(run.group, Int(run.count))
                    for topic in runs[Int(run.first)..<Int(run.first + run.count)] { try committed(topic.topic, offsets(topic)) }
                }
            }
        }

        /// `body` with a way to a run's offsets in place: at production scale the state file's
        /// writer reads 126,000 runs, and an ``Offsets`` holding the poll was four retains and
        /// four releases each.
        private func withOffsets<R>(_ body: ((Run) -> Offsets) throws -> R) rethrows -> R {
            try narrow.withUnsafeBufferPointer { narrow in
                try wide.withUnsafeBufferPointer { wide in
                    try body { run in
                        let range = Int(run.start)..<Int(run.start + run.count)
                        return run.base == Self.wideBase
                            ? Offsets(narrow: UnsafeBufferPointer(start: nil, count: 0), wide: UnsafeBufferPointer(rebasing: wide[range]), base: run.base)
                            : Offsets(narrow: UnsafeBufferPointer(rebasing: narrow[range]), wide: UnsafeBufferPointer(start: nil, count: 0), base: run.base)
                    }
                }
            }
        }

        /// Partition `partition`'s offset in `run`, `TopicOffsets.none` where none was read.
        func raw(_ run: Run, _ partition: Int) -> Int64 {
            let index = Int(run.start) + partition
            if run.base == Self.wideBase { return wide[index] }
            let value = narrow[index]
            return value == Self.narrowNone ? TopicOffsets.none : run.base &+ Int64(value)
        }

        /// One run's offsets, `TopicOffsets.none` where none was read, read in place: valid only
        /// inside the call that hands it out.
        public struct Offsets: RandomAccessCollection {
            let narrow: UnsafeBufferPointer<UInt32>
            let wide: UnsafeBufferPointer<Int64>
            /// ``Poll/wideBase`` for a run in ``wide``.
            let base: Int64
            public var startIndex: Int { 0 }
            public var endIndex: Int { base == Poll.wideBase ? wide.count : narrow.count }
            public subscript(position: Int) -> Int64 {
                if base == Poll.wideBase { return wide[position] }
                let value = narrow[position]
                return value == Poll.narrowNone ? TopicOffsets.none : base &+ Int64(value)
            }

            /// The run as the poll keeps it, read in place: `body` gets its base and its 32-bit
            /// values (``Poll/narrowNone`` for none); nil, `body` not called, for a run kept in 64
            /// bits. The state file's writer encodes a window's 2 million offsets from here.
            public func withNarrow<R>(_ body: (Int64, UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R? {
                guard base != Poll.wideBase else { return nil }
                return try body(base, narrow)
            }

            /// The offsets into `buffer` (emptied first), in one call: what a reader in another
            /// module iterates, an element a call otherwise.
            public func copy(into buffer: inout [Int64]) {
                buffer.removeAll(keepingCapacity: true)
                if base == Poll.wideBase {
                    buffer.append(contentsOf: wide)
                } else {
                    let base = base
                    buffer.append(contentsOf: narrow.lazy.map { $0 == Poll.narrowNone ? TopicOffsets.none : base &+ Int64($0) })
                }
            }
        }

        /// The end offsets, one value per topic (allocates: for tests and small polls).
        public var ends: [TopicOffsets] {
            var result: [TopicOffsets] = []
            forEachEnd { topic, offsets in result.append(TopicOffsets(topic: topic, raw: Array(offsets))) }
            return result
        }

        /// The groups' committed offsets (allocates: for tests and small polls).
        public var groups: [GroupCommits] {
            var result: [GroupCommits] = []
            forEachGroup({ group, _ in result.append(GroupCommits(group: group, committed: [])) },
                         committed: { topic, offsets in result[result.count - 1].committed.append(TopicOffsets(topic: topic, raw: Array(offsets))) })
            return result
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

    private let polls: [PollIndex]

    /// The last poll, the one judged.
    var latest: PollIndex? { polls.last }

    init(_ history: LagHistory) {
        polls = history.polls.map(PollIndex.init)
    }

    /// Polls in which the group was read.
    func polls(of group: String) -> Int {
        polls.filter { $0.groups[group] != nil }.count
    }

    /// Where one topic of one group is in each poll: the run of its commits (-1 where the poll did
    /// not read the group or the group had no commits there) and of its end offsets (-1 where the
    /// poll read none), each an index into the poll's runs. Found once a topic, then read partition
    /// by partition: at production scale a poll is judged over 200,000 partitions and a window of
    /// 12 polls, and finding the runs anew for each was 5 million hash lookups a poll.
    struct Located {
        fileprivate var places: [(committed: Int, end: Int)]
    }

    func locate(group: String, topic: String) -> Located {
        Located(places: polls.map { poll in
            let committed = poll.groups[group].flatMap { poll.committedRuns(groupAt: $0).firstIndex { $0.topic == topic } }
            return (committed ?? -1, poll.ends[topic] ?? -1)
        })
    }

    /// The group's samples of one partition: polls where both its commit and the end were read.
    func samples(_ located: Located, partition: Int) -> [Sample] {
        var result: [Sample] = []
        result.reserveCapacity(polls.count)
        for (poll, place) in zip(polls, located.places) where place.committed >= 0 && place.end >= 0 {
            guard let committed = poll.value(runAt: place.committed, partition),
                  let end = poll.value(runAt: place.end, partition) else { continue }
            result.append(Sample(time: poll.poll.time, committed: committed, end: end))
        }
        return result
    }

    /// The end offsets of one partition at every poll that read it: (time, end).
    func ends(_ located: Located, partition: Int) -> [(time: Double, end: Int64)] {
        var result: [(time: Double, end: Int64)] = []
        result.reserveCapacity(polls.count)
        for (poll, place) in zip(polls, located.places) where place.end >= 0 {
            guard let end = poll.value(runAt: place.end, partition) else { continue }
            result.append((poll.poll.time, end))
        }
        return result
    }

    /// The group's total lag with its time at every poll that read it, oldest first: the sum over
    /// the partitions whose commit and end that poll read (a poll that read none of them is left out).
    func lagSeries(group: String) -> [(time: Double, lag: Int64)] {
        polls.compactMap { poll -> (time: Double, lag: Int64)? in
            guard let runs = poll.committedRuns(group) else { return nil }
            var total: Int64 = 0
            var any = false
            var seen: Set<String> = []
            for run in runs where seen.insert(run.topic).inserted {
                let ends = poll.endRun(run.topic)
                for partition in 0..<Int(run.count) {
                    guard let offset = poll.value(run, partition), let end = poll.value(ends, partition) else { continue }
                    total = total.saturatingPlus(offsetLag(end: end, committed: offset))
                    any = true
                }
            }
            return any ? (poll.poll.time, total) : nil
        }
    }
}

/// A poll with lookups: where each topic's end offsets and each group's topics are (the first of
/// a name listed twice wins). A class: the judge passes polls around for every partition, and a
/// struct of three arrays and two dictionaries was five retains and releases a copy.
final class PollIndex: Sendable {
    let poll: LagHistory.Poll
    let ends: [String: Int]
    let groups: [String: Int]

    init(_ poll: LagHistory.Poll) {
        var ends: [String: Int] = [:]
        ends.reserveCapacity(poll.endTopicCount)
        for (index, run) in poll.runs[0..<poll.endTopicCount].enumerated() where ends[run.topic] == nil { ends[run.topic] = index }
        var groups: [String: Int] = [:]
        groups.reserveCapacity(poll.groupRuns.count)
        for (index, run) in poll.groupRuns.enumerated() where groups[run.group] == nil { groups[run.group] = index }
        self.poll = poll
        self.ends = ends
        self.groups = groups
    }

    /// The run of `topic`'s end offsets.
    func endRun(_ topic: String) -> LagHistory.Poll.Run? {
        ends[topic].map { poll.runs[$0] }
    }

    /// The runs of a group's topics, or nil when this poll did not read the group.
    func committedRuns(_ group: String) -> ArraySlice<LagHistory.Poll.Run>? {
        guard let index = groups[group] else { return nil }
        return committedRuns(groupAt: index)
    }

    /// The runs of the topics of the poll's `index`th group.
    func committedRuns(groupAt index: Int) -> ArraySlice<LagHistory.Poll.Run> {
        let run = poll.groupRuns[index]
        return poll.runs[Int(run.first)..<Int(run.first + run.count)]
    }

    /// Whether the poll's `index`th group is `group`.
    func holds(_ group: String, at index: Int) -> Bool {
        poll.groupRuns.indices.contains(index) && poll.groupRuns[index].group == group
    }

    /// The run of `topic`'s commits of the poll's `index`th group.
    func committedRun(groupAt index: Int, topic: String) -> LagHistory.Poll.Run? {
        guard poll.groupRuns.indices.contains(index) else { return nil }
        return committedRuns(groupAt: index).first { $0.topic == topic }
    }

    /// Partition `partition`'s offset in the poll's `index`th run.
    func value(runAt index: Int, _ partition: Int) -> Int64? {
        value(poll.runs[index], partition)
    }

    func value(_ run: LagHistory.Poll.Run?, _ partition: Int) -> Int64? {
        guard let run, partition >= 0, partition < Int(run.count) else { return nil }
        let value = poll.raw(run, partition)
        return value == LagHistory.TopicOffsets.none ? nil : value
    }
}

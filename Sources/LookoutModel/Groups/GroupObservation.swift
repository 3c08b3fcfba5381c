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
public struct GroupObservation: Sendable, Equatable {
    public var id: String
    /// From DescribeGroups (`Stable`, `Empty`, `Dead`, ...); nil when it could not be read.
    public var state: String?
    public var members: Int?
    /// Every partition of every topic the group committed to, sorted by topic and partition.
    public var partitions: [PartitionOffsets]
    /// What could not be read of this group, if anything.
    public var error: String?

    public init(id: String, state: String?, members: Int?, partitions: [PartitionOffsets], error: String? = nil) {
        self.id = id
        self.state = state
        self.members = members
        self.partitions = partitions
        self.error = error
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

    public init(readAt: Date, groups: [GroupObservation], window: Int, history: LagHistory? = nil) {
        self.readAt = readAt
        self.groups = groups
        self.window = window
        self.history = history ?? LagHistory(polls: [LagHistory.Poll(time: readAt, groups: groups)])
    }

    /// This poll on top of the earlier ones, at most `window` kept.
    public func following(_ earlier: LagHistory) -> GroupsObservation {
        var result = self
        result.history = earlier.appending(history, window: window)
        return result
    }
}

import Foundation

/// One partition of a topic a consumer group committed to, as read at one poll.
public struct PartitionOffsets: Sendable, Equatable {
    public var topic: String
    public var partition: Int
    /// Nil: the group has no commit for this partition.
    public var committed: Int64?
    /// Nil: the end offset could not be read.
    public var end: Int64?

    public init(topic: String, partition: Int, committed: Int64?, end: Int64?) {
        self.topic = topic
        self.partition = partition
        self.committed = committed
        self.end = end
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

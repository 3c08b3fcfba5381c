/// A topic and one of its partitions.
public struct KafkaTopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// A consumer group as ListGroups lists it.
public struct KafkaGroupListing: Hashable, Sendable {
    public var id: String
    public var protocolType: String
    /// From ListGroups version 4 on; nil before.
    public var state: String?
}

/// A consumer group as DescribeGroups describes it.
public struct KafkaGroupDescription: Hashable, Sendable {
    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var clientID: String
        public var clientHost: String
    }

    public var id: String
    /// `Stable`, `Empty`, `Dead`, `PreparingRebalance`, `CompletingRebalance`.
    public var state: String
    public var protocolType: String
    public var protocolName: String
    public var members: [Member]
}

import KafkaProtocol

/// What a Metadata answer says about a cluster, with the judgements lookout makes on it.
public struct KafkaClusterMetadata: Sendable, Equatable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int32
        public var rack: String?

        public init(id: Int32, host: String, port: Int32, rack: String? = nil) {
            self.id = id
            self.host = host
            self.port = port
            self.rack = rack
        }

        public var address: KafkaBrokerAddress { KafkaBrokerAddress(host: host, port: Int(port)) }
    }

    public struct Partition: Sendable, Hashable {
        public var id: Int32
        /// -1 when the partition has no leader.
        public var leader: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        public var offlineReplicas: [Int32]
        public var errorCode: Int16

        public init(id: Int32, leader: Int32, replicas: [Int32], isr: [Int32], offlineReplicas: [Int32] = [], errorCode: Int16 = 0) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
            self.isr = isr
            self.offlineReplicas = offlineReplicas
            self.errorCode = errorCode
        }

        /// Fewer replicas in sync than assigned.
        public var isUnderReplicated: Bool { isr.count < replicas.count }
    }

    public struct Topic: Sendable, Hashable {
        public var name: String
        public var isInternal: Bool
        public var errorCode: Int16
        public var partitions: [Partition]

        public init(name: String, isInternal: Bool = false, errorCode: Int16 = 0, partitions: [Partition]) {
            self.name = name
            self.isInternal = isInternal
            self.errorCode = errorCode
            self.partitions = partitions
        }

        public var underReplicatedPartitions: [Partition] { partitions.filter(\.isUnderReplicated) }
    }

    /// nil before Metadata version 2, or when the broker reports none.
    public var clusterID: String?
    /// nil when the broker reports no controller (-1) or the version has none (0).
    public var controllerID: Int32?
    public var brokers: [Broker]
    public var topics: [Topic]

    public init(clusterID: String?, controllerID: Int32?, brokers: [Broker], topics: [Topic]) {
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.brokers = brokers
        self.topics = topics
    }

    /// Reads a decoded Metadata answer of any version; brokers by id, topics by name.
    public init(_ response: MetadataResponse) {
        self.clusterID = response.clusterId
        self.controllerID = response.controllerId >= 0 ? response.controllerId : nil
        self.brokers = response.brokers
            .map { Broker(id: $0.nodeId, host: $0.host, port: $0.port, rack: $0.rack) }
            .sorted { $0.id < $1.id }
        self.topics = response.topics
            .map { topic in
                Topic(
                    name: topic.name ?? topic.topicId.description,
                    isInternal: topic.isInternal,
                    errorCode: topic.errorCode,
                    partitions: topic.partitions
                        .map {
                            Partition(
                                id: $0.partitionIndex, leader: $0.leaderId, replicas: $0.replicaNodes,
                                isr: $0.isrNodes, offlineReplicas: $0.offlineReplicas, errorCode: $0.errorCode
                            )
                        }
                        .sorted { $0.id < $1.id }
                )
            }
            .sorted { $0.name < $1.name }
    }

    // MARK: - Judgements

    /// The controller, when it is among the brokers listed.
    public var controller: Broker? {
        brokers.first { $0.id == controllerID }
    }

    /// Offline: no live leader, that is, leader -1 or a leader that is not among the brokers (their
    /// ids looked up in a set: a Metadata answer can list thousands of partitions).
    public func offlinePartitions(of topic: Topic) -> [Partition] {
        let live = Set(brokers.map(\.id))
        return topic.partitions.filter { $0.leader < 0 || !live.contains($0.leader) }
    }

    public var partitionCount: Int { topics.reduce(0) { $0 + $1.partitions.count } }
    public var underReplicatedCount: Int { topics.reduce(0) { $0 + $1.underReplicatedPartitions.count } }
    public var offlineCount: Int { topics.reduce(0) { $0 + offlinePartitions(of: $1).count } }
}

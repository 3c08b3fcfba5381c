import LookoutKafka

/// What lookout can see of the cluster at one moment: the gate's only input besides the
/// broker id, so every refusal is tested as pure logic.
public enum KafkaView: Sendable, Equatable {
    case metadata(KafkaClusterMetadata)
    /// Metadata did not answer (refused, timed out, garbled).
    case unreachable(String)
    /// lookout cannot talk to this cluster at all (the environment has no kafka section).
    case unsupported(String)
}

/// The Kafka gate around each broker's roll, as PRODUCT.md describes it.
public enum BrokerGate {
    public enum Verdict: Sendable, Equatable {
        /// Go on; notes are shown and audited (e.g. a check that cannot apply here).
        case pass(notes: [String])
        /// Not yet: ask again until the step's timeout.
        case wait(String)
        /// Never: stop now.
        case refuse(String)
    }

    /// Before a broker's roll: no under-replicated and no offline partition.
    public static func before(_ view: KafkaView) -> Verdict {
        switch view {
        case .unsupported(let why): return .refuse(why)
        case .unreachable(let why): return .refuse("Kafka does not answer Metadata: \(why)")
        case .metadata(let metadata):
            if let problem = partitionProblem(metadata) { return .refuse(problem) }
            return .pass(notes: ["\(metadata.partitionCount) partitions, none under-replicated or offline"])
        }
    }

    /// After a broker's roll: Metadata answers, nothing offline, under-replication back to 0, and
    /// the broker back in the metadata where it was there before the roll.
    public static func after(_ view: KafkaView, brokerID: Int?, wasPresentBefore: Bool) -> Verdict {
        switch view {
        case .unsupported(let why): return .refuse(why)
        case .unreachable(let why): return .wait("Kafka does not answer Metadata: \(why)")
        case .metadata(let metadata):
            if let problem = partitionProblem(metadata) { return .wait(problem) }
            var notes = ["\(metadata.partitionCount) partitions, none under-replicated or offline"]
            if let brokerID {
                let present = metadata.brokers.contains { Int($0.id) == brokerID }
                if wasPresentBefore, !present { return .wait("broker \(brokerID) is not back in the metadata") }
                if present {
                    notes.append("broker \(brokerID) is in the metadata")
                } else {
                    notes.append("broker \(brokerID) was not in the metadata before the roll either (brokers: \(brokerList(metadata))): its return cannot be checked")
                }
            }
            return .pass(notes: notes)
        }
    }

    /// Whether broker `id` is listed.
    public static func isPresent(_ view: KafkaView, brokerID: Int?) -> Bool {
        guard let brokerID, case .metadata(let metadata) = view else { return false }
        return metadata.brokers.contains { Int($0.id) == brokerID }
    }

    /// The roll order: as given, except that the controller's broker goes last.
    public static func order(_ services: [String], brokers: [String: Int], controllerID: Int?) -> [String] {
        guard let controllerID else { return services }
        let last = services.filter { brokers[$0] == controllerID }
        return services.filter { brokers[$0] != controllerID } + last
    }

    static func partitionProblem(_ metadata: KafkaClusterMetadata) -> String? {
        var offline: [String] = []
        var under: [String] = []
        for topic in metadata.topics {
            offline += metadata.offlinePartitions(of: topic).map { "\(topic.name)-\($0.id)" }
            under += topic.underReplicatedPartitions.map { "\(topic.name)-\($0.id)" }
        }
        if !offline.isEmpty { return "\(offline.count) offline partition(s): \(sample(offline))" }
        if !under.isEmpty { return "\(under.count) under-replicated partition(s): \(sample(under))" }
        return nil
    }

    static func sample(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
    }

    static func brokerList(_ metadata: KafkaClusterMetadata) -> String {
        metadata.brokers.map { String($0.id) }.sorted().joined(separator: ", ")
    }
}

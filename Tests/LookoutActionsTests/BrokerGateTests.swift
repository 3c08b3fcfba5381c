import LookoutActions
import LookoutKafka
import Testing

/// The gate's refusals as pure logic: the sandbox's single broker can never show them.
@Suite struct BrokerGateTests {
    static func metadata(brokers: [Int32] = [1, 2, 3], controller: Int32? = 2,
                         partitions: [KafkaClusterMetadata.Partition] = [.init(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3])]) -> KafkaView {
        .metadata(KafkaClusterMetadata(
            clusterID: "c", controllerID: controller,
            brokers: brokers.map { .init(id: $0, host: "b\($0)", port: 9092) },
            topics: [.init(name: "orders", partitions: partitions)]))
    }

    @Test func beforePassesAHealthyCluster() {
        #expect(BrokerGate.before(Self.metadata()) == .pass(notes: ["1 partitions, none under-replicated or offline"]))
    }

    @Test func beforeRefusesUnderReplication() {
        let view = Self.metadata(partitions: [.init(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2]),
                                              .init(id: 1, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3])])
        #expect(BrokerGate.before(view) == .refuse("1 under-replicated partition(s): orders-0"))
    }

    @Test func beforeRefusesOfflinePartitions() {
        let view = Self.metadata(partitions: [.init(id: 3, leader: -1, replicas: [1, 2, 3], isr: [])])
        #expect(BrokerGate.before(view) == .refuse("1 offline partition(s): orders-3"))
    }

    @Test func beforeRefusesWhenKafkaCannotBeRead() {
        #expect(BrokerGate.before(.unreachable("connection refused")) == .refuse("Kafka does not answer Metadata: connection refused"))
        #expect(BrokerGate.before(.unsupported("no kafka section")) == .refuse("no kafka section"))
    }

    @Test func afterWaitsForUnderReplicationToReturnToZero() {
        let view = Self.metadata(partitions: [.init(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 3])])
        #expect(BrokerGate.after(view, brokerID: 2, wasPresentBefore: true) == .wait("1 under-replicated partition(s): orders-0"))
    }

    @Test func afterWaitsForMetadataToAnswer() {
        #expect(BrokerGate.after(.unreachable("timed out"), brokerID: 2, wasPresentBefore: true) == .wait("Kafka does not answer Metadata: timed out"))
    }

    @Test func afterWaitsForTheBrokerToComeBack() {
        let view = Self.metadata(brokers: [1, 3])
        #expect(BrokerGate.after(view, brokerID: 2, wasPresentBefore: true) == .wait("broker 2 is not back in the metadata"))
        #expect(BrokerGate.after(Self.metadata(), brokerID: 2, wasPresentBefore: true)
            == .pass(notes: ["1 partitions, none under-replicated or offline", "broker 2 is in the metadata"]))
    }

    @Test func aBrokerIdNeverSeenIsSaidNotPretended() {
        let view = Self.metadata(brokers: [111], controller: 111, partitions: [.init(id: 0, leader: 111, replicas: [111], isr: [111])])
        guard case .pass(let notes) = BrokerGate.after(view, brokerID: 1, wasPresentBefore: false) else { Issue.record("no pass"); return }
        #expect(notes.last == "broker 1 was not in the metadata before the roll either (brokers: 111): its return cannot be checked")
    }

    @Test func theControllersBrokerGoesLast() {
        let brokers = ["kafka-broker-1": 1, "kafka-broker-2": 2, "kafka-broker-3": 3]
        let all = ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"]
        #expect(BrokerGate.order(all, brokers: brokers, controllerID: 1) == ["kafka-broker-2", "kafka-broker-3", "kafka-broker-1"])
        #expect(BrokerGate.order(all, brokers: brokers, controllerID: 3) == all)
        #expect(BrokerGate.order(all, brokers: brokers, controllerID: 111) == all)
        #expect(BrokerGate.order(all, brokers: brokers, controllerID: nil) == all)
        #expect(BrokerGate.order(["kafka-broker-2", "other"], brokers: brokers, controllerID: 2) == ["other", "kafka-broker-2"])
    }
}

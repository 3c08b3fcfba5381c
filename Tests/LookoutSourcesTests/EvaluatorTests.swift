import Foundation
import LookoutConfig
import Testing
@testable import LookoutModel
@testable import LookoutSources

private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let config: EnvironmentConfig = {
    let yaml = """
        environments:
          - name: prod
            protected: true
            aws: { region: eu-west-1 }
            ecs: { cluster: kafka-prod, services: [b1, b2] }
            autoscaling: { groups: [asg] }
            certificates:
              warn_days: 30
              crit_days: 7
              tracked:
                - { name: broker, common_name: b, cert_ssm: /c, key_ssm: /k, restart: [b1, b2] }
            secrets:
              - { name: admin, ssm: /a, restart: [b1, b2] }
              - { name: unused, ssm: /u }
        """
    return try! Config.decode(yaml: yaml, file: "/t.yaml", home: "/h", stateHome: "/s").environments[0]
}()

private func service(_ name: String, desired: Int = 1, running: Int = 1, rollout: String? = "COMPLETED", created: Date? = now.addingTimeInterval(-7200)) -> ServiceObservation {
    ServiceObservation(name: name, desired: desired, running: running, pending: 0,
                       deployment: DeploymentObservation(id: "ecs-svc/\(name)", rolloutState: rollout, createdAt: created))
}

private func task(_ service: String, started: Date?, status: String = "RUNNING", health: String? = nil) -> TaskObservation {
    TaskObservation(arn: "arn:task/\(service)/\(UUID())", service: service, lastStatus: status, health: health, startedAt: started, startedBy: "ecs-svc/\(service)")
}

private func ok<V>(_ name: String, _ value: V) -> SourceOutcome<V> {
    SourceOutcome(name: name, value: value, fetchedAt: now.addingTimeInterval(-3), durationMs: 12)
}

private func ecs(_ services: [ServiceObservation], _ tasks: [TaskObservation]) -> SourceOutcome<ECSObservation> {
    ok("ecs", ECSObservation(cluster: "kafka-prod", services: services, tasks: tasks))
}

@Suite struct ECSRulesTests {
    struct Case: Sendable {
        let desired: Int, running: Int, rollout: String?, health: String?
        let expected: Status
    }

    @Test(arguments: [
        Case(desired: 1, running: 1, rollout: "COMPLETED", health: nil, expected: .ok),
        Case(desired: 3, running: 2, rollout: "COMPLETED", health: nil, expected: .warn),
        Case(desired: 1, running: 0, rollout: "COMPLETED", health: nil, expected: .crit),
        Case(desired: 0, running: 0, rollout: "COMPLETED", health: nil, expected: .ok),
        Case(desired: 1, running: 1, rollout: "FAILED", health: nil, expected: .crit),
        Case(desired: 1, running: 1, rollout: nil, health: "UNHEALTHY", expected: .warn),
        Case(desired: 1, running: 1, rollout: nil, health: "HEALTHY", expected: .ok),
    ])
    func serviceStatus(_ c: Case) {
        let observations = EnvironmentObservations(ecs([service("b1", desired: c.desired, running: c.running, rollout: c.rollout)],
                                                            [task("b1", started: nil, health: c.health)]))
        let snapshot = Evaluator.evaluate(observations, config: config, now: now)
        #expect(snapshot.ecs?.serviceStatus["b1"] == c.expected)
        #expect(snapshot.status == c.expected)
        #expect(snapshot.sources.first?.ageSeconds == 3)
    }
}

@Suite struct AutoScalingRulesTests {
    private func group(desired: Int, _ healths: [(String, String)]) -> SourceOutcome<AutoScalingObservation> {
        ok("autoscaling", AutoScalingObservation(groups: [AutoScalingGroupObservation(
            name: "asg", min: 0, max: 6, desired: desired,
            instances: healths.enumerated().map { InstanceObservation(id: "i-\($0)", lifecycleState: $1.0, health: $1.1) })]))
    }

    @Test func allInServiceIsOK() {
        let s = Evaluator.evaluate(EnvironmentObservations(group(desired: 3, Array(repeating: ("InService", "Healthy"), count: 3))), config: config, now: now)
        #expect(s.status == .ok && s.findings.isEmpty)
    }

    @Test func anUnhealthyInstanceWarns() {
        let s = Evaluator.evaluate(EnvironmentObservations(group(desired: 3, [("InService", "Healthy"), ("InService", "Unhealthy"), ("InService", "Healthy")])), config: config, now: now)
        #expect(s.status == .warn)
        #expect(s.findings.first?.message.contains("i-1 is Unhealthy") == true)
    }

    @Test func fewerInServiceWarnsAndNoneIsCritical() {
        #expect(Evaluator.evaluate(EnvironmentObservations(group(desired: 3, [("InService", "Healthy"), ("Pending", "Healthy")])), config: config, now: now).status == .warn)
        #expect(Evaluator.evaluate(EnvironmentObservations(group(desired: 2, [])), config: config, now: now).status == .crit)
    }
}

@Suite struct RollPendingTests {
    private let tasksStarted = now.addingTimeInterval(-3600)

    private func secrets(changed: Date) -> SourceOutcome<[SecretObservation]> {
        ok("secrets", [SecretObservation(name: "admin", ssm: "/a", version: 4, lastModified: changed),
                       SecretObservation(name: "unused", ssm: "/u", version: 1, lastModified: changed)])
    }

    @Test func changedAfterTheOldestTaskStartedIsPending() {
        let observations = EnvironmentObservations(
            ecs([service("b1"), service("b2")], [task("b1", started: tasksStarted), task("b2", started: tasksStarted.addingTimeInterval(600))]),
            secrets(changed: tasksStarted.addingTimeInterval(300)))
        let s = Evaluator.evaluate(observations, config: config, now: now)
        #expect(s.secrets?.first?.rollPending == true)
        #expect(s.secrets?.first?.status == .warn)
        #expect(s.secrets?.last?.rollPending == nil, "a secret with no restart services cannot be pending")
        #expect(s.status == .warn)
    }

    @Test func changedBeforeEveryTaskStartedIsNotPending() {
        let observations = EnvironmentObservations(
            ecs([service("b1"), service("b2")], [task("b1", started: tasksStarted), task("b2", started: tasksStarted)]),
            secrets(changed: tasksStarted.addingTimeInterval(-60)))
        let s = Evaluator.evaluate(observations, config: config, now: now)
        #expect(s.secrets?.first?.rollPending == false)
        #expect(s.secrets?.first?.ageDays == 0)
        #expect(s.status == .ok)
    }

    @Test func withoutStartTimesTheDeploymentCreationCounts() {
        let deployed = now.addingTimeInterval(-100)
        let observations = EnvironmentObservations(
            ecs([service("b1", created: deployed), service("b2", created: deployed)], [task("b1", started: nil), task("b2", started: nil)]),
            secrets(changed: now.addingTimeInterval(-200)))
        #expect(Evaluator.evaluate(observations, config: config, now: now).secrets?.first?.rollPending == false)
        let later = EnvironmentObservations(
            ecs([service("b1", created: deployed), service("b2", created: deployed)], [task("b1", started: nil), task("b2", started: nil)]),
            secrets(changed: now.addingTimeInterval(-50)))
        #expect(Evaluator.evaluate(later, config: config, now: now).secrets?.first?.rollPending == true)
    }

    @Test func unknownWhenECSIsUnknown() {
        let observations = EnvironmentObservations(
            SourceOutcome<ECSObservation>.failed("ecs", error: "prod ecs: connection refused", at: now, durationMs: 1),
            secrets(changed: now))
        let s = Evaluator.evaluate(observations, config: config, now: now)
        #expect(s.secrets?.first?.rollPending == nil)
        #expect(s.status == .unknown)
        #expect(s.sources.first { $0.name == "ecs" }?.status == .unknown)
        #expect(s.sources.first { $0.name == "secrets" }?.status == .ok)
    }
}

@Suite struct CertificateRulesTests {
    private func certificate(daysLeft: Double, chains: Bool? = true, caStatus: String? = nil, source: CertificateSource = .tracked) -> SourceOutcome<[CertificateObservation]> {
        ok("certificates", [CertificateObservation(name: "broker", source: source, subject: "CN=b", serial: "01",
                                                   notBefore: nil, notAfter: now.addingTimeInterval(daysLeft * 86_400 + 60),
                                                   chainsToCA: chains, caStatus: caStatus, location: "/c")])
    }

    @Test(arguments: [(60.0, Status.ok), (30.0, .warn), (8.0, .warn), (7.0, .crit), (0.0, .crit), (-1.0, .crit)])
    func expiryAgainstThresholds(days: Double, expected: Status) {
        let s = Evaluator.evaluate(EnvironmentObservations(certificate(daysLeft: days)), config: config, now: now)
        #expect(s.certificates?.first?.status == expected)
    }

    @Test func aChainThatDoesNotLeadToTheCAIsCritical() {
        let s = Evaluator.evaluate(EnvironmentObservations(certificate(daysLeft: 300, chains: false)), config: config, now: now)
        #expect(s.status == .crit)
        #expect(s.findings.first?.message.contains("chain") == true)
    }

    @Test func aCANotActiveIsCritical() {
        let s = Evaluator.evaluate(EnvironmentObservations(certificate(daysLeft: 300, chains: nil, caStatus: "DISABLED", source: .ca)), config: config, now: now)
        #expect(s.status == .crit)
    }
}

@Suite struct SourceFailureTests {
    @Test func aFailedSourceKeepsItsLastGoodDataAndSaysHowOld() {
        let good = SourceOutcome(name: "autoscaling", value: AutoScalingObservation(groups: []), fetchedAt: now.addingTimeInterval(-40), durationMs: 5)
        let failed = good.updated(with: .failed("autoscaling", error: "prod autoscaling: throttled", at: now.addingTimeInterval(-10), durationMs: 900))
        let again = failed.updated(with: .failed("autoscaling", error: "prod autoscaling: throttled", at: now, durationMs: 800))
        #expect(again.errorSince == now.addingTimeInterval(-10))
        #expect(again.value != nil)
        let s = Evaluator.evaluate(EnvironmentObservations(again), config: config, now: now)
        #expect(s.status == .unknown)
        #expect(s.sources.first?.ageSeconds == 40)
        #expect(s.sources.first?.durationMs == 800)
        #expect(s.findings.first?.message == "prod autoscaling: throttled; showing data from 40s ago")
    }

    @Test func worstOfOrdersUnknownBetweenWarnAndCrit() {
        #expect(Status.worst([.ok, .warn, .unknown]) == .unknown)
        #expect(Status.worst([.unknown, .crit]) == .crit)
        #expect(Status.worst([Status]()) == .ok)
    }
}

@Suite struct KafkaRulesTests {
    private func partition(_ id: Int, leader: Int? = 1, replicas: [Int] = [1, 2, 3], isr: [Int] = [1, 2, 3], offline: Bool = false) -> KafkaObservation.Partition {
        KafkaObservation.Partition(id: id, leader: leader, replicas: replicas, isr: isr, underReplicated: isr.count < replicas.count, offline: offline)
    }

    private func cluster(controller: Int? = 2, brokers: [Int] = [1, 2, 3], topics: [KafkaObservation.Topic]? = nil) -> SourceOutcome<KafkaObservation> {
        let healthy = [KafkaObservation.Topic(name: "orders", partitionList: [partition(0), partition(1)])]
        return ok("kafka", KafkaObservation(clusterId: "c1", controller: controller,
                                            brokers: brokers.map { .init(id: $0, host: "b\($0)", port: 9092) }, topics: topics ?? healthy))
    }

    private func judge(_ kafka: SourceOutcome<KafkaObservation>) -> EnvironmentSnapshot {
        Evaluator.evaluate(EnvironmentObservations(kafka), config: config, now: now)
    }

    @Test func aHealthyClusterIsOK() {
        let s = judge(cluster())
        #expect(s.status == .ok)
        #expect(s.findings.isEmpty)
        #expect(s.sources.map(\.name) == ["kafka"])
        #expect(s.sources.first?.status == .ok)
        #expect(s.kafka?.topics.first?.partitions == 2)
    }

    @Test func noControllerIsCritical() {
        let s = judge(cluster(controller: nil))
        #expect(s.status == .crit)
        #expect(s.sources.first?.status == .crit)
        #expect(s.findings.map(\.object) == ["controller"])
        #expect(s.findings.first?.message == "the cluster reports no controller")
    }

    @Test func aControllerThatIsNotAmongTheBrokersIsCritical() {
        let s = judge(cluster(controller: 7))
        #expect(s.status == .crit)
        #expect(s.findings.count == 1)
        #expect(s.findings.first?.message == "controller 7 is not among the live brokers")
    }

    @Test func offlinePartitionsAreCritical() {
        let topic = KafkaObservation.Topic(name: "orders", partitionList: [partition(0), partition(1, leader: nil, isr: [], offline: true), partition(2, leader: 9, offline: true)])
        let s = judge(cluster(topics: [topic]))
        #expect(topic.offline == 2)
        #expect(s.status == .crit)
        let offline = s.findings.first { $0.status == .crit }
        #expect(offline?.object == "orders")
        #expect(offline?.message == "2 of 3 partitions offline (no live leader)")
    }

    @Test func underReplicatedPartitionsWarn() {
        let topic = KafkaObservation.Topic(name: "payments", partitionList: [partition(0, isr: [1, 2]), partition(1), partition(2, isr: [1])])
        let s = judge(cluster(topics: [topic]))
        #expect(topic.underReplicated == 2)
        #expect(s.status == .warn)
        #expect(s.findings.count == 1)
        #expect(s.findings.first?.object == "payments")
        #expect(s.findings.first?.message == "2 of 3 partitions under-replicated")
    }

    @Test func offlineAndUnderReplicatedTogetherAreCriticalWithBothFindings() {
        let topic = KafkaObservation.Topic(name: "orders", partitionList: [partition(0, leader: nil, isr: [2], offline: true)])
        let s = judge(cluster(topics: [topic]))
        #expect(s.status == .crit)
        #expect(s.findings.map(\.status) == [.crit, .warn], "worst first")
    }

    @Test func partitionDetailsInTheJSONAndProblemPartitionsInTheTable() throws {
        let topic = KafkaObservation.Topic(name: "orders", partitionList: [partition(0), partition(1, leader: nil, isr: [], offline: true), partition(2, isr: [1, 3])])
        let snapshot = Snapshot(generatedAt: now, environments: [judge(cluster(topics: [topic]))])
        let json = snapshot.json.serialized()
        #expect(json.contains(#""topics":[{"name":"orders","partitions":3,"under_replicated":2,"offline":1,"partition_details":["#
            + #"{"partition":0,"leader":1,"replicas":[1,2,3],"isr":[1,2,3],"under_replicated":false,"offline":false},"#
            + #"{"partition":1,"leader":null,"replicas":[1,2,3],"isr":[],"under_replicated":true,"offline":true},"#
            + #"{"partition":2,"leader":1,"replicas":[1,2,3],"isr":[1,3],"under_replicated":true,"offline":false}]}]"#), "\(json)")
        let table = snapshot.table
        #expect(table.contains("    TOPIC   PARTITION  LEADER  REPLICAS  ISR  PROBLEM\n"), "\(table)")
        #expect(table.contains("    orders  1          none    1,2,3     -    offline, under-replicated\n"), "\(table)")
        #expect(table.contains("    orders  2          1       1,2,3     1,3  under-replicated\n"), "\(table)")
        #expect(!table.contains("    orders  0 "), "a healthy partition has no row")
        #expect(!Snapshot(generatedAt: now, environments: [judge(cluster())]).table.contains("PROBLEM"))
    }

    @Test func aFailedKafkaSourceIsUnknownWithItsError() {
        let error = "prod kafka: no broker answered: 127.0.0.1:9092: connection refused"
        let s = judge(.failed("kafka", error: error, at: now, durationMs: 3))
        #expect(s.status == .unknown)
        #expect(s.sources.first?.status == .unknown)
        #expect(s.sources.first?.error == error)
        #expect(s.findings.map(\.message) == [error])
        #expect(s.findings.first?.source == "kafka")
        #expect(s.kafka == nil)
    }

    @Test func aFailedPollAfterAGoodOneKeepsTheDataButIsUnknown() {
        let failed = cluster().updated(with: .failed("kafka", error: "prod kafka: no answer within 10s", at: now, durationMs: 10_000))
        let s = judge(failed)
        #expect(s.status == .unknown)
        #expect(s.kafka?.clusterId == "c1")
        #expect(s.findings.first?.message == "prod kafka: no answer within 10s; showing data from 3s ago")
    }
}

/// PRODUCT.md's `roll_pending` for a tracked certificate: what is served decides where every TLS
/// address (the Kafka bootstrap addresses when Kafka is TLS, every `tls: true` endpoint) was read
/// in this poll, naming an address still on another serial; elsewhere the time rule stands.
@Suite struct ServedRollPendingTests {
    static let config: EnvironmentConfig = {
        let yaml = """
            environments:
              - name: acc
                aws: { region: eu-west-1 }
                ecs: { cluster: kafka-acc, services: [b1] }
                kafka: { bootstrap: ["127.0.0.1:9093", "127.0.0.2:9093"], tls: { ca_pca: "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555" } }
                certificates:
                  tracked:
                    - { name: broker, common_name: kafka.acc.example, cert_ssm: /c, key_ssm: /k, restart: [b1] }
                endpoints:
                  - { name: public, address: "kafka.acc.example:9094", tls: true }
            """
        return try! Config.decode(yaml: yaml, file: "/t.yaml", home: "/h", stateHome: "/s").environments[0]
    }()

    /// The tracked certificate changed in SSM after the task started: the time rule alone says pending.
    func observations(served: [String: String], endpoint: String?) -> EnvironmentObservations {
        let tracked = CertificateObservation(name: "broker", source: .tracked, subject: "CN=kafka.acc.example", serial: "aa", notBefore: nil,
                                             notAfter: now.addingTimeInterval(86400 * 300), chainsToCA: true, caStatus: nil, location: "/c",
                                             version: 2, lastModified: now.addingTimeInterval(-60))
        let bootstrap = served.map { address, serial in
            CertificateObservation(name: "kafka \(address)", source: .served, subject: "CN=kafka.acc.example", serial: serial, notBefore: nil,
                                   notAfter: now.addingTimeInterval(86400 * 300), chainsToCA: true, caStatus: nil, location: address)
        }.sorted { $0.location < $1.location }
        let probe = EndpointObservation(
            name: "public", address: "kafka.acc.example:9094", resolved: ["127.0.0.1"], dns: PhaseResult(.ok, durationMs: 1),
            tcp: PhaseResult(.ok, durationMs: 1), tls: endpoint == nil ? PhaseResult(.failed, durationMs: 1, error: "refused") : PhaseResult(.ok, durationMs: 2),
            kafka: PhaseResult(.off), tlsVersion: "TLSv1.3",
            served: endpoint.map { ServedCertificate(subject: "CN=kafka.acc.example", issuer: "CN=CA", serial: $0, sans: ["kafka.acc.example"],
                                                     notAfter: now.addingTimeInterval(86400 * 300), chainsToAnchors: true, nameMatches: true) },
            warnMs: nil)
        let service = ServiceObservation(name: "b1", desired: 1, running: 1, pending: 0,
                                         deployment: DeploymentObservation(id: "d", rolloutState: "COMPLETED", createdAt: now.addingTimeInterval(-7200)))
        let task = TaskObservation(arn: "t", service: "b1", lastStatus: "RUNNING", health: nil, startedAt: now.addingTimeInterval(-3600), startedBy: "d")
        return EnvironmentObservations(ok("ecs", ECSObservation(cluster: "kafka-acc", services: [service], tasks: [task])),
                                       ok("certificates", [tracked] + bootstrap), ok("endpoints", [probe]))
    }

    func broker(_ observations: EnvironmentObservations) -> (pending: Bool?, findings: [String]) {
        let snapshot = Evaluator.evaluate(observations, config: Self.config, now: now)
        let judged = snapshot.certificates?.first { $0.observation.source == .tracked }
        return (judged?.rollPending, snapshot.findings.filter { $0.object == "tracked broker" }.map(\.message))
    }

    @Test func everyAddressServingTheStoredSerialIsNoRollPendingWhateverTheTimes() {
        let (pending, findings) = broker(observations(served: ["127.0.0.1:9093": "aa", "127.0.0.2:9093": "aa"], endpoint: "aa"))
        #expect(pending == false)
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func oneBrokerStillOnTheOldSerialIsARollPendingNamingIt() {
        let (pending, findings) = broker(observations(served: ["127.0.0.1:9093": "aa", "127.0.0.2:9093": "0ld"], endpoint: "aa"))
        #expect(pending == true)
        #expect(findings == ["127.0.0.2:9093 serves serial 0ld, not SSM's aa: a roll is pending"])
    }

    @Test func anAddressNotReadLeavesTheTimeRule() {
        // The second bootstrap address could not be read: the change after the task's start decides.
        let (pending, findings) = broker(observations(served: ["127.0.0.1:9093": "aa"], endpoint: "aa"))
        #expect(pending == true)
        #expect(findings == ["changed in SSM after its services' tasks started: a roll is pending"])
        let endpointDown = broker(observations(served: ["127.0.0.1:9093": "aa", "127.0.0.2:9093": "aa"], endpoint: nil))
        #expect(endpointDown.pending == true)
    }
}

import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources
import LookoutUI

/// Snapshots made the real way: a config decoded from YAML, observations, the one evaluator.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func config(_ environments: [(name: String, protected: Bool)]) -> Config {
        var yaml = "refresh: 2s\nenvironments:\n"
        for environment in environments {
            yaml += """
              - name: \(environment.name)
                protected: \(environment.protected)
                aws: { region: eu-west-1 }
                ecs: { cluster: kafka-\(environment.name) }
                autoscaling: { groups: [kafka-\(environment.name)-asg] }
                kafka: { bootstrap: ["127.0.0.1:9092"] }
                secrets:
                  - { name: admin-password, ssm: /kafka/\(environment.name)/admin-password }

            """
        }
        return try! Config.decode(yaml: yaml, file: "/t/lookout.yaml", home: "/h", stateHome: "/s")
    }

    static let standard = config([("dev", false), ("test", false), ("acc", false), ("prod", true)])

    static func infos(_ config: Config) -> [EnvironmentInfo] {
        config.environments.map { EnvironmentInfo(name: $0.name, protected: $0.protected, readOnly: $0.readOnly) }
    }

    /// One environment's observations: every source good, with `running` tasks of 3 on the first service,
    /// and Kafka failing (for 30 s, after a good poll 42 s ago) when asked.
    /// Four polls 2 s apart (the last 2 s ago) of consumer groups, each poll's offsets per group:
    /// `billing` keeps up (lag 2, 1, 1, 2); `replayer` drains a topic no one writes to (lag 300 →
    /// 50 while consuming 250 in 6 s: 1.2 s to drain); `analytics` commits but falls behind (lag
    /// 50 → 80: warn, not draining); `archiver` committed once and left (Empty, stop).
    static let groupPolls: [String: (state: String, members: Int, topic: String, committed: [Int64], end: [Int64])] = [
        "billing": ("Stable", 1, "orders", [98, 119, 139, 158], [100, 120, 140, 160]),
        "replayer": ("Stable", 2, "payments", [200, 300, 400, 450], [500, 500, 500, 500]),
        "analytics": ("Stable", 1, "orders", [50, 60, 70, 80], [100, 120, 140, 160]),
        "archiver": ("Empty", 0, "orders", [10, 10, 10, 10], [100, 120, 140, 160]),
    ]

    static func groups(_ names: [String]) -> SourceOutcome<GroupsObservation> {
        var polls: [LagHistory.Poll] = []
        var latest: [GroupObservation] = []
        for index in 0..<4 {
            let time = now.addingTimeInterval(Double(-8 + 2 * index))
            latest = names.map { name in
                let poll = groupPolls[name]!
                return GroupObservation(id: name, state: poll.state, members: poll.members,
                                        partitions: [PartitionOffsets(topic: poll.topic, partition: 0, committed: poll.committed[index], end: poll.end[index])])
            }
            polls.append(LagHistory.Poll(time: time, groups: latest))
        }
        let observation = GroupsObservation(readAt: now.addingTimeInterval(-2), groups: latest, window: 10, history: LagHistory(polls: polls))
        return SourceOutcome(name: "groups", value: observation, fetchedAt: now.addingTimeInterval(-2), durationMs: 9)
    }

    static func observations(running: Int = 3, kafkaFailing: Bool = false, groups groupNames: [String] = ["billing", "replayer"]) -> EnvironmentObservations {
        let fetched = now.addingTimeInterval(-2)
        let services = (1...3).map { ServiceObservation(name: "kafka-broker-\($0)", desired: 1, running: $0 == 1 ? min(running, 1) : 1, pending: 0,
                                                          deployment: DeploymentObservation(id: "ecs-svc/\($0)", rolloutState: "COMPLETED", createdAt: now.addingTimeInterval(-3600))) }
        let tasks = (1...3).map { TaskObservation(arn: "arn:aws:ecs:eu-west-1:1:task/kafka/task\($0)", service: "kafka-broker-\($0)", lastStatus: "RUNNING", health: nil, startedAt: nil, startedBy: "ecs-svc/\($0)") }
        let ecs = SourceOutcome(name: "ecs", value: ECSObservation(cluster: "kafka", services: services, tasks: tasks), fetchedAt: fetched, durationMs: 12)
        let asg = SourceOutcome(name: "autoscaling", value: AutoScalingObservation(groups: [AutoScalingGroupObservation(
            name: "kafka-asg", min: 3, max: 3, desired: 3,
            instances: (1...3).map { InstanceObservation(id: "i-000\($0)", lifecycleState: "InService", health: "Healthy") })]), fetchedAt: fetched, durationMs: 8)
        let secrets = SourceOutcome(name: "secrets", value: [SecretObservation(name: "admin-password", ssm: "/kafka/admin-password", version: 3, lastModified: now.addingTimeInterval(-86400 * 5))], fetchedAt: fetched, durationMs: 5)
        var kafka = SourceOutcome(name: "kafka", value: KafkaObservation(clusterId: "tansu", controller: 111, brokers: [.init(id: 111, host: "127.0.0.1", port: 9092)],
                                                                       topics: [KafkaObservation.Topic(name: "orders", partitionList: (0..<3).map { id in
                                                                           KafkaObservation.Partition(id: id, leader: 111, replicas: [111], isr: [111], underReplicated: false, offline: false)
                                                                       })]),
                                  fetchedAt: fetched, durationMs: 3)
        if kafkaFailing {
            kafka = SourceOutcome(name: "kafka", value: kafka.value, fetchedAt: now.addingTimeInterval(-42), durationMs: 10_000,
                                  error: "no answer within 10s", errorSince: now.addingTimeInterval(-30))
        }
        let served = ServedCertificate(subject: "CN=kafka.example.com", issuer: "CN=Example Kafka CA", serial: "5EC0FFEE",
                                       sans: ["kafka.example.com"], notAfter: now.addingTimeInterval(86400 * 200),
                                       chainsToAnchors: true, nameMatches: true)
        let public_ = EndpointObservation(name: "public", address: "kafka.example.com:9094", resolved: ["192.0.2.10"],
                                          dns: PhaseResult(.ok, durationMs: 2), tcp: PhaseResult(.ok, durationMs: 4),
                                          tls: PhaseResult(.ok, durationMs: 17), kafka: PhaseResult(.ok, durationMs: 31),
                                          tlsVersion: "TLSv1.3", served: served, warnMs: nil)
        let internal_ = EndpointObservation(name: "internal", address: "10.0.0.7:9093", resolved: ["10.0.0.7"],
                                            dns: PhaseResult(.ok, durationMs: 0), tcp: PhaseResult(.ok, durationMs: 1),
                                            tls: PhaseResult(.off), kafka: PhaseResult(.off),
                                            tlsVersion: nil, served: nil, warnMs: nil)
        let endpoints = SourceOutcome(name: "endpoints", value: [public_, internal_], fetchedAt: fetched, durationMs: 40)
        let certificates = SourceOutcome(name: "certificates", value: [CertificateObservation(
            name: "broker", source: .tracked, subject: "CN=kafka.example.com", serial: "5EC0FFEE", notBefore: nil,
            notAfter: now.addingTimeInterval(86400 * 200), chainsToCA: true, caStatus: nil, location: "/kafka/broker-cert")],
            fetchedAt: fetched, durationMs: 6)
        return EnvironmentObservations(ecs, asg, secrets, certificates, kafka,
                                       groups(groupNames), endpoints)
    }

    /// dev ok, test warn (a service short of tasks), acc unknown (Kafka failing), prod crit (no task running).
    /// `devGroups`: the groups dev's poll read (the others read `billing` and `replayer`).
    static func snapshot(_ config: Config = standard, devGroups: [String] = ["billing", "replayer"]) -> Snapshot {
        var prod = observations(running: 0)
        prod.ecs?.value?.services[1].running = 0
        var test = observations()
        test.ecs?.value?.services[0].desired = 2
        let chosen: [String: EnvironmentObservations] = ["dev": observations(groups: devGroups), "test": test, "acc": observations(kafkaFailing: true), "prod": prod]
        return Snapshot(generatedAt: now.addingTimeInterval(-1), environments: config.environments.map {
            Evaluator.evaluate(chosen[$0.name] ?? observations(), config: $0, now: now)
        })
    }

    static func context(_ console: Console, snapshot: Snapshot? = snapshot(), config: Config = standard) -> ViewContext {
        ViewContext(snapshot: snapshot, environments: infos(config), scope: console.location.environment, object: console.location.object,
                    now: now, keyMap: console.keyMap)
    }

    static func frame(_ console: Console, width: Int, height: Int, snapshot: Snapshot? = snapshot(), config: Config = standard) -> Grid {
        Frame.render(console: console, context: context(console, snapshot: snapshot, config: config), width: width, height: height)
    }

    /// Presses keys as the app does: each with the rows on screen.
    static func press(_ console: inout Console, _ keys: [Key], snapshot: Snapshot? = snapshot()) -> [Console.Effect] {
        keys.map { key in
            let context = context(console, snapshot: snapshot)
            return console.handle(key, rows: Frame.rows(console: console, context: context), pageSize: 20)
        }
    }

    static func type(_ text: String) -> [Key] { text.map { .char($0) } }
}

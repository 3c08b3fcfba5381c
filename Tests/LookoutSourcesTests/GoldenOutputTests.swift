import Foundation
import LookoutConfig
import Testing
@testable import LookoutModel
@testable import LookoutSources

/// The four outputs (`snapshot --format json|table|prometheus`, `check`) of two environments that
/// use every source and most rules, compared byte for byte with the files in `Golden/`. They were
/// recorded before the sources became one unit each (issue 22), so the move is shown to change no
/// byte. Re-record only for an intended change: `LOOKOUT_RECORD_GOLDEN=1`.
@Suite struct GoldenOutputTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let config: Config = {
        let yaml = """
            environments:
              - name: dev
                aws: { region: eu-west-1 }
                ecs: { cluster: kafka-dev, services: [b1, b2, b3] }
                autoscaling: { groups: [asg-dev] }
                kafka:
                  bootstrap: ["127.0.0.1:9092"]
                  lag: { warn: 100, crit: 1000, warn_seconds: 60, crit_seconds: 600 }
                certificates:
                  warn_days: 30
                  crit_days: 7
                  tracked:
                    - { name: broker, common_name: kafka.example.com, cert_ssm: /dev/cert, key_ssm: /dev/key, restart: [b1, b2] }
                    - { name: old, common_name: old.example.com, cert_ssm: /dev/old, key_ssm: /dev/oldkey }
                secrets:
                  - { name: admin, ssm: /dev/admin, restart: [b1, b2] }
                  - { name: unused, ssm: /dev/unused }
                endpoints:
                  - { name: public, address: "kafka.example.com:9094", route53_health_check: hc-1, warn_ms: 20 }
                  - { name: internal, address: "10.0.0.7:9093", tls: false, kafka: false, route53_health_check: hc-2 }
              - name: prod
                protected: true
                aws: { region: eu-west-1 }
                ecs: { cluster: kafka-prod }
                kafka: { bootstrap: ["127.0.0.1:9092"] }
                secrets:
                  - { name: admin, ssm: /prod/admin }
            """
        return try! Config.decode(yaml: yaml, file: "/t/lookout.yaml", home: "/h", stateHome: "/s")
    }()

    static func ok<V>(_ name: String, _ value: V, ago: Double = 3) -> SourceOutcome<V> {
        SourceOutcome(name: name, value: value, fetchedAt: now.addingTimeInterval(-ago), durationMs: 12)
    }

    static var dev: EnvironmentObservations {
        let created = now.addingTimeInterval(-7200)
        let services = [
            ServiceObservation(name: "b1", desired: 1, running: 1, pending: 0, deployment: DeploymentObservation(id: "ecs-svc/1", rolloutState: "COMPLETED", createdAt: created)),
            ServiceObservation(name: "b2", desired: 2, running: 1, pending: 1, deployment: DeploymentObservation(id: "ecs-svc/2", rolloutState: "FAILED", createdAt: created)),
            .unreadable("b3", problem: "its description did not read: \u{1b}[31m"),
        ]
        let tasks = [
            TaskObservation(arn: "arn:aws:ecs:eu-west-1:1:task/kafka-dev/t1", service: "b1", lastStatus: "RUNNING", health: "UNHEALTHY",
                            startedAt: now.addingTimeInterval(-3600), startedBy: "ecs-svc/1"),
            TaskObservation(arn: "arn:aws:ecs:eu-west-1:1:task/kafka-dev/t2", service: "b2", lastStatus: "RUNNING", health: nil, startedAt: nil, startedBy: nil),
            TaskObservation(arn: "arn:aws:ecs:eu-west-1:1:task/kafka-dev/t3", service: "b2", lastStatus: "PENDING", health: nil, startedAt: nil, startedBy: nil),
        ]
        let asg = AutoScalingObservation(groups: [AutoScalingGroupObservation(name: "asg-dev", min: 3, max: 3, desired: 3, instances: [
            InstanceObservation(id: "i-1", lifecycleState: "InService", health: "Healthy"),
            InstanceObservation(id: "i-2", lifecycleState: "InService", health: "Unhealthy"),
            InstanceObservation(id: "i-3", lifecycleState: "Pending", health: "Healthy"),
        ])])
        let secrets = [
            SecretObservation(name: "admin", ssm: "/dev/admin", version: 4, lastModified: now.addingTimeInterval(-600)),
            SecretObservation(name: "unused", ssm: "/dev/unused", version: 1, lastModified: now.addingTimeInterval(-86400 * 40)),
        ]
        let certificates = [
            CertificateObservation(name: "ca", source: .ca, subject: "CN=Dev CA", serial: "01", notBefore: nil, notAfter: now.addingTimeInterval(86400 * 3650),
                                   chainsToCA: nil, caStatus: "DISABLED", location: "arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"),
            CertificateObservation(name: "broker", source: .tracked, subject: "CN=kafka.example.com", serial: "5EC0FFEE", notBefore: nil,
                                   notAfter: now.addingTimeInterval(86400 * 20), chainsToCA: true, caStatus: nil, location: "/dev/cert",
                                   version: 3, lastModified: now.addingTimeInterval(-60)),
            CertificateObservation(name: "old", source: .tracked, subject: "CN=old.example.com", serial: "0DD", notBefore: nil,
                                   notAfter: now.addingTimeInterval(-86400), chainsToCA: false, caStatus: nil, location: "/dev/old", version: 1,
                                   lastModified: now.addingTimeInterval(-86400 * 400)),
        ]
        let checks = [HealthCheckObservation(id: "hc-1", endpoint: "public", healthyObservations: 7, totalObservations: 8),
                      HealthCheckObservation(id: "hc-2", endpoint: "internal", healthyObservations: 1, totalObservations: 8)]
        let kafka = KafkaObservation(clusterId: "tansu", controller: 7, brokers: [.init(id: 111, host: "127.0.0.1", port: 9092), .init(id: 112, host: "b\u{7}2", port: 9093)],
                                     topics: [
                                        KafkaObservation.Topic(name: "orders", partitionList: [
                                            .init(id: 0, leader: 111, replicas: [111, 112], isr: [111, 112], underReplicated: false, offline: false),
                                            .init(id: 1, leader: 111, replicas: [111, 112], isr: [111], underReplicated: true, offline: false),
                                            .init(id: 2, leader: nil, replicas: [112], isr: [], underReplicated: true, offline: true),
                                        ]),
                                        KafkaObservation.Topic(name: "payments", partitionList: [.init(id: 0, leader: 112, replicas: [112], isr: [112], underReplicated: false, offline: false)]),
                                     ])
        var polls: [LagHistory.Poll] = []
        var latest: [GroupObservation] = []
        let plan: [(String, String, Int, [Int64], [Int64])] = [
            ("billing", "Stable", 1, [98, 119, 139, 158], [100, 120, 140, 160]),
            ("replayer", "Stable", 2, [200, 300, 400, 450], [500, 500, 500, 500]),
            ("analytics", "Stable", 1, [50, 60, 70, 80], [1100, 1200, 1400, 1600]),
            ("archiver", "Empty", 0, [10, 10, 10, 10], [100, 120, 140, 160]),
        ]
        for index in 0..<4 {
            latest = plan.map { id, state, members, committed, end in
                GroupObservation(id: id, state: state, members: members,
                                 partitions: [PartitionOffsets(topic: id == "replayer" ? "payments" : "orders", partition: 0, committed: committed[index], end: end[index])])
            }
            polls.append(LagHistory.Poll(time: now.addingTimeInterval(Double(-8 + 2 * index)), groups: latest))
        }
        let groups = GroupsObservation(readAt: now.addingTimeInterval(-2), groups: latest, window: 10, history: LagHistory(polls: polls))
        let served = ServedCertificate(subject: "CN=kafka.example.com", issuer: "CN=Other CA", serial: "BADBAD", sans: ["kafka.example.com"],
                                       notAfter: now.addingTimeInterval(86400 * 5), chainsToAnchors: false, nameMatches: false)
        let endpoints = [
            EndpointObservation(name: "public", address: "kafka.example.com:9094", resolved: ["192.0.2.10"], dns: PhaseResult(.ok, durationMs: 2),
                                tcp: PhaseResult(.ok, durationMs: 4), tls: PhaseResult(.ok, durationMs: 17), kafka: PhaseResult(.ok, durationMs: 31),
                                tlsVersion: "TLSv1.3", served: served, warnMs: 20),
            EndpointObservation(name: "internal", address: "10.0.0.7:9093", resolved: [], dns: PhaseResult(.failed, durationMs: 1, error: "no such host"),
                                tcp: PhaseResult(.skipped), tls: PhaseResult(.off), kafka: PhaseResult(.off), tlsVersion: nil, served: nil, warnMs: nil),
        ]
        return EnvironmentObservations(
            ok("ecs", ECSObservation(cluster: "kafka-dev", services: services, tasks: tasks)),
            ok("autoscaling", asg), ok("secrets", secrets), ok("certificates", certificates),
            ok("route53", checks), ok("kafka", kafka), ok("groups", groups, ago: 2), ok("endpoints", endpoints))
    }

    static var prod: EnvironmentObservations {
        let ecs = SourceOutcome<ECSObservation>(name: "ecs", value: ECSObservation(cluster: "kafka-prod", services: [
            ServiceObservation(name: "p1", desired: 1, running: 0, pending: 0, deployment: nil)], tasks: []),
            fetchedAt: now.addingTimeInterval(-42), durationMs: 10_000, error: "prod ecs: no answer within 10s", errorSince: now.addingTimeInterval(-30))
        let kafka = SourceOutcome<KafkaObservation>.failed("kafka", error: "prod kafka: connection refused", at: now.addingTimeInterval(-5), durationMs: 3)
        let groups = SourceOutcome<GroupsObservation>.failed("groups", error: "prod groups: not read", at: now.addingTimeInterval(-5), durationMs: 0)
        return EnvironmentObservations(ecs, ok("secrets", [SecretObservation(name: "admin", ssm: "/prod/admin", version: 1, lastModified: now.addingTimeInterval(-86400))]),
                                       kafka, groups)
    }

    static var snapshot: Snapshot {
        let observed = ["dev": dev, "prod": prod]
        return Snapshot(generatedAt: now, environments: config.environments.map { Evaluator.evaluate(observed[$0.name]!, config: $0, now: now) })
    }

    static var outputs: [(String, String)] {
        let snapshot = snapshot
        return [("snapshot.json", snapshot.json.serialized(pretty: true) + "\n"), ("snapshot.table", snapshot.table),
                ("snapshot.prom", snapshot.prometheus), ("check.txt", snapshot.nagiosOutput)]
    }

    @Test func everyOutputIsByteForByteTheRecordedOne() throws {
        let record = ProcessInfo.processInfo.environment["LOOKOUT_RECORD_GOLDEN"] == "1"
        for (file, text) in Self.outputs {
            let url = Self.folder.appendingPathComponent(file)
            if record {
                try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
                continue
            }
            let recorded = try String(contentsOf: url, encoding: .utf8)
            #expect(text == recorded, "\(file) differs from Golden/\(file)")
        }
        #expect(!record, "recorded the golden files; run again without LOOKOUT_RECORD_GOLDEN")
    }
}

import Foundation

extension Snapshot {
    /// The human table of `snapshot --format table`.
    public var table: String {
        var out = "lookout snapshot at \(rfc3339(generatedAt)): \(status.rawValue.uppercased())\n"
        for environment in environments {
            out += "\n\(environment.name)\(environment.protected ? " [protected]" : ""): \(environment.status.rawValue.uppercased())\n"
            out += Self.format(rows: [["SOURCE", "STATUS", "AGE", "TOOK", "ERROR"]] + environment.sources.map { source in
                [source.name, source.status.rawValue, source.ageSeconds.map { "\($0)s" } ?? "-", "\(source.durationMs)ms", source.error ?? ""]
            })
            if let ecs = environment.ecs {
                out += "  ecs \(ecs.observation.cluster.terminalSafe)\n"
                out += Self.format(rows: [["SERVICE", "STATUS", "DESIRED", "RUNNING", "PENDING", "DEPLOYMENT", "ROLLOUT"]] + ecs.observation.services.map { service in
                    service.problem == nil
                        ? [service.name, (ecs.serviceStatus[service.name] ?? .ok).rawValue, "\(service.desired)", "\(service.running)", "\(service.pending)",
                           service.deployment?.id ?? "-", service.deployment?.rolloutState ?? "-"]
                        : [service.name, (ecs.serviceStatus[service.name] ?? .unknown).rawValue, "?", "?", "?", "-", "-"]
                }, indent: 4)
            }
            if let autoscaling = environment.autoscaling {
                out += Self.format(rows: [["ASG", "MIN", "MAX", "DESIRED", "IN SERVICE", "UNHEALTHY"]] + autoscaling.groups.map { group in
                    [group.name, "\(group.min)", "\(group.max)", "\(group.desired)", "\(group.inService)",
                     "\(group.instances.filter { $0.health != "Healthy" }.count)"]
                })
            }
            if let secrets = environment.secrets {
                out += Self.format(rows: [["SECRET", "SSM", "VERSION", "AGE", "ROLL PENDING"]] + secrets.map { secret in
                    [secret.observation.name, secret.observation.ssm, "\(secret.observation.version)", "\(secret.ageDays)d",
                     secret.rollPending.map { $0 ? "yes" : "no" } ?? "unknown"]
                })
            }
            if let certificates = environment.certificates {
                out += Self.format(rows: [["CERTIFICATE", "SOURCE", "STATUS", "DAYS LEFT", "NOT AFTER", "SERIAL", "SUBJECT"]] + certificates.map { certificate in
                    [certificate.observation.name, certificate.observation.source.rawValue, certificate.status.rawValue, "\(certificate.daysLeft)",
                     rfc3339(certificate.observation.notAfter), certificate.observation.serial, certificate.observation.subject]
                })
            }
            if let checks = environment.healthChecks {
                out += Self.format(rows: [["HEALTH CHECK", "ENDPOINT", "STATUS", "HEALTHY"]] + checks.map { check in
                    [check.observation.id, check.observation.endpoint, check.status.rawValue,
                     "\(check.observation.healthyObservations)/\(check.observation.totalObservations)"]
                })
            }
            if let kafka = environment.kafka {
                out += "  kafka cluster \((kafka.clusterId ?? "-").terminalSafe), controller \(kafka.controller.map(String.init) ?? "none"), brokers \(kafka.brokers.map { "\($0.id)@\($0.host.terminalSafe):\($0.port)" }.joined(separator: " "))\n"
                out += Self.format(rows: [["TOPIC", "PARTITIONS", "UNDER-REPLICATED", "OFFLINE"]] + kafka.topics.map { topic in
                    [topic.name, "\(topic.partitions)", "\(topic.underReplicated)", "\(topic.offline)"]
                }, indent: 4)
                // Only the partitions with a problem: a cluster can hold thousands.
                let problems = kafka.topics.flatMap { topic in
                    topic.partitionList.filter { $0.offline || $0.underReplicated }.map { (topic.name, $0) }
                }
                if !problems.isEmpty {
                    func ids(_ list: [Int]) -> String { list.isEmpty ? "-" : list.map(String.init).joined(separator: ",") }
                    out += Self.format(rows: [["TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "PROBLEM"]] + problems.map { name, partition in
                        [name, "\(partition.id)", partition.leader.map(String.init) ?? "none", ids(partition.replicas), ids(partition.isr),
                         [partition.offline ? "offline" : nil, partition.underReplicated ? "under-replicated" : nil].compactMap { $0 }.joined(separator: ", ")]
                    }, indent: 4)
                }
            }
            if let groups = environment.groups {
                var rows = [["GROUP", "STATUS", "STATE", "MEMBERS", "LAG", "LAG S", "SAMPLES", "REASON"]]
                for group in groups {
                    let observed = group.observation
                    let members = observed.members.map(String.init) ?? "-"
                    rows.append([observed.id, group.status.rawValue, observed.state ?? "-", members, Self.cell(group.lag),
                                 Self.cell(group.lagSeconds), String(group.samples), group.reason])
                    for topic in group.topics {
                        rows.append(["  " + topic.topic, "", "", "", Self.cell(topic.lag), Self.cell(topic.lagSeconds), "", ""])
                    }
                }
                out += Self.format(rows: rows, indent: 4)
            }
            for finding in environment.findings {
                out += "  \(finding.status.rawValue.uppercased()) \(finding.source) \(finding.object.terminalSafe): \(finding.message.terminalSafe)\n"
            }
        }
        return out
    }

    static func cell(_ value: Int64?) -> String {
        value.map(String.init) ?? "-"
    }

    static func cell(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? "-"
    }

    /// Every cell through `terminalSafe`: most of them hold names and messages from outside.
    static func format(rows: [[String]], indent: Int = 2) -> String {
        let rows = rows.map { $0.map(\.terminalSafe) }
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            String(repeating: " ", count: indent) + row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

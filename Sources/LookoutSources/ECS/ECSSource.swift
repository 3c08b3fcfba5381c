import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let ecs = SourceID("ecs")
}

/// ECS services and their tasks; a service's running count is its tasks counted by last status.
public enum ECSSource: Source {
    public static let id = SourceID.ecs
    public static let configKey = "ecs"
    public static let placement = OutputPlacement(json: 0, table: 0, metrics: 0, perfdata: nil, overview: 0, environmentView: 0)
    public static let console = ConsoleEntry(column: "ECS", label: "ECS services and tasks", view: "services")

    public static func input(_ config: EnvironmentConfig) -> ECSConfig? { config.ecs }

    public static func fetch(_ input: ECSConfig, _ context: FetchContext) async throws -> ECSObservation {
        try await ECSFetch(client: context.aws, config: input, memory: context.memory).fetch()
    }

    public static func judge(_ ecs: ECSObservation, _ judging: inout Judging) -> [Finding] {
        let found = findings(ecs)
        var statuses: [String: Status] = [:]
        for service in ecs.services {
            statuses[service.name] = Status.worst(found.filter { $0.object == service.name }.map(\.status))
        }
        judging.snapshot.ecs = JudgedECS(observation: ecs, serviceStatus: statuses)
        return found
    }

    static func findings(_ ecs: ECSObservation) -> [Finding] {
        var found: [Finding] = []
        for service in ecs.services {
            if let problem = service.problem {
                found.append(Finding(status: .unknown, source: id.rawValue, object: service.name, message: "could not be read: \(problem)"))
                continue
            }
            if service.desired > 0, service.running == 0 {
                found.append(Finding(status: .crit, source: id.rawValue, object: service.name, message: "no task running (desired \(service.desired))"))
            } else if service.running < service.desired {
                found.append(Finding(status: .warn, source: id.rawValue, object: service.name, message: "\(service.running) of \(service.desired) tasks running"))
            }
            if service.deployment?.rolloutState == "FAILED" {
                found.append(Finding(status: .crit, source: id.rawValue, object: service.name, message: "deployment \(service.deployment?.id ?? "") failed"))
            }
            let unhealthy = ecs.tasks.filter { $0.service == service.name && $0.lastStatus == "RUNNING" && $0.health == "UNHEALTHY" }
            if !unhealthy.isEmpty {
                found.append(Finding(status: .warn, source: id.rawValue, object: service.name, message: "\(unhealthy.count) running task(s) unhealthy"))
            }
        }
        return found
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("ecs", environment.ecs?.json ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let ecs = environment.ecs else { return "" }
        return "  ecs \(ecs.observation.cluster.terminalSafe)\n"
            + Snapshot.format(rows: [["SERVICE", "STATUS", "DESIRED", "RUNNING", "PENDING", "DEPLOYMENT", "ROLLOUT"]] + ecs.observation.services.map { service in
                service.problem == nil
                    ? [service.name, (ecs.serviceStatus[service.name] ?? .ok).rawValue, "\(service.desired)", "\(service.running)", "\(service.pending)",
                       service.deployment?.id ?? "-", service.deployment?.rolloutState ?? "-"]
                    : [service.name, (ecs.serviceStatus[service.name] ?? .unknown).rawValue, "?", "?", "?", "-", "-"]
            }, indent: 4)
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        // An unreadable service has no counts: it is left out rather than shown as zeros.
        let services = snapshot.environments.flatMap { e in (e.ecs?.observation.services ?? []).filter { $0.problem == nil }.map { (e.name, $0) } }
        return [
            MetricFamily("lookout_ecs_service_desired_tasks", "Desired tasks of an ECS service.",
                         services.map { e, s in ([("environment", e), ("service", s.name)], Double(s.desired)) }),
            MetricFamily("lookout_ecs_service_running_tasks", "Running tasks of an ECS service, counted from its tasks.",
                         services.map { e, s in ([("environment", e), ("service", s.name)], Double(s.running)) }),
        ]
    }
}

/// The ECS services judged: each service's worst status.
public struct JudgedECS: Sendable {
    public var observation: ECSObservation
    public var serviceStatus: [String: Status]
}

extension EnvironmentObservations {
    public var ecs: SourceOutcome<ECSObservation>? {
        get { self[.ecs, as: ECSObservation.self] }
        set { self[.ecs, as: ECSObservation.self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var ecs: JudgedECS? {
        get { self[part: "ecs", as: JudgedECS.self] }
        set { self[part: "ecs", as: JudgedECS.self] = newValue }
    }
}

extension JudgedECS {
    var json: JSONValue {
        .object([
            ("cluster", .string(observation.cluster)),
            ("services", .array(observation.services.map { service in
                // An unreadable service: its counts null (never a silent zero) and its error.
                let known = service.problem == nil
                return .object([
                    ("name", .string(service.name)),
                    ("status", .string((serviceStatus[service.name] ?? .ok).rawValue)),
                    ("desired", known ? .int(service.desired) : .null),
                    ("running", known ? .int(service.running) : .null),
                    ("pending", known ? .int(service.pending) : .null),
                    ("deployment", service.deployment.map { deployment in
                        .object([("id", .string(deployment.id)), ("rollout_state", .optional(deployment.rolloutState)),
                                 ("created_at", .optional(deployment.createdAt))])
                    } ?? .null),
                ] + (service.problem.map { [("error", .string($0))] } ?? []))
            })),
            ("tasks", .array(observation.tasks.map { task in
                .object([
                    ("arn", .string(task.arn)),
                    ("service", .optional(task.service)),
                    ("last_status", .string(task.lastStatus)),
                    ("health", .optional(task.health)),
                    ("started_at", .optional(task.startedAt)),
                    ("started_by", .optional(task.startedBy)),
                ])
            })),
        ])
    }
}

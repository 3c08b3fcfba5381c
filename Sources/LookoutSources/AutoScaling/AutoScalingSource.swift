import Foundation
import LookoutConfig
import LookoutModel

extension SourceID {
    public static let autoscaling = SourceID("autoscaling")
}

/// The Auto Scaling groups the brokers run on, and their instances.
public enum AutoScalingSource: Source {
    public static let id = SourceID.autoscaling
    public static let configKey = "autoscaling"
    public static let placement = OutputPlacement(json: 1, table: 1, metrics: 1, perfdata: nil, overview: 1, environmentView: 1)
    public static let console = ConsoleEntry(column: "ASG", label: "Auto Scaling instances", view: "instances")

    public static func input(_ config: EnvironmentConfig) -> AutoScalingConfig? { config.autoscaling }

    public static func fetch(_ input: AutoScalingConfig, _ context: FetchContext) async throws -> AutoScalingObservation {
        try await AutoScalingFetch(client: context.aws, config: input).fetch()
    }

    public static func judge(_ observation: AutoScalingObservation, _ judging: inout Judging) -> [Finding] {
        judging.snapshot.autoscaling = observation
        var found: [Finding] = []
        for group in observation.groups {
            if group.desired > 0, group.inService == 0 {
                found.append(Finding(status: .crit, source: id.rawValue, object: group.name, message: "no instance in service (desired \(group.desired))"))
            } else if group.inService < group.desired {
                found.append(Finding(status: .warn, source: id.rawValue, object: group.name, message: "\(group.inService) of \(group.desired) instances in service"))
            }
            for instance in group.instances where instance.health != "Healthy" {
                found.append(Finding(status: .warn, source: id.rawValue, object: group.name, message: "instance \(instance.id) is \(instance.health) (\(instance.lifecycleState))"))
            }
        }
        return found
    }

    public static func json(_ environment: EnvironmentSnapshot) -> [(String, JSONValue)] {
        [("autoscaling", environment.autoscaling?.json ?? .null)]
    }

    public static func table(_ environment: EnvironmentSnapshot) -> String {
        guard let autoscaling = environment.autoscaling else { return "" }
        return Snapshot.format(rows: [["ASG", "MIN", "MAX", "DESIRED", "IN SERVICE", "UNHEALTHY"]] + autoscaling.groups.map { group in
            [group.name, "\(group.min)", "\(group.max)", "\(group.desired)", "\(group.inService)",
             "\(group.instances.filter { $0.health != "Healthy" }.count)"]
        })
    }

    public static func metrics(_ snapshot: Snapshot) -> [MetricFamily] {
        [MetricFamily("lookout_autoscaling_in_service_instances", "Instances in service in an Auto Scaling group.",
                      snapshot.environments.flatMap { e in (e.autoscaling?.groups ?? []).map { ([("environment", e.name), ("group", $0.name)], Double($0.inService)) } })]
    }
}

extension EnvironmentObservations {
    public var autoscaling: SourceOutcome<AutoScalingObservation>? {
        get { self[.autoscaling, as: AutoScalingObservation.self] }
        set { self[.autoscaling, as: AutoScalingObservation.self] = newValue }
    }
}

extension EnvironmentSnapshot {
    public var autoscaling: AutoScalingObservation? {
        get { self[part: "autoscaling", as: AutoScalingObservation.self] }
        set { self[part: "autoscaling", as: AutoScalingObservation.self] = newValue }
    }
}

extension AutoScalingObservation {
    var json: JSONValue {
        .object([("groups", .array(groups.map { group in
            .object([
                ("name", .string(group.name)),
                ("min", .int(group.min)),
                ("max", .int(group.max)),
                ("desired", .int(group.desired)),
                ("in_service", .int(group.inService)),
                ("instances", .array(group.instances.map { instance in
                    .object([("id", .string(instance.id)), ("lifecycle_state", .string(instance.lifecycleState)),
                             ("health", .string(instance.health))])
                })),
            ])
        }))])
    }
}

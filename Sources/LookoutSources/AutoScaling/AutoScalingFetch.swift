import LookoutAWS
import LookoutConfig
import LookoutModel

/// The configured Auto Scaling groups and their instances.
struct AutoScalingFetch {
    let client: AWSClient
    let config: AutoScalingConfig

    func fetch() async throws -> AutoScalingObservation {
        let groups = try await client.autoScaling.describeAllAutoScalingGroups(names: config.groups)
        let missing = config.groups.filter { name in !groups.contains { $0.name == name } }
        if !missing.isEmpty {
            throw SourceProblem("no Auto Scaling group named \(missing.joined(separator: ", "))")
        }
        return AutoScalingObservation(groups: config.groups.compactMap { name in
            groups.first { $0.name == name }.map { group in
                AutoScalingGroupObservation(
                    name: group.name, min: group.minSize, max: group.maxSize, desired: group.desiredCapacity,
                    instances: group.instances.map { InstanceObservation(id: $0.instanceId, lifecycleState: $0.lifecycleState, health: $0.healthStatus) }
                        .sorted { $0.id < $1.id })
            }
        })
    }
}

import Foundation
import LookoutAWS
import LookoutConfig
import LookoutModel

/// ECS services and their tasks: ListServices → DescribeServices in tens → ListTasks → DescribeTasks in hundreds.
struct ECSFetch {
    let client: AWSClient
    let config: ECSConfig

    func fetch() async throws -> ECSObservation {
        let ecs = client.ecs
        let names: [String]
        if let configured = config.services {
            names = configured
        } else {
            names = try await ecs.listAllServices(cluster: config.cluster).map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        }
        // The services and the cluster's task list do not depend on each other: ask for both at once.
        let cluster = config.cluster
        async let describing = ecs.describeAllServices(cluster: cluster, services: names)
        async let listing = ecs.listAllTasks(cluster: cluster)
        let described = try await describing
        // A service whose answer could not be read even alone is unknown by itself; any other
        // failure AWS reports (MISSING: a configured service that does not exist) fails the source.
        let unreadable = (described.failures ?? []).filter { $0.reason == ECS.Failure.unreadable }
        if let failure = described.failures?.first(where: { $0.reason != ECS.Failure.unreadable }) {
            throw SourceProblem("DescribeServices: \(failure.arn ?? "?") \(failure.reason ?? "failed")")
        }
        let taskARNs = try await listing
        let describedTasks = taskARNs.isEmpty ? nil : try await ecs.describeAllTasks(cluster: config.cluster, tasks: taskARNs)
        // A task that cannot be read could be any service's: no service's count would be true.
        if let failure = describedTasks?.failures?.first(where: { $0.reason == ECS.Failure.unreadable }) {
            throw SourceProblem("DescribeTasks: task \(failure.arn ?? "?") could not be read, so no service's tasks can be counted: \(failure.detail ?? "")")
        }
        let tasks = describedTasks?.tasks ?? []

        let observedTasks = tasks.map(ECSReading.task)
        let services = (described.services ?? []).map { ECSReading.service($0, tasks: observedTasks) }
        let watched = Set(names)
        let unknown = unreadable.map { ServiceObservation.unreadable($0.arn ?? "?", problem: $0.detail ?? "unreadable") }
        return ECSObservation(cluster: config.cluster, services: (services + unknown).sorted { $0.name < $1.name },
                              tasks: observedTasks.filter { $0.service.map(watched.contains) ?? false }.sorted { ($0.service ?? "", $0.arn) < ($1.service ?? "", $1.arn) })
    }
}

/// ECS's answers as the console's observation types, one way for every reader: the ECS source and
/// the roll (PRODUCT.md: a service's running tasks are its tasks counted by `lastStatus`, never
/// AWS's `runningCount`).
public enum ECSReading {
    static let pendingStates: Set<String> = ["PROVISIONING", "PENDING", "ACTIVATING"]

    public static func task(_ task: ECS.Task) -> TaskObservation {
        TaskObservation(
            arn: task.taskArn ?? "",
            service: task.group.flatMap { $0.hasPrefix("service:") ? String($0.dropFirst("service:".count)) : nil },
            lastStatus: task.lastStatus ?? "UNKNOWN",
            health: task.healthStatus == "UNKNOWN" ? nil : task.healthStatus,
            startedAt: task.startedAt,
            startedBy: task.startedBy)
    }

    public static func deployment(_ deployment: ECS.Deployment) -> DeploymentObservation {
        DeploymentObservation(id: deployment.id ?? "", rolloutState: deployment.rolloutState, createdAt: deployment.createdAt,
                              rolloutReason: deployment.rolloutStateReason)
    }

    /// The service with its counts from `tasks` (those of its group `service:NAME`), and its
    /// PRIMARY deployment.
    public static func service(_ service: ECS.Service, tasks: [TaskObservation]) -> ServiceObservation {
        let name = service.serviceName ?? ""
        let own = tasks.filter { $0.service == name }
        return ServiceObservation(
            name: name,
            desired: service.desiredCount ?? 0,
            running: own.filter { $0.lastStatus == "RUNNING" }.count,
            pending: own.filter { pendingStates.contains($0.lastStatus) }.count,
            deployment: service.deployments?.first { $0.status == "PRIMARY" }.map(deployment))
    }
}

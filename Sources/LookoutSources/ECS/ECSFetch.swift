import Foundation
import LookoutAWS
import LookoutConfig
import LookoutModel

/// ECS services and their tasks: ListServices → DescribeServices in tens → ListTasks → DescribeTasks in hundreds.
///
/// In the console's steady cycle (a poll `memory` that holds the last one) DescribeTasks asks only
/// for what may have changed: task ARNs not seen before, tasks last seen in a state on its way
/// somewhere (neither RUNNING nor STOPPED), and the tasks of a service whose PRIMARY deployment moved or is not
/// COMPLETED; every task is described again at least once every `fullEvery` (60 s), so a task that
/// turns unhealthy while RUNNING is seen within a minute. ListTasks and DescribeServices are
/// asked every cycle.
struct ECSFetch {
    let client: AWSClient
    let config: ECSConfig
    var memory: PollMemory?

    static let fullEvery: TimeInterval = 60

    /// What the last poll described.
    struct Memory: Sendable {
        var tasks: [String: ECS.Task]
        /// Each service's PRIMARY deployment id and rollout state.
        var deployments: [String: String]
        var fullAt: Date
    }

    /// The services the config names, or every service of its cluster (ListServices, by name).
    static func serviceNames(_ config: ECSConfig, ecs: ECS) async throws -> [String] {
        if let configured = config.services { return configured }
        return try await ecs.listAllServices(cluster: config.cluster).map { $0.split(separator: "/").last.map(String.init) ?? $0 }
    }

    func fetch() async throws -> ECSObservation {
        let ecs = client.ecs
        let names = try await Self.serviceNames(config, ecs: ecs)
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
        let now = Date()
        let deployments = Self.deployments(described.services ?? [])
        let kept = Self.unchanged(taskARNs, memory: memory?.value(SourceID.ecs, as: Memory.self), deployments: deployments, now: now)
        let toDescribe = taskARNs.filter { kept[$0] == nil }
        let describedTasks = toDescribe.isEmpty ? nil : try await ecs.describeAllTasks(cluster: config.cluster, tasks: toDescribe)
        // A task that cannot be read could be any service's: no service's count would be true.
        if let failure = describedTasks?.failures?.first(where: { $0.reason == ECS.Failure.unreadable }) {
            throw SourceProblem("DescribeTasks: task \(failure.arn ?? "?") could not be read, so no service's tasks can be counted: \(failure.detail ?? "")")
        }
        let tasks = taskARNs.compactMap { kept[$0] } + (describedTasks?.tasks ?? [])
        if let memory {
            var byARN: [String: ECS.Task] = [:]
            for task in tasks {
                if let arn = task.taskArn { byARN[arn] = task }
            }
            let previous = memory.value(SourceID.ecs, as: Memory.self)
            let fullAt = kept.isEmpty ? now : (previous?.fullAt ?? now)
            memory.set(SourceID.ecs, Memory(tasks: byARN, deployments: deployments, fullAt: fullAt))
        }

        let observedTasks = tasks.map(ECSReading.task)
        let services = (described.services ?? []).map { ECSReading.service($0, tasks: observedTasks) }
        let watched = Set(names)
        let unknown = unreadable.map { ServiceObservation.unreadable($0.arn ?? "?", problem: $0.detail ?? "unreadable") }
        return ECSObservation(cluster: config.cluster, services: (services + unknown).sorted { $0.name < $1.name },
                              tasks: observedTasks.filter { $0.service.map(watched.contains) ?? false }.sorted { ($0.service ?? "", $0.arn) < ($1.service ?? "", $1.arn) })
    }
}

extension ECSFetch {
    /// "ID STATE" of each service's PRIMARY deployment.
    static func deployments(_ services: [ECS.Service]) -> [String: String] {
        var out: [String: String] = [:]
        for service in services {
            guard let name = service.serviceName, let primary = service.deployments?.first(where: { $0.status == "PRIMARY" }) else { continue }
            out[name] = "\(primary.id ?? "") \(primary.rolloutState ?? "")"
        }
        return out
    }

    /// The tasks of the last poll that need no new DescribeTasks now (see the type's comment).
    static func unchanged(_ arns: [String], memory: Memory?, deployments: [String: String], now: Date) -> [String: ECS.Task] {
        guard let memory, now.timeIntervalSince(memory.fullAt) < fullEvery, now >= memory.fullAt else { return [:] }
        var kept: [String: ECS.Task] = [:]
        for arn in arns {
            // RUNNING holds until the next full describe; STOPPED is final
            guard let task = memory.tasks[arn], task.lastStatus == "RUNNING" || task.lastStatus == "STOPPED" else { continue }
            let service = task.group.flatMap { $0.hasPrefix("service:") ? String($0.dropFirst("service:".count)) : nil }
            if let service {
                guard let deployment = deployments[service], deployment == memory.deployments[service], deployment.hasSuffix(" COMPLETED") else { continue }
            }
            kept[arn] = task
        }
        return kept
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

import LookoutModel

/// What a roll sees of its service at one moment, in the console's observation types: the
/// service (its desired count and its PRIMARY deployment), the roll's own deployment while ECS
/// lists it, the service's tasks and the old ones looked up by ARN.
public struct RolloutObservation: Sendable, Equatable {
    public var deploymentID: String
    public var service: ServiceObservation
    /// The roll's deployment (its rollout state and reason), while ECS still lists it.
    public var ours: DeploymentObservation?
    /// The service's tasks, and the old ones looked up by ARN (a task ECS no longer knows is absent).
    public var tasks: [TaskObservation]
    /// The tasks that ran before the roll.
    public var oldTaskARNs: [String]

    public init(deploymentID: String, service: ServiceObservation, ours: DeploymentObservation?, tasks: [TaskObservation], oldTaskARNs: [String]) {
        self.deploymentID = deploymentID
        self.service = service
        self.ours = ours
        self.tasks = tasks
        self.oldTaskARNs = oldTaskARNs
    }

    /// For tests: a service named by nothing, its PRIMARY deployment and counts as given.
    public init(deploymentID: String, primaryID: String?, rolloutState: String?, rolloutReason: String?, desiredCount: Int,
                tasks: [TaskObservation], oldTaskARNs: [String]) {
        let running = tasks.filter { $0.lastStatus == "RUNNING" }.count
        self.init(deploymentID: deploymentID,
                  service: ServiceObservation(name: "", desired: desiredCount, running: running, pending: 0,
                                              deployment: primaryID.map { DeploymentObservation(id: $0, rolloutState: nil, createdAt: nil) }),
                  ours: DeploymentObservation(id: deploymentID, rolloutState: rolloutState, createdAt: nil, rolloutReason: rolloutReason),
                  tasks: tasks, oldTaskARNs: oldTaskARNs)
    }
}

extension TaskObservation {
    /// For tests: a task of the rolled service, without a start time.
    public init(arn: String, startedBy: String?, lastStatus: String, health: String?) {
        self.init(arn: arn, service: nil, lastStatus: lastStatus, health: health, startedAt: nil, startedBy: startedBy)
    }
}

/// Whether a deployment is done, judged by its tasks and not by `rolloutState` alone.
public enum DeploymentProgress: Sendable, Equatable {
    case complete(String)
    case waiting(String)
    case failed(String)

    public static func evaluate(_ observation: RolloutObservation) -> DeploymentProgress {
        let id = observation.deploymentID
        if let primary = observation.service.deployment?.id, primary != id {
            return .failed("deployment \(id) is no longer PRIMARY (\(primary) is): ECS rolled it back or someone deployed again")
        }
        if observation.ours?.rolloutState == "FAILED" {
            return .failed("deployment \(id) FAILED: \(observation.ours?.rolloutReason ?? "no reason given")")
        }
        let new = observation.tasks.filter { $0.startedBy == id }
        let running = new.filter { $0.lastStatus == "RUNNING" }
        let unhealthy = running.filter { $0.health == "UNHEALTHY" }
        let ready = running.count - unhealthy.count
        let oldStillUp = observation.oldTaskARNs.filter { arn in
            guard let task = observation.tasks.first(where: { $0.arn == arn }) else { return false }
            return task.lastStatus != "STOPPED"
        }
        var missing: [String] = []
        if ready < observation.service.desired {
            var text = "\(ready) of \(observation.service.desired) task(s) of \(id) RUNNING"
            if !unhealthy.isEmpty { text += " (\(unhealthy.count) UNHEALTHY)" }
            missing.append(text)
        }
        if !oldStillUp.isEmpty {
            missing.append("\(oldStillUp.count) old task(s) not STOPPED yet (\(oldStillUp.map(shortTask).joined(separator: ", ")))")
        }
        if !missing.isEmpty { return .waiting(missing.joined(separator: "; ")) }
        let healthNote = running.allSatisfy { $0.health == "HEALTHY" } ? "healthy" : "no health reported"
        return .complete("\(ready) task(s) of \(id) RUNNING (\(healthNote): \(running.map { shortTask($0.arn) }.joined(separator: ", "))), \(observation.oldTaskARNs.count) old task(s) STOPPED")
    }

    /// The task id, the last part of its ARN.
    static func shortTask(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }
}

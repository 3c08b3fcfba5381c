/// One look at a service during its roll: the deployment lookout created, and the tasks.
public struct DeploymentObservation: Sendable, Equatable {
    public struct Task: Sendable, Equatable {
        public var arn: String
        public var startedBy: String?
        public var lastStatus: String?
        /// `HEALTHY`, `UNHEALTHY`, `UNKNOWN`, or nil where ECS reports none.
        public var health: String?

        public init(arn: String, startedBy: String?, lastStatus: String?, health: String?) {
            self.arn = arn
            self.startedBy = startedBy
            self.lastStatus = lastStatus
            self.health = health
        }
    }

    public var deploymentID: String
    /// The service's PRIMARY deployment now.
    public var primaryID: String?
    /// Our deployment's rolloutState, when ECS still lists it.
    public var rolloutState: String?
    public var rolloutReason: String?
    public var desiredCount: Int
    /// The service's tasks, and the old ones looked up by ARN (a task ECS no longer knows is absent).
    public var tasks: [Task]
    /// The tasks that ran before the roll.
    public var oldTaskARNs: [String]

    public init(deploymentID: String, primaryID: String?, rolloutState: String?, rolloutReason: String?, desiredCount: Int,
                tasks: [Task], oldTaskARNs: [String]) {
        self.deploymentID = deploymentID
        self.primaryID = primaryID
        self.rolloutState = rolloutState
        self.rolloutReason = rolloutReason
        self.desiredCount = desiredCount
        self.tasks = tasks
        self.oldTaskARNs = oldTaskARNs
    }
}

/// Whether a deployment is done, judged by its tasks and not by `rolloutState` alone.
public enum DeploymentProgress: Sendable, Equatable {
    case complete(String)
    case waiting(String)
    case failed(String)

    public static func evaluate(_ observation: DeploymentObservation) -> DeploymentProgress {
        let id = observation.deploymentID
        if let primary = observation.primaryID, primary != id {
            return .failed("deployment \(id) is no longer PRIMARY (\(primary) is): ECS rolled it back or someone deployed again")
        }
        if observation.rolloutState == "FAILED" {
            return .failed("deployment \(id) FAILED: \(observation.rolloutReason ?? "no reason given")")
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
        if ready < observation.desiredCount {
            var text = "\(ready) of \(observation.desiredCount) task(s) of \(id) RUNNING"
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

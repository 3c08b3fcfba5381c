import LookoutConfig

/// What planning a roll read, and the plan it makes of it (pure).
public enum RollPlan {
    public struct ServiceFacts: Sendable, Equatable {
        public var name: String
        public var primaryDeployment: String?
        public var running: Int
        public var desired: Int

        public init(name: String, primaryDeployment: String?, running: Int, desired: Int) {
            self.name = name
            self.primaryDeployment = primaryDeployment
            self.running = running
            self.desired = desired
        }
    }

    /// The services in roll order (the controller's broker last), as the machine takes them.
    public static func services(_ names: [String], ecs: ECSConfig, controllerID: Int?) -> [RollStateMachine.Service] {
        BrokerGate.order(names, brokers: ecs.brokers, controllerID: controllerID)
            .map { RollStateMachine.Service(name: $0, brokerID: ecs.brokers[$0]) }
    }

    public static func lockNames(environment: String, services: [String]) -> [String] {
        services.map { LockRecord.parameterName(environment: environment, kind: "service", name: $0) }
    }

    /// The steps for rolling `services` (already in order), as a dry run prints them.
    public static func steps(_ services: [RollStateMachine.Service], cluster: String, timeout: String) -> [ActionPlan.Step] {
        var steps: [ActionPlan.Step] = []
        for service in services {
            if let broker = service.brokerID {
                steps.append(.init(name: "\(RollStateMachine.Step.kafkaBefore.rawValue) \(service.name)",
                                   detail: "Kafka Metadata shows no under-replicated or offline partition (broker \(broker))", writes: false))
            }
            steps.append(.init(name: "\(RollStateMachine.Step.forceDeployment.rawValue) \(service.name)",
                               detail: "UpdateService forceNewDeployment on \(cluster)/\(service.name); note the deployment id it creates", writes: true))
            steps.append(.init(name: "\(RollStateMachine.Step.followDeployment.rawValue) \(service.name)",
                               detail: "within \(timeout): its tasks (startedBy = that id) RUNNING and not UNHEALTHY, the old tasks STOPPED", writes: false))
            if let broker = service.brokerID {
                steps.append(.init(name: "\(RollStateMachine.Step.kafkaAfter.rawValue) \(service.name)",
                                   detail: "within \(timeout): Metadata answers, under-replication back to 0, no offline partition, broker \(broker) back in the metadata", writes: false))
            }
        }
        return steps
    }

    public static func facts(_ facts: [ServiceFacts], controllerID: Int?) -> [String] {
        var lines = facts.map { "\($0.name): PRIMARY deployment \($0.primaryDeployment ?? "none"), \($0.running) of \($0.desired) running" }
        if let controllerID { lines.append("Kafka controller: broker \(controllerID)") }
        return lines
    }
}

extension Duration {
    /// `10s`, `5m`, `1h30m`, as the config writes durations.
    public var configText: String {
        let (seconds, attoseconds) = components
        return ConfigDuration(milliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000).description
    }
}

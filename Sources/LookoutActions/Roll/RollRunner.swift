import Foundation
import LookoutAWS
import LookoutConfig
import LookoutKafka
import LookoutModel
import LookoutSources

/// The I/O around ``RollStateMachine``: ECS and Kafka calls, the clock, progress and audit lines.
public struct RollRunner: Sendable {
    public let environment: EnvironmentConfig
    public let ecs: ECSConfig
    let client: AWSClient
    let kafka: KafkaProbe
    public var timeout: Duration
    public var pollInterval: Duration

    public init(environment: EnvironmentConfig, client: AWSClient, kafka: KafkaProbe, timeout: Duration,
                pollInterval: Duration? = nil) throws(ActionError) {
        guard let ecs = environment.ecs else {
            throw ActionError(.usage, "environment `\(environment.name)` has no ecs section: there is nothing to roll")
        }
        self.environment = environment
        self.ecs = ecs
        self.client = client
        self.kafka = kafka
        self.timeout = timeout
        self.pollInterval = pollInterval ?? environment.timeouts.actionPoll.swiftDuration
    }

    // MARK: Planning (reads only)

    public struct Prepared: Sendable {
        public var services: [RollStateMachine.Service]
        public var facts: [String]
        public var steps: [ActionPlan.Step]
        /// Why a real run must be refused (the broker gate cannot run here), or nil.
        public var blocked: String?
    }

    /// Reads the services and, for broker services, Kafka; orders them and lists the steps.
    public func prepare(_ names: [String]) async throws(ActionError) -> Prepared {
        let described: ECS.DescribeServicesOutput
        do {
            described = try await client.ecs.describeAllServices(cluster: ecs.cluster, services: names)
        } catch {
            throw ActionError(.unavailable, "cannot read the services of \(ecs.cluster): \(error); nothing was changed")
        }
        var facts: [RollPlan.ServiceFacts] = []
        for name in names {
            if let failure = described.failures?.first(where: { $0.arn == name && $0.reason == ECS.Failure.unreadable }) {
                throw ActionError(.unavailable, "cannot read the service \(name) of \(ecs.cluster): \(failure.detail ?? "unreadable"); nothing was changed")
            }
            guard let service = described.services?.first(where: { $0.serviceName == name }), service.status != "INACTIVE" else {
                throw ActionError(.usage, "ECS cluster \(ecs.cluster) has no active service `\(name)`; nothing was changed")
            }
            // Running as the console counts it: the service's tasks by last status.
            let tasks: [TaskObservation]
            do {
                tasks = try await observeTasks(name, extra: [])
            } catch {
                throw ActionError(.unavailable, "cannot read the tasks of \(name) in \(ecs.cluster): \(error); nothing was changed")
            }
            let observed = ECSReading.service(service, tasks: tasks)
            facts.append(RollPlan.ServiceFacts(name: name, primaryDeployment: observed.deployment?.id, running: observed.running, desired: observed.desired))
        }
        var controllerID: Int?
        var blocked: String?
        if names.contains(where: { ecs.brokers[$0] != nil }) {
            switch await kafka.settledView() {
            case .metadata(let metadata): controllerID = metadata.controllerID.map(Int.init)
            case .unreachable(let why): blocked = "Kafka does not answer Metadata (\(why)), so the broker gate cannot run; refusing to roll broker services"
            case .unsupported(let why): blocked = why
            }
        }
        let services = RollPlan.services(names, ecs: ecs, controllerID: controllerID)
        return Prepared(services: services, facts: RollPlan.facts(facts, controllerID: controllerID),
                        steps: RollPlan.steps(services, cluster: ecs.cluster, timeout: timeout.configText), blocked: blocked)
    }

    // MARK: Running

    /// Rolls `services` in order, through the loop every action shares (``StepLoop``); throws
    /// `.halfway` (or `.interrupted`) naming the step, what is current and the command that finishes.
    public func run(_ services: [RollStateMachine.Service], session: ActionSession) async throws(ActionError) {
        var loop = StepLoop(RollStateMachine(services: services))
        var oldTasks: [String: [String]] = [:]
        var stepKey = ""
        var stepStarted = ContinuousClock.now
        var lastReason = ""
        let rerun = "lookout service roll --env \(environment.name) " + services.map { "--service \($0.name)" }.joined(separator: " ")
        let rolled: [String]
        do {
            rolled = try await loop.run(session: session, perform: { (machine: inout RollStateMachine, action) throws(ActionError) -> RollStateMachine.Action? in
                switch action {
                case .checkKafka(let service, let step):
                    if begin(step, service, &stepKey) { stepStarted = .now; announce(session, step, service) }
                    // Reads are given up on a signal: the loop then stops the roll.
                    // Before a broker's roll a closed connection is asked again (a broker that
                    // restarts closes it); after it, the pause between views does that.
                    let probe = kafka
                    guard let view = try? await Interruption.read({ step == .kafkaBefore ? await probe.settledView() : await probe.view() }) else { return nil }
                    return machine.kafkaObserved(view)
                case .forceDeployment(let service):
                    if begin(.forceDeployment, service, &stepKey) { stepStarted = .now; announce(session, .forceDeployment, service) }
                    do {
                        let before = try await Interruption.read { try await observeTasks(service, extra: []) }
                        oldTasks[service] = before.filter { $0.lastStatus != "STOPPED" }.map(\.arn)
                        let (client, cluster) = (client, ecs.cluster)
                        let previous = try await Interruption.read {
                            try await client.ecs.describeServices(cluster: cluster, services: [service]).services?.first?.deployments?.first { $0.status == "PRIMARY" }?.id
                        }
                        // The last boundary before the write.
                        if Interruption.pending != nil { return nil }
                        try session.record(step: "\(RollStateMachine.Step.forceDeployment.rawValue) \(service)", outcome: "started",
                                           versions: previous.map { ["previous_deployment": $0] } ?? [:])
                        let updated = try await client.ecs.updateService(cluster: ecs.cluster, service: service, forceNewDeployment: true)
                        guard let id = updated.service?.deployments?.first(where: { $0.status == "PRIMARY" })?.id else {
                            return machine.callFailed("UpdateService answered without a PRIMARY deployment")
                        }
                        return machine.deploymentCreated(id: id, previousID: previous)
                    } catch let error as ActionError {
                        throw error
                    } catch is Interruption.Stopped {
                        return nil
                    } catch {
                        return machine.callFailed("\(error)")
                    }
                case .observeDeployment(let service, let deploymentID):
                    if begin(.followDeployment, service, &stepKey) { stepStarted = .now; announce(session, .followDeployment, service) }
                    do {
                        let old = oldTasks[service] ?? []
                        return machine.deploymentObserved(try await Interruption.read { try await observe(service, deploymentID: deploymentID, old: old) })
                    } catch is Interruption.Stopped {
                        return nil
                    } catch {
                        return machine.callFailed("\(error)")
                    }
                case .pause(_, _, let reason):
                    if ContinuousClock.now - stepStarted >= timeout {
                        return machine.timedOut(after: timeout.configText)
                    }
                    if reason != lastReason {
                        session.say("      waiting: \(reason)")
                        lastReason = reason
                    }
                    await Interruption.wait(pollInterval)
                    return machine.retryDue()
                case .completed, .finished, .failed:
                    return machine.unexpectedStep(action)
                }
            }, kind: { _ in .halfway })
        } catch {
            throw error.adding(halfwayOrInterrupted: "\n  a re-run rolls again from the first service: \(rerun)")
        }
        session.say("rolled: \(rolled.joined(separator: ", "))")
    }

    private func begin(_ step: RollStateMachine.Step, _ service: String, _ key: inout String) -> Bool {
        let next = "\(step.rawValue) \(service)"
        guard next != key else { return false }
        key = next
        return true
    }

    private func announce(_ session: ActionSession, _ step: RollStateMachine.Step, _ service: String) {
        session.say("  ... \(step.rawValue) \(service)")
    }

    // MARK: ECS reads

    private func observe(_ service: String, deploymentID: String, old: [String]) async throws(AWSError) -> RolloutObservation {
        let described = try await client.ecs.describeServices(cluster: ecs.cluster, services: [service]).services?.first
        let tasks = try await observeTasks(service, extra: old)
        // A service ECS did not describe: one task wanted, no PRIMARY deployment known.
        let observed = described.map { ECSReading.service($0, tasks: tasks) }
            ?? ServiceObservation(name: service, desired: 1, running: 0, pending: 0, deployment: nil)
        return RolloutObservation(deploymentID: deploymentID, service: observed,
                                  ours: described?.deployments?.first { $0.id == deploymentID }.map(ECSReading.deployment),
                                  tasks: tasks, oldTaskARNs: old)
    }

    /// The service's tasks (by their `service:NAME` group; some ECS implementations ignore the
    /// serviceName filter) and the `extra` tasks by ARN, stopped ones included.
    private func observeTasks(_ service: String, extra: [String]) async throws(AWSError) -> [TaskObservation] {
        let listed = try await client.ecs.listAllTasks(cluster: ecs.cluster, filter: ECS.ListTasksFilter(serviceName: service))
        let arns = Array(Set(listed + extra)).sorted()
        guard !arns.isEmpty else { return [] }
        let described = try await client.ecs.describeAllTasks(cluster: ecs.cluster, tasks: arns)
        return (described.tasks ?? [])
            .filter { task in task.group == "service:\(service)" || extra.contains(task.taskArn ?? "") }
            .map(ECSReading.task)
    }
}

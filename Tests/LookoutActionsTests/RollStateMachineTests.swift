import LookoutActions
import LookoutModel
import LookoutKafka
import Testing

@Suite struct RollStateMachineTests {
    typealias Machine = RollStateMachine
    let broker1 = Machine.Service(name: "b1", brokerID: 1)
    let broker2 = Machine.Service(name: "b2", brokerID: 2)
    let plain = Machine.Service(name: "web", brokerID: nil)
    let healthy = BrokerGateTests.metadata()

    func done(_ id: String) -> RolloutObservation {
        RolloutObservation(deploymentID: id, primaryID: id, rolloutState: "COMPLETED", rolloutReason: nil, desiredCount: 1,
                              tasks: [.init(arn: "t/new", startedBy: id, lastStatus: "RUNNING", health: nil)], oldTaskARNs: ["t/old"])
    }

    func pending(_ id: String) -> RolloutObservation {
        RolloutObservation(deploymentID: id, primaryID: id, rolloutState: "IN_PROGRESS", rolloutReason: nil, desiredCount: 1,
                              tasks: [.init(arn: "t/old", startedBy: "ecs-svc/0", lastStatus: "RUNNING", health: nil)], oldTaskARNs: ["t/old"])
    }

    @Test func aBrokerServiceGoesThroughEveryStepInOrder() {
        var machine = Machine(services: [broker1])
        #expect(machine.start() == .checkKafka(service: "b1", step: .kafkaBefore))
        #expect(machine.kafkaObserved(healthy) == .completed(
            .init(service: "b1", step: .kafkaBefore, note: "1 partitions, none under-replicated or offline"),
            next: .forceDeployment(service: "b1")))
        #expect(machine.deploymentCreated(id: "ecs-svc/2", previousID: "ecs-svc/1") == .completed(
            .init(service: "b1", step: .forceDeployment, note: "deployment ecs-svc/2 created",
                  versions: ["deployment": "ecs-svc/2", "previous_deployment": "ecs-svc/1"]),
            next: .observeDeployment(service: "b1", deploymentID: "ecs-svc/2")))
        #expect(machine.deploymentObserved(pending("ecs-svc/2")) == .pause(service: "b1", step: .followDeployment,
                                                                            reason: "0 of 1 task(s) of ecs-svc/2 RUNNING; 1 old task(s) not STOPPED yet (old)"))
        #expect(machine.retryDue() == .observeDeployment(service: "b1", deploymentID: "ecs-svc/2"))
        guard case .completed(let report, let next) = machine.deploymentObserved(done("ecs-svc/2")) else { Issue.record("not completed"); return }
        #expect(report.step == .followDeployment)
        #expect(next == .checkKafka(service: "b1", step: .kafkaAfter))
        #expect(machine.kafkaObserved(healthy) == .completed(
            .init(service: "b1", step: .kafkaAfter, note: "1 partitions, none under-replicated or offline; broker 1 is in the metadata",
                  versions: ["deployment": "ecs-svc/2"]),
            next: .finished(rolled: ["b1"])))
    }

    @Test func aServiceThatIsNoBrokerIsNotGated() {
        var machine = Machine(services: [plain])
        #expect(machine.start() == .forceDeployment(service: "web"))
        _ = machine.deploymentCreated(id: "d", previousID: nil)
        guard case .completed(_, let next) = machine.deploymentObserved(done("d")) else { Issue.record("not completed"); return }
        #expect(next == .finished(rolled: ["web"]))
    }

    @Test func servicesRollOneAtATime() {
        var machine = Machine(services: [plain, broker1])
        #expect(machine.start() == .forceDeployment(service: "web"))
        _ = machine.deploymentCreated(id: "d", previousID: nil)
        guard case .completed(_, let next) = machine.deploymentObserved(done("d")) else { Issue.record("not completed"); return }
        #expect(next == .checkKafka(service: "b1", step: .kafkaBefore))
    }

    @Test func anUnhealthyClusterStopsTheRollBeforeAnyWrite() {
        var machine = Machine(services: [broker1, broker2])
        _ = machine.start()
        let sick = BrokerGateTests.metadata(partitions: [.init(id: 0, leader: 1, replicas: [1, 2, 3], isr: [1])])
        guard case .failed(let failure) = machine.kafkaObserved(sick) else { Issue.record("not failed"); return }
        #expect(failure.step == .kafkaBefore)
        #expect(failure.deploymentID == nil)
        #expect(failure.untouched == ["b2"])
        #expect(failure.message.contains("b1: not changed"))
        #expect(failure.message.contains("untouched: b2"))
    }

    @Test func aTimeoutWhileFollowingNamesTheStepAndWhatIsCurrent() {
        var machine = Machine(services: [broker1, broker2])
        _ = machine.start()
        _ = machine.kafkaObserved(healthy)
        _ = machine.deploymentCreated(id: "ecs-svc/2", previousID: "ecs-svc/1")
        _ = machine.deploymentObserved(pending("ecs-svc/2"))
        guard case .failed(let failure) = machine.timedOut(after: "10s") else { Issue.record("not failed"); return }
        #expect(failure == Machine.Failure(service: "b1", step: .followDeployment,
                                           reason: "timed out after 10s: 0 of 1 task(s) of ecs-svc/2 RUNNING; 1 old task(s) not STOPPED yet (old)",
                                           rolled: [], untouched: ["b2"], deploymentID: "ecs-svc/2"))
        #expect(failure.message.contains("deployment ecs-svc/2 was created by this run"))
    }

    @Test func afterTheRollTheGateWaitsThenTimesOut() {
        var machine = Machine(services: [broker1, broker2])
        _ = machine.start()
        _ = machine.kafkaObserved(healthy)
        _ = machine.deploymentCreated(id: "d", previousID: nil)
        _ = machine.deploymentObserved(done("d"))
        #expect(machine.kafkaObserved(.unreachable("refused")) == .pause(service: "b1", step: .kafkaAfter, reason: "Kafka does not answer Metadata: refused"))
        #expect(machine.retryDue() == .checkKafka(service: "b1", step: .kafkaAfter))
        guard case .failed(let failure) = machine.timedOut(after: "1m") else { Issue.record("not failed"); return }
        #expect(failure.step == .kafkaAfter)
        #expect(failure.reason == "timed out after 1m: Kafka does not answer Metadata: refused")
    }

    @Test func theSecondServiceIsGatedAgainAfterTheFirst() {
        var machine = Machine(services: [broker1, broker2])
        _ = machine.start()
        _ = machine.kafkaObserved(healthy)
        _ = machine.deploymentCreated(id: "d", previousID: nil)
        _ = machine.deploymentObserved(done("d"))
        guard case .completed(_, let next) = machine.kafkaObserved(healthy) else { Issue.record("not completed"); return }
        #expect(next == .checkKafka(service: "b2", step: .kafkaBefore))
        let sick = BrokerGateTests.metadata(partitions: [.init(id: 0, leader: -1, replicas: [1, 2, 3], isr: [])])
        guard case .failed(let failure) = machine.kafkaObserved(sick) else { Issue.record("not failed"); return }
        #expect(failure.rolled == ["b1"])
        #expect(failure.service == "b2")
    }

    @Test func aFailedCallStopsAtItsStep() {
        var machine = Machine(services: [plain])
        _ = machine.start()
        guard case .failed(let force) = machine.callFailed("ecs UpdateService: timed out") else { Issue.record("not failed"); return }
        #expect(force.step == .forceDeployment)
        #expect(force.reason.contains("may or may not have been created"))

        var following = Machine(services: [plain])
        _ = following.start()
        _ = following.deploymentCreated(id: "d", previousID: nil)
        guard case .failed(let follow) = following.callFailed("ecs DescribeTasks: timed out") else { Issue.record("not failed"); return }
        #expect(follow.step == .followDeployment)
        #expect(follow.deploymentID == "d")
    }

    @Test func aRollbackFailsTheFollowStep() {
        var machine = Machine(services: [plain])
        _ = machine.start()
        _ = machine.deploymentCreated(id: "d2", previousID: "d1")
        var rolledBack = done("d2")
        rolledBack.service.deployment = DeploymentObservation(id: "d3", rolloutState: nil, createdAt: nil)
        guard case .failed(let failure) = machine.deploymentObserved(rolledBack) else { Issue.record("not failed"); return }
        #expect(failure.reason.contains("no longer PRIMARY"))
    }

    @Test func eventsOutOfOrderFailInsteadOfActing() {
        var machine = Machine(services: [plain])
        guard case .failed(let failure) = machine.deploymentCreated(id: "d", previousID: nil) else { Issue.record("acted"); return }
        #expect(failure.reason.contains("internal error"))
        #expect(machine.retryDue() != .forceDeployment(service: "web"))
    }

    @Test func nothingToRollFinishesAtOnce() {
        var machine = Machine(services: [])
        #expect(machine.start() == .finished(rolled: []))
    }
}

import LookoutActions
import LookoutModel
import Testing

@Suite struct DeploymentProgressTests {
    typealias Task = TaskObservation
    let old = Task(arn: "arn:task/c/old", startedBy: "ecs-svc/1", lastStatus: "RUNNING", health: nil)

    func observe(_ tasks: [Task], primary: String? = "ecs-svc/2", rollout: String? = "IN_PROGRESS", desired: Int = 1) -> DeploymentProgress {
        DeploymentProgress.evaluate(RolloutObservation(deploymentID: "ecs-svc/2", primaryID: primary, rolloutState: rollout, rolloutReason: "circuit breaker",
                                                          desiredCount: desired, tasks: tasks, oldTaskARNs: ["arn:task/c/old"]))
    }

    @Test func waitsForTheNewTaskAndTheOldOneToStop() {
        #expect(observe([old]) == .waiting("0 of 1 task(s) of ecs-svc/2 RUNNING; 1 old task(s) not STOPPED yet (old)"))
        let pending = Task(arn: "arn:task/c/new", startedBy: "ecs-svc/2", lastStatus: "PENDING", health: nil)
        #expect(observe([old, pending]) == .waiting("0 of 1 task(s) of ecs-svc/2 RUNNING; 1 old task(s) not STOPPED yet (old)"))
        let running = Task(arn: "arn:task/c/new", startedBy: "ecs-svc/2", lastStatus: "RUNNING", health: nil)
        #expect(observe([old, running]) == .waiting("1 old task(s) not STOPPED yet (old)"))
    }

    @Test func completeWhenNewRunsAndOldStopped() {
        var stopped = old
        stopped.lastStatus = "STOPPED"
        let running = Task(arn: "arn:task/c/new", startedBy: "ecs-svc/2", lastStatus: "RUNNING", health: nil)
        #expect(observe([stopped, running]) == .complete("1 task(s) of ecs-svc/2 RUNNING (no health reported: new), 1 old task(s) STOPPED"))
        // An old task ECS no longer knows has gone.
        #expect(observe([running]) == .complete("1 task(s) of ecs-svc/2 RUNNING (no health reported: new), 1 old task(s) STOPPED"))
    }

    @Test func rolloutStateAloneIsNotEnough() {
        #expect(observe([old], rollout: "COMPLETED") == .waiting("0 of 1 task(s) of ecs-svc/2 RUNNING; 1 old task(s) not STOPPED yet (old)"))
    }

    @Test func unhealthyTasksDoNotCount() {
        let sick = Task(arn: "arn:task/c/new", startedBy: "ecs-svc/2", lastStatus: "RUNNING", health: "UNHEALTHY")
        #expect(observe([sick]) == .waiting("0 of 1 task(s) of ecs-svc/2 RUNNING (1 UNHEALTHY)"))
        let well = Task(arn: "arn:task/c/new", startedBy: "ecs-svc/2", lastStatus: "RUNNING", health: "HEALTHY")
        #expect(observe([well]) == .complete("1 task(s) of ecs-svc/2 RUNNING (healthy: new), 1 old task(s) STOPPED"))
    }

    @Test func aTaskOfAnotherDeploymentDoesNotCount() {
        let other = Task(arn: "arn:task/c/x", startedBy: "ecs-svc/3", lastStatus: "RUNNING", health: nil)
        #expect(observe([other]) == .waiting("0 of 1 task(s) of ecs-svc/2 RUNNING"))
    }

    @Test func aRollbackOrFailureFails() {
        #expect(observe([old], primary: "ecs-svc/1") == .failed("deployment ecs-svc/2 is no longer PRIMARY (ecs-svc/1 is): ECS rolled it back or someone deployed again"))
        #expect(observe([old], rollout: "FAILED") == .failed("deployment ecs-svc/2 FAILED: circuit breaker"))
    }
}

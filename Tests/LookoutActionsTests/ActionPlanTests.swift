import LookoutActions
import LookoutConfig
import Testing

@Suite struct ActionPlanTests {
    @Test func aRollPlanListsEveryStepInOrder() throws {
        let ecs = try #require(try ConfigFixture.environment().ecs)
        let services = RollPlan.services(["kafka-broker-1", "kafka-broker-2", "web"], ecs: ecs, controllerID: 1)
        #expect(services.map(\.name) == ["kafka-broker-2", "web", "kafka-broker-1"])
        let steps = RollPlan.steps(services, cluster: "kafka-dev", timeout: "5m")
        #expect(steps.map(\.name) == [
            "kafka-before kafka-broker-2", "force-deployment kafka-broker-2", "follow-deployment kafka-broker-2", "kafka-after kafka-broker-2",
            "force-deployment web", "follow-deployment web",
            "kafka-before kafka-broker-1", "force-deployment kafka-broker-1", "follow-deployment kafka-broker-1", "kafka-after kafka-broker-1",
        ])
        #expect(steps.filter(\.writes).map(\.name) == ["force-deployment kafka-broker-2", "force-deployment web", "force-deployment kafka-broker-1"])
        let plan = ActionPlan(environment: "dev", action: "service roll", target: "x", locks: RollPlan.lockNames(environment: "dev", services: ["web"]),
                              steps: steps, facts: ["web: PRIMARY deployment d, 1 of 1 running"])
        #expect(plan.rendered.hasPrefix("Plan: service roll x in dev\n  now: web: PRIMARY deployment d, 1 of 1 running\n  lock: /lookout/locks/dev/service/web\n  1. kafka-before kafka-broker-2: "))
        #expect(plan.rendered.contains("(read only)"))
    }
}

/// A config read the way lookout reads one.
enum ConfigFixture {
    static func environment() throws -> EnvironmentConfig {
        let yaml = """
            environments:
              - name: dev
                aws: { region: eu-west-1 }
                ecs:
                  cluster: kafka-dev
                  brokers: { kafka-broker-1: 1, kafka-broker-2: 2 }
            """
        return try Config.decode(yaml: yaml, file: "/tmp/lookout.yaml", home: "/tmp", stateHome: "/tmp").environments[0]
    }
}

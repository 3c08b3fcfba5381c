import Foundation
import Testing
@testable import LookoutModel
@testable import LookoutSources

@Suite struct NagiosOutputTests {
    private func environment(_ name: String, _ status: Status, findings: [Finding] = []) -> EnvironmentSnapshot {
        EnvironmentSnapshot(name: name, protected: false, readOnly: false, status: status,
                            sources: [SourceState(name: "ecs", status: status, fetchedAt: nil, ageSeconds: nil, durationMs: 7, error: nil, errorSince: nil)],
                            findings: findings)
    }

    @Test func firstLineCarriesStateSummaryAndPerfdataThenProblemsWorstFirst() {
        let snapshot = Snapshot(generatedAt: Date(), environments: [
            environment("dev", .ok),
            environment("acc", .warn, findings: [Finding(status: .warn, source: "autoscaling", object: "asg", message: "instance i-1 is Unhealthy | x")]),
            environment("prod", .crit, findings: [Finding(status: .crit, source: "ecs", object: "b1", message: "no task running (desired 1)")]),
        ])
        let lines = snapshot.nagiosOutput.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("LOOKOUT CRITICAL - 3 environments: 1 crit, 1 warn, 1 ok; worst: prod ecs b1: no task running (desired 1) | "))
        #expect(lines[0].filter { $0 == "|" }.count == 1)
        #expect(lines[1] == "CRITICAL: prod ecs b1: no task running (desired 1)")
        #expect(lines[2] == "WARNING: acc autoscaling asg: instance i-1 is Unhealthy / x")
        #expect(snapshot.nagiosExitCode == 2)
        #expect(snapshot.perfdata.contains("environments_crit=1;;;0;3"))
        #expect(snapshot.perfdata.contains("'prod_ecs_duration'=7ms;;;0;"))
    }
}

import Foundation
import Testing

@testable import LookoutAWS

/// Measurements for the record, printed, never asserted (`LOOKOUT_AWS_FIGURES=1` to run).
@Suite("Figures", .enabled(if: ProcessInfo.processInfo.environment["LOOKOUT_AWS_FIGURES"] == "1"))
struct FiguresTests {
    @Test("latency of signed calls against moto_server, one at a time and 100 at once")
    func latency() async throws {
        let (moto, seed) = try await SharedMoto.shared.get()
        let client = moto.client()
        _ = try await client.sts.getCallerIdentity()
        _ = try await client.ecs.describeServices(cluster: seed.ecs.cluster, services: ["svc-00"])
        let clock = ContinuousClock()
        var sts: [Duration] = []
        var ecs: [Duration] = []
        for _ in 0..<200 {
            sts.append(try await clock.measure { _ = try await client.sts.getCallerIdentity() })
            ecs.append(try await clock.measure {
                _ = try await client.ecs.describeServices(cluster: seed.ecs.cluster, services: ["svc-00"])
            })
        }
        func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
        let concurrent = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 { group.addTask { _ = try await client.sts.getCallerIdentity() } }
                try await group.waitForAll()
            }
        }
        print("figures: sequential median STS GetCallerIdentity \(median(sts)), ECS DescribeServices \(median(ecs))")
        print("figures: 100 concurrent GetCallerIdentity in \(concurrent)")
    }
}

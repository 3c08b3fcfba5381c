import Foundation
import Testing
import LookoutTestSupport

/// Issue 26's CI smoke: a small scale environment (`./sandbox/scale up` with 1,000 partitions,
/// 100 groups, 10 services), then `bench/scale.py --runs 1`: lookout's snapshot and check beside
/// confluent-kafka's and boto3's reads, every group's lag equal to confluent-kafka's. The
/// full-size run is outside CI (docs/performance.md).
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct ScaleSmokeSandboxTests {
    @Test func aSmallScaleEnvironmentReadsAsThePeersDo() throws {
        let scale = Sandbox.checkout.appendingPathComponent("sandbox/scale").path
        defer { _ = try? Sandbox.run(scale, ["down"]) }
        let up = try Sandbox.run(scale, ["up", "--partitions", "1000", "--groups", "100", "--services", "10", "--instances", "10",
                                         "--secrets", "20", "--certificates", "4"])
        #expect(up.status == 0, "scale up: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("1000 partitions in 50 topics, 101 groups"), "\(up.stdout)")
        let bench = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path,
                                    [Sandbox.checkout.appendingPathComponent("bench/scale.py").path, "--runs", "1", "--lookout", LookoutBinary.url.path],
                                    environment: ["LOOKOUT_SANDBOX": Sandbox.folder!.path])
        print(bench.stdout)
        #expect(bench.status == 0, "bench/scale.py: \(bench.stdout) \(bench.stderr)")
        #expect(bench.stdout.contains("lag: 101 of 101 groups equal confluent-kafka's"), "\(bench.stdout)")
    }
}

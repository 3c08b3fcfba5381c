import Foundation
import Testing
import LookoutTestSupport

/// `lookout events` against the sandbox, compared with what boto3 reads of the same changes
/// (ECS deployments, Auto Scaling activities, SSM versions of the configured secrets and
/// certificates; `Support/boto3_changes.py`): every change boto3 finds appears once, with the same
/// object and time, newest first; no value of a secret is printed. Read-only: it changes nothing.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct EventsSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()

    @Test(arguments: SandboxEnvironments.selected(["dev", "test", "acc", "prod"]))
    func everyChangeBoto3ReadsAppearsOnceNewestFirst(_ environment: String) throws {
        let since = Date().addingTimeInterval(-14 * 86_400)
        // The sandbox's ECS agent may finish a deployment between the two reads: read both again
        // (at most three times) until they were taken of the same state.
        var result = LookoutBinary.Result(status: -1, stdout: "", stderr: "")
        var events: [JSONObject] = [], boto: [[String: String]] = [], missing: [String] = [], mine: [JSONObject] = []
        for _ in 0..<3 {
            result = try LookoutBinary.run(["events", "--env", environment, "--since", "14d", "--format", "json"],
                                           environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
            let document = try parseJSON(result.stdout)
            events = document["events"] as? [JSONObject] ?? []
            #expect((document["unknown"] as? [Any])?.isEmpty == true, "a source failed: \(document["unknown"] ?? "")")
            boto = try JSONSerialization.jsonObject(with: Data(try Sandbox.python(Sandbox.support.appendingPathComponent("boto3_changes.py").path,
                                                                                 [Sandbox.folder!.path, environment, String(since.timeIntervalSince1970)]).utf8)) as? [[String: String]] ?? []
            // lookout reads more sources (stopped tasks, its audit log); each of boto3's appears once
            mine = events.filter { ["ecs", "autoscaling", "ssm"].contains($0["source"] as? String ?? "") && !($0["object"] as? String ?? "").hasPrefix("task ") }
            missing = boto.compactMap { change in
                let matches = mine.filter { $0["source"] as? String == change["source"] && $0["object"] as? String == change["object"]
                    && $0["time"] as? String == change["time"] && ($0["summary"] as? String ?? "").hasPrefix(change["kind"] ?? "\u{0}") }
                return matches.count == 1 ? nil : "\(change) appears \(matches.count) times"
            }
            if missing.isEmpty && mine.count == boto.count { break }
            Thread.sleep(forTimeInterval: 2)
        }
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        let times = events.compactMap { $0["time"] as? String }
        #expect(times == times.sorted(by: >), "newest first")
        #expect(!boto.isEmpty, "boto3 read no change at all in 14 days: the comparison would prove nothing")
        #expect(missing.isEmpty, "\(environment): \(missing)")
        #expect(mine.count == boto.count, "\(environment): lookout lists \(mine.count) such changes, boto3 \(boto.count)")
        let ssm = ((try Sandbox.info)["environments"] as? [String: Any]).flatMap { $0[environment] as? [String: Any] }?["ssm"] as? [String: String] ?? [:]
        for key in ["admin-password", "client-password", "broker-key"] {
            guard let path = ssm[key] else { continue }
            let needles = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("secure_values.py").path, [Sandbox.folder!.path, environment, path]))["needles"] as? [String] ?? []
            let leaked = needles.filter { result.stdout.contains($0) || result.stderr.contains($0) }.count
            #expect(leaked == 0, "\(environment) \(key): \(leaked) pieces of a secret's value in the output (not printed)")
        }
        print("events \(environment): \(events.count) events, \(boto.count) compared with boto3")
    }
}

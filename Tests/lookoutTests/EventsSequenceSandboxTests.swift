import Foundation
import Testing
import LookoutTestSupport

extension ActionsOnTheSandbox {
    /// Issue 28's sequence on acc: a roll, a rotation, a reissue, an instance marked unhealthy and
    /// a stalled group, one after the other, with `lookout snapshot` polling in between (it keeps
    /// what it observes in its state file) and a console running in tmux throughout (it keeps its
    /// own in memory). Then `lookout events` lists each change once, in order, with the object and
    /// time boto3 reads (ECS deployments, SSM parameter history; `Support/boto3_changes.py`), and
    /// the console's `:events` shows them too.
    @Suite(.serialized)
    struct EventsSequenceSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        var environment: [String: String] { Sandbox.lookoutEnvironment(stateHome: stateHome) }

        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            try LookoutBinary.run(arguments, environment: environment)
        }

        /// The tests' config with billing the only group, judged on a window of 3 polls without
        /// thresholds (its status is its verdict), polled every 3 s by the console, the CA files
        /// by absolute path.
        func config() throws -> String {
            let folder = Sandbox.folder!.path
            var text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
            text = text.replacingOccurrences(of: #"lag: \{[^}]*\}"#, with: #"lag: { groups: ["billing"], window: 3, min_samples: 3, allowance: 0 }"#,
                                             options: .regularExpression)
            text = text.replacingOccurrences(of: "refresh: 10s", with: "refresh: 3s")
            text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
            let path = stateHome + "/events-sequence.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// One `snapshot` of acc: billing's status (nil when not read).
        func poll(_ config: String) throws -> String? {
            let result = try lookout(["snapshot", "--config", config, "--env", "acc", "--format", "json"])
            #expect(result.status == 0 || result.status == 1 || result.status == 2, "snapshot: exit \(result.status): \(result.stderr)")
            let env = (try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first
            let groups = (env?["kafka"] as? JSONObject)?["groups"] as? [JSONObject] ?? []
            return groups.first { $0["id"] as? String == "billing" }?["status"] as? String
        }

        func billingCommitted() throws -> Int {
            let read = try parseJSON(try Sandbox.python(Sandbox.kafkaReads, [Sandbox.folder!.path, "acc", "offsets", "billing"]))
            return ((read["committed"] as? [String: [String: Int]])?["billing"] ?? [:]).values.reduce(0, +)
        }

        /// Waits (at most 60 s) until billing's committed total moves (`moving`) or holds still
        /// over 4 s (not `moving`), as confluent-kafka reads it.
        func waitForBilling(moving: Bool) throws {
            let deadline = Date().addingTimeInterval(60)
            var last = try billingCommitted()
            while Date() < deadline {
                Thread.sleep(forTimeInterval: moving ? 2 : 4)
                let now = try billingCommitted()
                if (now != last) == moving { return }
                last = now
            }
            Issue.record("billing's commits did not \(moving ? "move" : "stop") within 60 s")
        }

        func timeline(_ config: String, since: Date) throws -> (events: [JSONObject], unknown: [Any]) {
            let result = try lookout(["events", "--config", config, "--env", "acc", "--since", "1h", "--format", "json"])
            #expect(result.status == 0, "events: exit \(result.status): \(result.stderr)")
            let document = try parseJSON(result.stdout)
            let all = document["events"] as? [JSONObject] ?? []
            let iso = ISO8601DateFormatter()
            return (all.filter { (iso.date(from: $0["time"] as? String ?? "") ?? .distantPast) >= since.addingTimeInterval(-1) }, document["unknown"] as? [Any] ?? [])
        }

        @Test(.enabled(if: TmuxSession.available, "no tmux on PATH"))
        func aRollARotationAReissueAnUnhealthyInstanceAndAStalledGroupEachAppearOnceInOrder() throws {
            let reissue = CertReissueSandboxTests()
            defer {
                try? Sandbox.scenario("reset", "acc")
                try? reissue.settle()
            }
            try reissue.settle()
            let config = try config()
            try waitForBilling(moving: true)
            let began = Date()
            // the console, polling acc every 3 s all through
            let tmux = try TmuxSession(width: 220, height: 90, arguments: ["--config", config, "--env", "acc", "--read-only"], environment: environment)
            defer { tmux.close() }

            var statuses: [String?] = [try poll(config)]
            let rolled = try lookout(["service", "roll", "--config", config, "--env", "acc", "--service", "kafka-broker-2", "--yes"])
            #expect(rolled.status == 0, "roll: \(rolled.stdout) \(rolled.stderr)")
            try reissue.waitForAgent()
            statuses.append(try poll(config))
            let rotated = try lookout(["secret", "rotate", "--config", config, "--env", "acc", "--secret", "client-password", "--yes"])
            #expect(rotated.status == 0, "rotate: \(rotated.stdout) \(rotated.stderr)")
            try reissue.waitForAgent()
            statuses.append(try poll(config))
            let reissued = try lookout(["cert", "reissue", "--config", config, "--env", "acc", "--cert", "broker", "--yes"])
            #expect(reissued.status == 0, "reissue: \(reissued.stdout) \(reissued.stderr)")
            try reissue.waitForAgent()
            try waitForBilling(moving: true)
            for _ in 0..<2 { statuses.append(try poll(config)); Thread.sleep(forTimeInterval: 2) }
            statuses.append(try poll(config))
            #expect(statuses.last == "ok", "billing is not ok before the stall: \(statuses)")

            try Sandbox.scenario("instance-unhealthy", "acc")
            statuses.append(try poll(config))
            try Sandbox.scenario("group-stalled", "acc")
            try waitForBilling(moving: false)
            for _ in 0..<6 where statuses.last != "stall" {
                statuses.append(try poll(config))
                if statuses.last != "stall" { Thread.sleep(forTimeInterval: 3) }
            }
            #expect(statuses.last == "stall", "billing never turned stall: \(statuses)")

            // lookout's timeline against boto3's reads of the same changes
            var (events, unknown) = try timeline(config, since: began)
            var boto: [[String: String]] = [], missing: [String] = []
            for attempt in 0..<3 {
                if attempt > 0 {
                    Thread.sleep(forTimeInterval: 2)
                    (events, unknown) = try timeline(config, since: began)
                }
                boto = try JSONSerialization.jsonObject(with: Data(try Sandbox.python(Sandbox.support.appendingPathComponent("boto3_changes.py").path,
                                                                                     [Sandbox.folder!.path, "acc", String(began.timeIntervalSince1970 - 1)]).utf8)) as? [[String: String]] ?? []
                missing = boto.compactMap { change in
                    let matches = events.filter { $0["source"] as? String == change["source"] && $0["object"] as? String == change["object"]
                        && $0["time"] as? String == change["time"] && ($0["summary"] as? String ?? "").hasPrefix(change["kind"] ?? "\u{0}") }
                    return matches.count == 1 ? nil : "\(change) appears \(matches.count) times"
                }
                if missing.isEmpty { break }
            }
            #expect(unknown.isEmpty, "a source failed: \(unknown)")
            #expect(missing.isEmpty, "\(missing)")
            func only(_ source: String, _ object: String, _ summary: String) -> [JSONObject] {
                events.filter { $0["source"] as? String == source && $0["object"] as? String == object && ($0["summary"] as? String ?? "").contains(summary) }
            }
            let roll = only("lookout", "kafka-broker-2", "service roll ok")
            let rotation = only("lookout", "client-password", "secret rotate ok")
            let reissueDone = only("lookout", "broker", "cert reissue ok")
            let deployments = only("ecs", "service kafka-broker-2", "started")
            let secretVersions = only("ssm", "secret client-password", "written")
            let certVersions = only("ssm", "certificate broker", "written"), keyVersions = only("ssm", "certificate broker key", "written")
            let unhealthy = events.filter { $0["source"] as? String == "autoscaling" && ($0["object"] as? String ?? "").hasPrefix("instance ")
                && ($0["summary"] as? String ?? "").contains("health Healthy → Unhealthy") }
            let stalled = only("groups", "group billing", "→ stall")
            for (name, found) in [("roll", roll), ("rotation", rotation), ("reissue", reissueDone), ("secret version", secretVersions),
                                  ("certificate version", certVersions), ("key version", keyVersions), ("unhealthy instance", unhealthy), ("stalled group", stalled)] {
                #expect(found.count == 1, "\(name): \(found.count) events: \(found)")
            }
            // ECS keeps a service's deployments only while they are current: the roll's and the
            // rotation's deployments of kafka-broker-2 were superseded by the reissue's, and neither
            // boto3 nor lookout can read them (ListServiceDeployments would; moto has no such call)
            #expect(deployments.count == 1, "kafka-broker-2's deployments: \(deployments)")
            #expect((deployments.first?["time"] as? String ?? "") >= (rotation.first?["time"] as? String ?? "~"), "\(deployments) \(rotation)")
            let times = [roll, rotation, reissueDone, unhealthy, stalled].map { $0.first?["time"] as? String ?? "" }
            #expect(times == times.sorted() && !times.contains(""), "not in order: \(times)")
            let all = events.compactMap { $0["time"] as? String }
            #expect(all == all.sorted(by: >), "newest first")

            // the console's :events: the same changes, its own observations among them
            try tmux.type(":events")
            try tmux.send("Enter")
            let screen = try tmux.wait(seconds: 30) { lines in
                let text = lines.joined(separator: "\n")
                return text.contains("service roll ok") && text.contains("secret rotate ok") && text.contains("cert reissue ok")
                    && text.contains("health Healthy → Unhealthy") && text.contains("→ stall")
            }
            let text = screen.joined(separator: "\n")
            #expect(text.contains("Changes"), "\(text)")
            for needle in ["service roll ok", "secret rotate ok", "cert reissue ok", "health Healthy → Unhealthy", "→ stall",
                           "of /kafka/acc/client-password written"] {
                #expect(text.contains(needle), "the console's :events has no `\(needle)`:\n\(text)")
            }
            print("events sequence on acc: \(events.count) events since the start, \(boto.count) compared with boto3; billing \(statuses.map { $0 ?? "-" })")
        }
    }
}

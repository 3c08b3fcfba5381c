import Foundation
import Testing
import LookoutTestSupport

/// `lookout serve` scraped by a real Prometheus (Debian's `prometheus`, which scripts/test
/// installs with its service left off; this test starts its own on loopback) with the rules of
/// `examples/prometheus/`: the rules load (`promtool check rules`), the target is up and scraped in
/// OpenMetrics, lookout's and kafka-lag-exporter's series are there, and the `group-stalled`
/// scenario makes billing's LookoutGroupStoppedOrStalled alert go pending. Inside the Kafka suite,
/// so that no other dev group test meets the scenario.
extension KafkaSnapshotSandboxTests {
@Suite("lookout serve scraped by Prometheus")
struct PrometheusSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"
    static var rules: String { LookoutBinary.repository.appendingPathComponent("examples/prometheus/lookout.rules.yml").path }

    func get(_ url: String, accept: String? = nil) throws -> (status: Int, type: String, body: String) {
        let result = try Sandbox.run("/usr/bin/curl", ["-s", "-m", "5", "-o", "/dev/stdout", "-w", "\n%{http_code} %{content_type}"]
                                     + (accept.map { ["-H", "Accept: \($0)"] } ?? []) + [url])
        var lines = result.stdout.components(separatedBy: "\n")
        let last = lines.popLast() ?? ""
        let parts = last.split(separator: " ", maxSplits: 1)
        return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? String(parts[1]) : "", lines.joined(separator: "\n"))
    }

    func freePort() throws -> Int {
        let result = try Sandbox.run("/usr/bin/python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Polls `condition` every second until it holds or `seconds` pass; the last value either way.
    func waitFor<T>(_ seconds: Double, _ condition: () throws -> (ok: Bool, value: T)) rethrows -> (ok: Bool, value: T) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try condition()
        while !last.ok && Date() < deadline {
            Thread.sleep(forTimeInterval: 1)
            last = try condition()
        }
        return last
    }

    @Test func rulesLoadTheTargetIsScrapedAndAStalledGroupsAlertGoesPending() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.prometheus), "no \(Self.prometheus): scripts/test installs Debian's prometheus")
        let check = try Sandbox.run(Self.promtool, ["check", "rules", Self.rules])
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 6 rules found"), "\(check.stdout)\(check.stderr)")

        // lookout serve on dev only, polling every 2 s with a window of 3 (a verdict within seconds)
        let dev = try #require((try Sandbox.info)["environments"] as? [String: Any])["dev"] as? [String: Any]
        let bootstrap = try #require(dev?["kafka_bootstrap"] as? String)
        let config = stateHome + "/serve.yaml"
        try """
            refresh: 2s
            environments:
              - name: dev
                aws: { region: eu-west-1 }
                kafka:
                  bootstrap: ["\(bootstrap)"]
                  lag: { groups: ["*"], window: 3, min_samples: 3, allowance: 0 }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let servePort = try freePort()
        let serve = try BackgroundLookout(["serve", "--config", config, "--listen", "127.0.0.1:\(servePort)"],
                                          environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        defer { serve.process.terminate(); _ = serve.finish() }
        let base = "http://127.0.0.1:\(servePort)"
        let healthy = try waitFor(30) { let r = try get(base + "/healthz"); return (r.status == 200, r) }
        #expect(healthy.ok, "healthz: \(healthy.value); stderr: \(serve.stderr)")

        // Prometheus of its own, on loopback, with the example rules, scraping serve every second
        let promPort = try freePort()
        let folder = stateHome + "/prometheus"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            rule_files: ["\(Self.rules)"]
            scrape_configs:
              - job_name: lookout
                static_configs: [{ targets: ["127.0.0.1:\(servePort)"] }]
            """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: Self.prometheus)
        prometheus.arguments = ["--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                                "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try prometheus.run()
        defer { prometheus.terminate(); prometheus.waitUntilExit() }
        let api = "http://127.0.0.1:\(promPort)/api/v1"

        let target = try waitFor(30) { () -> (ok: Bool, value: String) in
            let r = try get(api + "/targets")
            return (r.body.contains("\"health\":\"up\""), r.body)
        }
        #expect(target.ok, "the target never came up: \(target.value.prefix(600))")
        // Prometheus asks for OpenMetrics first, and gets it
        let open = try get(base + "/metrics", accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
        #expect(open.type.hasPrefix("application/openmetrics-text") && open.body.hasSuffix("# EOF\n"))
        for query in ["lookout_poll_cycles_total", "kafka_consumergroup_group_sum_lag", "burrow_kafka_consumer_status", "lookout_environment_status"] {
            let found = try waitFor(15) { () -> (ok: Bool, value: String) in
                let r = try get(api + "/query?query=\(query)")
                return (r.body.contains("\"result\":[{"), r.body)
            }
            #expect(found.ok, "Prometheus has no \(query): \(found.value.prefix(300))")
        }

        // billing's commits stop while its consumer stays: stall, and the rule's alert goes pending
        let pendingBilling = { () throws -> (ok: Bool, value: String) in
            let r = try get(api + "/alerts")
            let alerts = ((try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any])?["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
            let billing = alerts.first { ($0["labels"] as? [String: String])?["group"] == "billing" && ($0["labels"] as? [String: String])?["alertname"] == "LookoutGroupStoppedOrStalled" }
            return (billing?["state"] as? String == "pending", r.body)
        }
        #expect(try !pendingBilling().ok, "billing's alert before the scenario")
        try Sandbox.scenario("group-stalled", "dev")
        defer { try? Sandbox.scenario("reset", "dev") }
        let pending = try waitFor(75, pendingBilling)
        #expect(pending.ok, "billing's LookoutGroupStoppedOrStalled never went pending: \(pending.value.prefix(800))")
        let cycles = try get(base + "/metrics").body.split(separator: "\n").first { $0.hasPrefix("lookout_poll_cycles_total{environment=\"dev\"}") }
        print("prometheus: target up, alert pending for billing; \(cycles ?? "no poll count")")
    }
}
}

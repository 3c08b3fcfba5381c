import Foundation
import LookoutTestSupport
import Testing

/// Hostile answers fed to the built binary by servers of `Tests/Support/hostile_server.py`
/// (python `cryptography` and `http.server`): each fails its own source with a clear error and
/// nothing traps (before, a 5-byte IP SAN killed `snapshot` with exit 132, an XML answer 50,000
/// deep with SIGSEGV). No sandbox is needed: private servers on loopback, the venv's python.
@Suite("Hostile bytes through the binary", .serialized)
struct HostileBytesTests {
    /// The venv's python (`scripts/test` sets `LOOKOUT_PYTHON`; it has `cryptography`), else `python3` on PATH.
    static let python = ProcessInfo.processInfo.environment["LOOKOUT_PYTHON"] ?? which("python3") ?? "/usr/bin/python3"
    static let server = SandboxLocation.repository.appendingPathComponent("Tests/Support/hostile_server.py").path

    static let broker = SandboxLocation.repository.appendingPathComponent("Tests/Support/hostile_broker.py").path
    static let brokerCheck = SandboxLocation.repository.appendingPathComponent("Tests/Support/hostile_broker_check.py").path

    /// Starts `hostile_server.py MODE` (or `script`); returns its port and the process (killed by the caller).
    func start(_ mode: String, script: String = Self.server) throws -> (port: Int, process: Process) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [script, mode, portFile]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) { return (port, process) }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        throw SandboxError("hostile_server.py \(mode) did not start")
    }

    func config(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-hostile-\(UUID().uuidString).yaml").path
        try ("timeouts: { source: 5s }\nenvironments:\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One environment whose only source is Auto Scaling (AWS Query: XML), at the hostile server.
    func autoScalingConfig(port: Int) throws -> String {
        try config("""
              - name: hostile
                aws: { region: eu-west-1, endpoint: "http://127.0.0.1:\(port)" }
                autoscaling:
                  groups: [kafka-hostile-asg]

            """)
    }

    let environment = ["AWS_ACCESS_KEY_ID": "AKIDHOSTILE", "AWS_SECRET_ACCESS_KEY": "hostile-secret", "AWS_EC2_METADATA_DISABLED": "true"]

    func stateHome() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lookout-hostile-state-\(UUID().uuidString)").path
    }

    @Test func aServedCertificateWithA5ByteIPAddressIsThatEndpointsProblem() throws {
        let (port, server) = try start("tls-bad-san")
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try config("""
              - name: hostile
                aws: { region: eu-west-1 }
                endpoints:
                  - { name: bad-san, address: "127.0.0.1:\(port)", tls: true, kafka: false, timeout: 3s }

            """)
        let env = environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 }
        let json = try LookoutBinary.run(["snapshot", "--config", path, "--format", "json"], environment: env)
        #expect(json.status == 0, "exit \(json.status); stderr: \(json.stderr)")
        let document = try parseJSON(json.stdout)
        let text = json.stdout
        #expect(text.contains("<an IP address of 5 bytes>") || text.contains("<an IP address of 3 bytes>") || text.contains("TLS"),
                "the endpoint's problem is not named: \(text.prefix(2000))")
        #expect((document["environments"] as? [JSONObject])?.first?["status"] as? String != "ok")

        let table = try LookoutBinary.run(["snapshot", "--config", path, "--format", "table"], environment: env)
        #expect(table.status == 0, "exit \(table.status); stderr: \(table.stderr)")
        #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{07}"), "a control character reached the table")
        let check = try LookoutBinary.run(["check", "--config", path], environment: env)
        #expect((0...3).contains(check.status), "check exit \(check.status); stderr: \(check.stderr)")
        #expect(check.stdout.hasPrefix("LOOKOUT "), "\(check.stdout)")
        #expect(!check.stdout.contains("\u{1B}"), "a control character reached check's lines")
        print("a 5-byte IP SAN: snapshot exit \(json.status), check exit \(check.status): \(check.stdout.split(separator: "\n").first ?? "")")
    }

    /// An AWS error whose code and message carry terminal escapes (raw and as XML character
    /// references): every output shows them escaped, none reaches the terminal raw.
    @Test func anAWSErrorWithControlCharactersCannotDriveTheTerminal() throws {
        let (port, server) = try start("evil-error")
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try autoScalingConfig(port: port)
        let env = environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 }
        let raw: Set<UInt32> = [0x1B, 0x07, 0x0D, 0x9B, 0x202E]
        for arguments in [["snapshot", "--format", "table"], ["check"], ["snapshot", "--format", "json"]] {
            let result = try LookoutBinary.run(arguments + ["--config", path], environment: env)
            #expect((0...3).contains(result.status), "\(arguments): exit \(result.status); stderr: \(result.stderr)")
            if arguments.last == "json" {
                // JSON's own rules: C0 as \u001b, the rest as it is; a JSON reader gets the text back.
                let errors = ((try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first?["errors"] as? [JSONObject]) ?? []
                #expect(errors.contains { ($0["message"] as? String)?.contains("Throttling\u{1B}]0;pwned\u{07}") == true }, "\(errors)")
                continue
            }
            for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
                #expect(!text.unicodeScalars.contains { raw.contains($0.value) }, "\(arguments) \(name): a control character got through")
            }
            #expect(result.stdout.contains("Throttling\\u{1B}]0;pwned\\u{7}"), "\(arguments): not shown escaped: \(result.stdout.prefix(1500))")
            #expect(result.stdout.contains("\\u{202E}forged \\u{9B}31m"), "\(arguments): not shown escaped: \(result.stdout.prefix(1500))")
        }
    }

    @Test(arguments: [("deep-xml", "nested deeper than 64"), ("huge-body", "larger than 16 MiB")])
    func anAWSAnswerTooDeepOrTooLargeFailsItsSourceAlone(mode: String, error: String) throws {
        let (port, server) = try start(mode)
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try autoScalingConfig(port: port)
        let result = try LookoutBinary.run(["snapshot", "--config", path, "--format", "json"],
                                           environment: environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 })
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr)")
        let document = try parseJSON(result.stdout)
        let hostile = (document["environments"] as? [JSONObject])?.first
        let sources = (hostile?["sources"] as? [JSONObject]) ?? []
        let autoscaling = try #require(sources.first { $0["name"] as? String == "autoscaling" }, "\(result.stdout.prefix(1500))")
        #expect(autoscaling["status"] as? String == "unknown")
        let message = ((hostile?["errors"] as? [JSONObject]) ?? []).first { $0["source"] as? String == "autoscaling" }?["message"] as? String
        #expect(message?.contains(error) == true, "\(message ?? "no error for autoscaling")")
        print("\(mode): autoscaling \(autoscaling["status"] ?? "-"): \(message ?? "-")")
    }

    func ecsConfig(port: Int) throws -> String {
        try config("""
              - name: hostile
                aws: { region: eu-west-1, endpoint: "http://127.0.0.1:\(port)" }
                ecs:
                  cluster: c
                  services: [broker-a, poison, broker-b, broker-c]

            """)
    }

    func counts(_ port: Int) throws -> [String: Int] {
        let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/counts")!)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:]
    }

    /// The AWS bulkhead: a DescribeServices batch that names a service whose answer does not
    /// read is asked again in halves; that service is unknown alone (counts null, its error),
    /// the other three are read and ok. boto3 first: it reads the server as an ECS (and gets
    /// nothing back for a batch that names `poison`: botocore keeps an unreadable body as a message).
    @Test func oneUnreadableServiceIsUnknownAloneAndTheRestAreRead() throws {
        let (port, server) = try start("ecs-poison")
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let proof = try Sandbox.run(Self.python, ["-c", """
            import boto3, botocore.config, json, sys
            ecs = boto3.client("ecs", region_name="eu-west-1", endpoint_url=sys.argv[1],
                               config=botocore.config.Config(retries={"max_attempts": 1}))
            good = [s["serviceName"] for s in ecs.describe_services(cluster="c", services=["broker-a", "broker-b"])["services"]]
            bad = ecs.describe_services(cluster="c", services=["broker-a", "poison"]).get("services", [])
            print(json.dumps({"good": good, "bad": bad}))
            """, "http://127.0.0.1:\(port)"], environment: environment)
        #expect(proof.status == 0, "boto3: \(proof.stderr)")
        let read = try parseJSON(proof.stdout)
        #expect(read["good"] as? [String] == ["broker-a", "broker-b"] && (read["bad"] as? [Any])?.isEmpty == true, "\(read)")
        let before = try counts(port)["DescribeServices"] ?? 0

        let path = try ecsConfig(port: port)
        let env = environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 }
        let result = try LookoutBinary.run(["snapshot", "--config", path, "--format", "json"], environment: env)
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr)")
        let hostile = (try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first
        let ecsSource = ((hostile?["sources"] as? [JSONObject]) ?? []).first { $0["name"] as? String == "ecs" }
        // The source answered (no error of its own, fresh); its status is its worst service's.
        #expect(ecsSource?["age_seconds"] as? Int == 0, "the source is read: \(ecsSource ?? [:])")
        #expect(!((hostile?["errors"] as? [JSONObject]) ?? []).contains { $0["source"] as? String == "ecs" }, "\(hostile?["errors"] ?? "")")
        let services = ((hostile?["ecs"] as? JSONObject)?["services"] as? [JSONObject]) ?? []
        let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName.keys.sorted() == ["broker-a", "broker-b", "broker-c", "poison"], "\(services)")
        for name in ["broker-a", "broker-b", "broker-c"] {
            #expect(byName[name]?["status"] as? String == "ok" && byName[name]?["running"] as? Int == 1, "\(name): \(byName[name] ?? [:])")
        }
        let poison = byName["poison"]
        #expect(poison?["status"] as? String == "unknown")
        #expect(poison?["desired"] is NSNull && poison?["running"] is NSNull, "no silent zero: \(poison ?? [:])")
        #expect((poison?["error"] as? String)?.contains("asked for it alone") == true, "\(poison ?? [:])")
        // 4 asked: the batch, [broker-a, poison], [broker-a], [poison], [broker-b, broker-c].
        let calls = (try counts(port)["DescribeServices"] ?? 0) - before
        #expect(calls == 5, "DescribeServices calls: \(calls)")

        let table = try LookoutBinary.run(["snapshot", "--config", path, "--format", "table"], environment: env)
        #expect(table.stdout.contains("poison"), "\(table.stdout)")
        let check = try LookoutBinary.run(["check", "--config", path], environment: env)
        #expect(check.status == 3, "an unreadable service is UNKNOWN: exit \(check.status) \(check.stdout)")
        #expect(check.stdout.contains("poison"), "\(check.stdout)")
        print("ecs-poison: \(calls) DescribeServices calls; poison: \(poison?["error"] ?? "-")")
    }

    /// When every DescribeServices answer is unreadable the failure is the service's, not one
    /// item's: the source is unknown with the batch's own error, after a few calls, not one per item.
    @Test func aServiceThatGarblesEveryAnswerFailsTheSourceWithinAFewCalls() throws {
        let (port, server) = try start("all-poison")
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try ecsConfig(port: port)
        let result = try LookoutBinary.run(["snapshot", "--config", path, "--format", "json"],
                                           environment: environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 })
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr)")
        let hostile = (try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first
        let ecsSource = ((hostile?["sources"] as? [JSONObject]) ?? []).first { $0["name"] as? String == "ecs" }
        #expect(ecsSource?["status"] as? String == "unknown", "\(ecsSource ?? [:])")
        let message = ((hostile?["errors"] as? [JSONObject]) ?? []).first { $0["source"] as? String == "ecs" }?["message"] as? String
        #expect(message?.contains("DescribeServices") == true && message?.contains("asked for it alone") == false, "\(message ?? "-")")
        // the batch of 4, then [broker-a, poison] → [broker-a] fails alone → [poison] once fails too:
        // that half fails beyond one item, so the batch's own error, without asking [broker-b, broker-c].
        let calls = try counts(port)["DescribeServices"] ?? 0
        #expect(calls == 4, "DescribeServices calls: \(calls)")
    }

    // MARK: a broker playing hostile (Tests/Support/hostile_broker.py, proven with confluent-kafka)

    func kafkaConfig(port: Int) throws -> String {
        try config("""
              - name: hostile
                aws: { region: eu-west-1 }
                kafka:
                  bootstrap: ["127.0.0.1:\(port)"]
                  lag: { groups: ["*"] }

            """)
    }

    /// confluent-kafka reads the broker as the mode promises (hostile_broker_check.py, its own broker).
    func proveBroker(_ mode: String) throws {
        let proof = try Sandbox.run(Self.python, [Self.brokerCheck, mode])
        #expect(proof.status == 0, "confluent-kafka against hostile_broker.py \(mode): \(proof.stdout.suffix(1500)) \(proof.stderr.suffix(1500))")
    }

    static let evilGroup = "evil\u{1B}]0;pwned\u{07}\u{202E}group\u{9B}31m"
    static let evilTopic = "evil\u{1B}]0;pwned\u{07}topic\u{9B}31m\u{202E}"

    /// Topic names, a group id, a member's client id and host and the cluster id that carry an OSC
    /// title sequence, a bell, a C1 CSI and a right-to-left override, from a broker that speaks
    /// Kafka (Metadata v12, ListGroups v5, DescribeGroups v5, OffsetFetch v9, ListOffsets v8):
    /// escaped in the table, `check` and stderr; kept (escaped by JSON's rules) in the JSON; a
    /// valid exposition that Prometheus's own parser reads back with the same label values.
    @Test func hostileNamesFromABrokerCannotDriveTheTerminalOrBreakAScrape() throws {
        try proveBroker("evil-names")
        let (port, server) = try start("evil-names", script: Self.broker)
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try kafkaConfig(port: port)
        let env = environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 }
        let raw: Set<UInt32> = [0x1B, 0x07, 0x9B, 0x202E]
        for arguments in [["snapshot", "--format", "table"], ["check"]] {
            let result = try LookoutBinary.run(arguments + ["--config", path], environment: env)
            #expect((0...3).contains(result.status), "\(arguments): exit \(result.status); stderr: \(result.stderr)")
            for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
                #expect(!text.unicodeScalars.contains { raw.contains($0.value) }, "\(arguments) \(name): a control character got through: \(text.prefix(2000))")
            }
            if arguments.first == "snapshot" {
                #expect(result.stdout.contains("evil\\u{1B}]0;pwned\\u{7}\\u{202E}group\\u{9B}31m"), "the group, escaped: \(result.stdout.prefix(3000))")
                #expect(result.stdout.contains("evil\\u{1B}]0;pwned\\u{7}topic\\u{9B}31m\\u{202E}"), "the topic, escaped: \(result.stdout.prefix(3000))")
            }
        }
        let json = try LookoutBinary.run(["snapshot", "--format", "json", "--config", path], environment: env)
        #expect(json.status == 0, "exit \(json.status); stderr: \(json.stderr)")
        let kafka = ((try parseJSON(json.stdout)["environments"] as? [JSONObject])?.first?["kafka"] as? JSONObject) ?? [:]
        let groups = (kafka["groups"] as? [JSONObject]) ?? []
        let evil = groups.first { $0["id"] as? String == Self.evilGroup }
        #expect(evil != nil, "the group id back as the broker sent it: \(groups.map { $0["id"] ?? "" })")
        #expect(evil?["lag"] as? Int == 1_200, "600 behind on each of 2 partitions: \(evil ?? [:])")
        #expect(((kafka["topics"] as? [JSONObject]) ?? []).contains { $0["name"] as? String == Self.evilTopic })

        let scrape = try LookoutBinary.run(["snapshot", "--format", "prometheus", "--config", path], environment: env)
        #expect(scrape.status == 0, "exit \(scrape.status); stderr: \(scrape.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-hostile-\(UUID().uuidString).prom")
        try scrape.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let parsed = try Sandbox.run(Self.python, ["-c", """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            groups = set()
            for family in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
                for sample in family.samples:
                    if "group" in sample.labels:
                        groups.add(sample.labels["group"])
            print(json.dumps(sorted(groups)))
            """, file.path])
        #expect(parsed.status == 0, "prometheus_client could not parse the exposition: \(parsed.stderr)")
        let labels = (try? JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String]) ?? []
        #expect(labels.contains(Self.evilGroup), "the group label read back as sent: \(labels)")
        print("evil-names: \(groups.count) groups read; prometheus_client read \(labels.count) group labels")
    }

    /// Offsets at the edges of Int64 and commits on partitions the metadata does not name, from a
    /// broker: the lag saturates at Int64.max instead of trapping, a commit past the end is lag 0,
    /// and the unnamed partitions are named in the group's error and ignored.
    @Test func offsetsAtTheEdgesOfInt64SaturateAndUnnamedPartitionsAreIgnored() throws {
        try proveBroker("extreme-offsets")
        let (port, server) = try start("extreme-offsets", script: Self.broker)
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let path = try kafkaConfig(port: port)
        let env = environment.merging(["XDG_STATE_HOME": stateHome()]) { $1 }
        let json = try LookoutBinary.run(["snapshot", "--format", "json", "--config", path], environment: env)
        #expect(json.status == 0, "exit \(json.status); stderr: \(json.stderr)")
        let groups = ((((try parseJSON(json.stdout)["environments"] as? [JSONObject])?.first?["kafka"] as? JSONObject)?["groups"]) as? [JSONObject]) ?? []
        let billing = try #require(groups.first { $0["id"] as? String == "billing" }, "\(json.stdout.prefix(2000))")
        #expect(billing["lag"] as? Int == Int.max, "saturated: \(billing["lag"] ?? "-")")
        var partitions: [String: JSONObject] = [:]
        for topic in billing["topics"] as? [JSONObject] ?? [] {
            for partition in topic["partitions"] as? [JSONObject] ?? [] {
                partitions["\(topic["topic"] as? String ?? "")/\(partition["partition"] as? Int ?? -1)"] = partition
            }
        }
        #expect(partitions["orders/1"]?["lag"] as? Int == Int.max, "\(partitions["orders/1"] ?? [:])")
        #expect(partitions["orders/2"]?["lag"] as? Int == 0, "a commit past the end: \(partitions["orders/2"] ?? [:])")
        #expect(partitions["orders/2147483646"] == nil && partitions["orders/-5"] == nil, "\(partitions.keys.sorted())")
        #expect(json.stdout.contains("commits on 2 partitions the metadata does not name (orders/-5"), "the unnamed partitions are named: \(json.stdout.prefix(3000))")
        for arguments in [["check"], ["snapshot", "--format", "table"], ["snapshot", "--format", "prometheus"]] {
            let result = try LookoutBinary.run(arguments + ["--config", path], environment: env)
            #expect((0...3).contains(result.status), "\(arguments): exit \(result.status); stderr: \(result.stderr)")
        }
        print("extreme-offsets: billing lag \(billing["lag"] ?? "-")")
    }
}

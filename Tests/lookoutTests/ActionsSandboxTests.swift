import Foundation
import Testing
import LookoutTestSupport

/// Every action test that changes the sandbox, one at a time: they roll the same services and
/// take the same locks.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
enum ActionsOnTheSandbox {}

extension ActionsOnTheSandbox {
    /// `lookout service roll` and `lookout audit` against the sandbox: moto's ECS and SSM, the
    /// sandbox's ECS agent (which replaces a service's task on forceNewDeployment) and dev's Tansu
    /// (PLAINTEXT, so the Kafka gate runs). Faults through the fault proxy; every test resets its
    /// environment and clears lookout's locks when it ends.
    @Suite(.serialized)
    struct ActionsSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        static let brokers = ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"]

        var environment: [String: String] { Sandbox.lookoutEnvironment(stateHome: stateHome) }
        var auditPath: String { stateHome + "/lookout/audit.jsonl" }

        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            try LookoutBinary.run(arguments, environment: environment)
        }

        func roll(_ env: String, _ services: [String], _ extra: [String] = ["--yes"]) -> [String] {
            ["service", "roll", "--env", env] + services.flatMap { ["--service", $0] } + extra
        }

        func state(_ env: String) throws -> JSONObject {
            try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, env]))
        }

        func stateScript(_ env: String, _ arguments: [String]) throws {
            _ = try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, env] + arguments)
        }

        func primary(_ state: JSONObject, _ service: String) -> String? {
            ((state["services"] as? JSONObject)?[service] as? JSONObject)?["primary"] as? String
        }

        func cleanUp(_ env: String) {
            try? Sandbox.scenario("reset", env)
            try? stateScript(env, ["clear-locks"])
        }

        func auditLines() throws -> [JSONObject] {
            let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { try parseJSON(String($0)) }
        }

        /// What can change, without the tasks (the agent may still be finishing an earlier roll).
        func comparable(_ state: JSONObject) throws -> String {
            var copy = state
            var services: JSONObject = [:]
            for (name, value) in state["services"] as? JSONObject ?? [:] {
                services[name] = ["primary": (value as? JSONObject)?["primary"] ?? NSNull()]
            }
            copy["services"] = services
            return String(decoding: try JSONSerialization.data(withJSONObject: copy, options: .sortedKeys), as: UTF8.self)
        }

        /// A copy of the sandbox's config with `edit` applied to the text (`ca_file` made absolute).
        func editedConfig(_ edit: (String) -> String) throws -> String {
            let folder = Sandbox.folder!.path
            var text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
            text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
            let path = stateHome + "/lookout-\(UUID().uuidString).yaml"
            try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Runs `arguments` with `environment`'s AWS endpoint relayed through `aws_recorder.py`
        /// (with its `rules`, e.g. `blackhole-after=PutParameter:1`, `deny=PutParameter:2`); returns
        /// the result and every AWS operation lookout asked for (a stopped one ends in " blackholed"
        /// or " denied").
        func recordingAWS(_ arguments: [String], environment: String = "dev", rules: [String] = []) throws -> (LookoutBinary.Result, [String]) {
            let folder = stateHome + "/recorder-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let upstream = try #require(Self.awsEndpoints[environment], "no AWS endpoint known for \(environment)")
            let configured = Self.configuredEndpoints[environment] ?? upstream
            let recorder = Process()
            recorder.executableURL = Sandbox.folder!.appendingPathComponent("venv/bin/python")
            recorder.arguments = [Sandbox.support.appendingPathComponent("aws_recorder.py").path, upstream,
                                  folder + "/log", folder + "/port"] + rules
            try recorder.run()
            // SIGKILL: the test runner's children may inherit SIGTERM blocked.
            defer { kill(recorder.processIdentifier, SIGKILL); recorder.waitUntilExit() }
            let deadline = Date().addingTimeInterval(10)
            var port: String?
            while port == nil, Date() < deadline {
                // Empty until written: a port read half-way would make the config unreadable.
                port = (try? String(contentsOfFile: folder + "/port", encoding: .utf8)).flatMap { Int($0).map(String.init) }
                if port == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            let relayed = try #require(port, "aws_recorder.py did not start")
            let config = try editedConfig { $0.replacingOccurrences(of: "endpoint: \(configured)\n", with: "endpoint: http://127.0.0.1:\(relayed)\n") }
            let result = try lookout(["--config", config] + arguments)
            let log = (try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? ""
            return (result, log.split(separator: "\n").map(String.init))
        }

        /// Each environment's AWS address in plain HTTP, where the recorder relays to.
        static let awsEndpoints = ["dev": "http://127.0.0.1:45001", "test": "http://127.0.0.1:45101",
                                   "acc": "http://127.0.0.1:45201", "prod": "http://127.0.0.1:45301"]
        /// Where the sandbox's lookout.yaml differs: acc's AWS is HTTPS through the proxy's TLS front
        /// (the same proxy target; the recorder, a plain HTTP relay, forwards to its plain address).
        static let configuredEndpoints = ["acc": "https://127.0.0.1:45202"]

        static let readOperations = ["Describe", "List", "Get", "AssumeRole"]

        func writes(_ operations: [String]) -> [String] {
            operations.filter { operation in !Self.readOperations.contains { operation.hasPrefix($0) } }
        }

        @Test func aDryRunPrintsThePlanAndChangesNothing() throws {
            defer { cleanUp("dev") }
            let before = try state("dev")
            let (result, operations) = try recordingAWS(roll("dev", Self.brokers, ["--dry-run"]))
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.hasPrefix("Plan: service roll kafka-broker-1,kafka-broker-2,kafka-broker-3 in dev\n"))
            var number = 0
            for service in Self.brokers {
                for step in ["kafka-before", "force-deployment", "follow-deployment", "kafka-after"] {
                    number += 1
                    #expect(result.stdout.contains("  \(number). \(step) \(service): "), "\(step) \(service) missing or out of order")
                }
                #expect(result.stdout.contains("lock: /lookout/locks/dev/service/\(service)"))
                #expect(result.stdout.contains("now: \(service): PRIMARY deployment \(primary(before, service)!)"))
            }
            #expect(result.stdout.hasSuffix("Dry run: nothing was changed.\n"))
            // What a dry run asked AWS: reads only (the recorder saw them), not one write.
            #expect(operations.contains("DescribeServices"), "\(operations)")
            #expect(writes(operations).isEmpty, "\(operations)")
            // Deployment ids, tasks, SSM versions and labels, locks: all as they were.
            #expect(try comparable(state("dev")) == comparable(before))
            #expect(!FileManager.default.fileExists(atPath: auditPath))
        }

        @Test func theRecorderSeesTheWritesOfARealRoll() throws {
            defer { cleanUp("dev") }
            let (result, operations) = try recordingAWS(roll("dev", ["kafka-broker-1"]))
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(writes(operations).sorted() == ["DeleteParameter", "PutParameter", "UpdateService"], "\(operations)")
        }

        @Test func refusalsChangeNothing() throws {
            defer { cleanUp("dev"); try? stateScript("prod", ["clear-locks"]) }
            let before = try state("dev")
            let prodBefore = try state("prod")
            let readOnly = try lookout(roll("dev", ["kafka-broker-1"], ["--yes", "--read-only"]))
            #expect(readOnly.status == 77)
            #expect(readOnly.stderr.contains("read-only (--read-only): actions are refused; nothing was changed"))
            let readOnlyFirst = try lookout(["--read-only"] + roll("dev", ["kafka-broker-1"]))
            #expect(readOnlyFirst.status == 77)
            let readOnlyDry = try lookout(roll("dev", ["kafka-broker-1"], ["--dry-run", "--read-only"]))
            #expect(readOnlyDry.status == 77)
            let readOnlyConfig = try editedConfig { $0.replacingOccurrences(of: "  - name: dev\n    protected: false\n    read_only: false",
                                                                              with: "  - name: dev\n    protected: false\n    read_only: true") }
            let configured = try lookout(["--config", readOnlyConfig] + roll("dev", ["kafka-broker-1"]))
            #expect(configured.status == 77)
            #expect(configured.stderr.contains("environment `dev` is read-only in the config (read_only: true)"))
            let yesAlone = try lookout(roll("prod", ["kafka-broker-1"], ["--yes"]))
            #expect(yesAlone.status == 77)
            #expect(yesAlone.stderr.contains("environment `prod` is protected: give --confirm-env prod (--yes alone never acts on it)"))
            let wrongName = try lookout(roll("prod", ["kafka-broker-1"], ["--yes", "--confirm-env", "acc"]))
            #expect(wrongName.status == 77)
            let confirmedNoYes = try lookout(roll("prod", ["kafka-broker-1"], ["--confirm-env", "prod"]))
            #expect(confirmedNoYes.status == 77)
            #expect(confirmedNoYes.stderr.contains("no terminal to confirm on"))
            let noTerminal = try lookout(roll("dev", ["kafka-broker-1"], []))
            #expect(noTerminal.status == 77)
            #expect(noTerminal.stderr.contains("no terminal to confirm on"))
            #expect(try comparable(state("dev")) == comparable(before))
            #expect(try comparable(state("prod")) == comparable(prodBefore))
            #expect(!FileManager.default.fileExists(atPath: auditPath))
        }

        @Test func aProtectedEnvironmentActsWithItsNameConfirmed() throws {
            defer { cleanUp("dev") }
            let protectedConfig = try editedConfig { $0.replacingOccurrences(of: "  - name: dev\n    protected: false",
                                                                               with: "  - name: dev\n    protected: true") }
            let before = try state("dev")
            let refused = try lookout(["--config", protectedConfig] + roll("dev", ["kafka-broker-2"]))
            #expect(refused.status == 77)
            #expect(try primary(state("dev"), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            let confirmed = try lookout(["--config", protectedConfig] + roll("dev", ["kafka-broker-2"], ["--yes", "--confirm-env", "dev"]))
            #expect(confirmed.status == 0, "stdout: \(confirmed.stdout) stderr: \(confirmed.stderr)")
            #expect(try primary(state("dev"), "kafka-broker-2") != primary(before, "kafka-broker-2"))
        }

        /// acc's Kafka is TLS only (its own trust anchors in ca_file): the gate reads Metadata over
        /// TLS before and after the roll, through the front the agent restarts on the roll.
        @Test func anAccBrokerRollIsGatedOnKafkaOverTLS() throws {
            defer { cleanUp("acc") }
            let before = try state("acc")
            let result = try lookout(roll("acc", ["kafka-broker-1"]))
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("now: Kafka controller: broker "))
            #expect(result.stdout.contains(try Regex(#"ok  kafka-before kafka-broker-1: [1-9][0-9]* partitions, none under-replicated or offline"#)))
            #expect(result.stdout.contains(try Regex(#"ok  kafka-after kafka-broker-1: [1-9][0-9]* partitions, none under-replicated or offline"#)))
            #expect(result.stdout.contains("Done: service roll kafka-broker-1 in acc."))
            let after = try state("acc")
            let now = try #require(primary(after, "kafka-broker-1"))
            #expect(now != primary(before, "kafka-broker-1"))
            let running = ((after["services"] as? JSONObject)?["kafka-broker-1"] as? JSONObject)?["running_started_by"] as? [String]
            #expect(running == [now])
            let steps = try auditLines().map { "\($0["step"] as! String) \($0["outcome"] as! String)" }
            #expect(steps == ["begin started", "lock ok", "kafka-before kafka-broker-1 ok", "force-deployment kafka-broker-1 started",
                              "force-deployment kafka-broker-1 ok", "follow-deployment kafka-broker-1 ok", "kafka-after kafka-broker-1 ok",
                              "unlock ok", "end ok"])
            print("acc broker roll gated over TLS: duration_ms \(try auditLines().last?["duration_ms"] as? Int ?? -1)")
        }

        /// prod (TLS + SCRAM-SHA-512) only dry-run: the plan reads its Kafka controller through the
        /// gate's login and says no real run would be refused; nothing changes.
        @Test func prodsBrokerRollPlanReadsKafkaOverTLSAndSCRAM() throws {
            defer { try? stateScript("prod", ["clear-locks"]) }
            let before = try state("prod")
            let dry = try lookout(roll("prod", Self.brokers, ["--dry-run"]))
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.contains("now: Kafka controller: broker "))
            #expect(!dry.stdout.contains("A real run would be refused"))
            #expect(dry.stdout.hasSuffix("Dry run: nothing was changed.\n"))
            #expect(try comparable(state("prod")) == comparable(before))
        }

        @Test func rollsThreeBrokerServicesOneAfterAnother() throws {
            defer { cleanUp("dev") }
            let before = try state("dev")
            let result = try lookout(roll("dev", Self.brokers))
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("Done: service roll kafka-broker-1,kafka-broker-2,kafka-broker-3 in dev."))
            let after = try state("dev")
            for service in Self.brokers {
                let now = try #require(primary(after, service))
                #expect(now != primary(before, service), "\(service) was not rolled")
                let running = ((after["services"] as? JSONObject)?[service] as? JSONObject)?["running_started_by"] as? [String]
                #expect(running == [now], "\(service): the agent's new task runs under the new deployment")
                // boto3: every task that ran before the roll is STOPPED now.
                let oldRunning = ((before["services"] as? JSONObject)?[service] as? JSONObject)?["running_tasks"] as? [String] ?? []
                let tasksAfter = ((after["services"] as? JSONObject)?[service] as? JSONObject)?["tasks"] as? [JSONObject] ?? []
                #expect(!oldRunning.isEmpty)
                for arn in oldRunning {
                    #expect(tasksAfter.first { $0["arn"] as? String == arn }?["last_status"] as? String == "STOPPED", "\(service): \(arn)")
                }
            }
            #expect((after["locks"] as? JSONObject)?.isEmpty == true)
            // In order: each service's deployment followed to the end before the next one is forced.
            let steps = try auditLines().map { "\($0["step"] as! String) \($0["outcome"] as! String)" }
            var expected = ["begin started", "lock ok"]
            for service in Self.brokers {
                expected += ["kafka-before \(service) ok", "force-deployment \(service) started", "force-deployment \(service) ok",
                             "follow-deployment \(service) ok", "kafka-after \(service) ok"]
            }
            expected += ["unlock ok", "end ok"]
            #expect(steps == expected)
            let lines = try auditLines()
            let total = try #require(lines.last?["duration_ms"] as? Int)
            #expect(total > 0 && total < 120_000)
            print("roll of three dev broker services: duration_ms \(total)")
            for line in lines {
                #expect((line["identity"] as? String)?.hasPrefix("arn:aws:sts::111111111111:assumed-role/lookout/") == true, "\(line)")
                #expect(line["environment"] as? String == "dev")
                #expect(line["action"] as? String == "service roll")
                #expect((line["user"] as? String)?.contains("@") == true)
            }
            let forced = lines.filter { $0["step"] as? String == "force-deployment kafka-broker-2" && $0["outcome"] as? String == "ok" }
            #expect((forced.first?["versions"] as? JSONObject)?["deployment"] as? String == primary(after, "kafka-broker-2"))
            let mode = try FileManager.default.attributesOfItem(atPath: auditPath)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let audit = try lookout(["audit", "--env", "dev", "--since", "1h"])
            #expect(audit.status == 0)
            #expect(audit.stdout.split(separator: "\n").count == lines.count)
            #expect(audit.stdout.contains("dev service roll kafka-broker-1,kafka-broker-2,kafka-broker-3 force-deployment kafka-broker-3 ok [deployment=\(primary(after, "kafka-broker-3")!)"))
            let other = try lookout(["audit", "--env", "acc"])
            #expect(other.stdout.isEmpty)
        }

        /// dev's ECS agent, paused with SIGSTOP (not ended: it belongs to the sandbox, and resumed
        /// with SIGCONT it catches up, keeping no state).
        @Test func withTheAgentStoppedTheRollTimesOutAtTheFirstService() throws {
            defer { cleanUp("dev") }
            let pidFile = Sandbox.folder!.appendingPathComponent("run/agent-dev.pid").path
            let pid = try #require((try parseJSON(String(contentsOfFile: pidFile, encoding: .utf8))["pid"] as? Int).map(Int32.init))
            #expect(kill(pid, SIGSTOP) == 0)
            var resumed = false
            defer { if !resumed { kill(pid, SIGCONT) } }
            let before = try state("dev")
            let result = try lookout(roll("dev", Self.brokers, ["--yes", "--timeout", "6s"]))
            let after = try state("dev")
            kill(pid, SIGCONT)
            resumed = true
            #expect(result.status == 75)
            #expect(result.stderr.contains("stopped at step follow-deployment of kafka-broker-1: timed out after 6s: 0 of 1 task(s) of ecs-svc/"))
            #expect(result.stderr.contains("untouched: kafka-broker-2, kafka-broker-3"))
            #expect(primary(after, "kafka-broker-1") != primary(before, "kafka-broker-1"))
            #expect(result.stderr.contains("deployment \(primary(after, "kafka-broker-1")!) was created by this run"))
            #expect(primary(after, "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(primary(after, "kafka-broker-3") == primary(before, "kafka-broker-3"))
            #expect((after["locks"] as? JSONObject)?.isEmpty == true)
            #expect(try auditLines().contains { $0["step"] as? String == "follow-deployment kafka-broker-1" && $0["outcome"] as? String == "failed" })

            let rerun = try lookout(roll("dev", Self.brokers))
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            let final = try state("dev")
            for service in Self.brokers {
                let running = ((final["services"] as? JSONObject)?[service] as? JSONObject)?["running_started_by"] as? [String]
                #expect(running == [primary(final, service)!], "\(service)")
            }
        }

        /// dev's Kafka address refused (`kafka-refuse`): the plan's broker gate asks Metadata three
        /// times, a second apart (a broker restarting closes one connection; a refused Kafka stays
        /// refused), then refuses with 69 and changes nothing (CI run at stop 34: a connection the
        /// sandbox agent closed was taken for an unreachable Kafka).
        @Test func aRefusedKafkaIsAskedThreeTimesThenTheRollIsRefused() throws {
            defer { cleanUp("dev") }
            let before = try state("dev")
            try Sandbox.scenario("kafka-refuse", "dev")
            let result = try lookout(roll("dev", ["kafka-broker-2"]))
            #expect(result.status == 69, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stderr.contains("Kafka does not answer Metadata ("), "\(result.stderr)")
            #expect(result.stderr.contains("(asked 3 times, a second apart)), so the broker gate cannot run; refusing to roll broker services; nothing was changed"),
                    "\(result.stderr)")
            #expect(primary(try state("dev"), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(!FileManager.default.fileExists(atPath: auditPath))
        }

        @Test func aBlackHoledAWSStopsTheRollNamingTheStepAndARerunCompletes() throws {
            defer { cleanUp("dev") }
            let running = try BackgroundLookout(roll("dev", Self.brokers, ["--yes", "--timeout", "60s"]), environment: environment)
            #expect(running.waitForOutput("ok  force-deployment kafka-broker-1", seconds: 30), "stdout: \(running.stdout)")
            // The aws-blackhole scenario set through the proxy's control port: the scenario script
            // takes longer to start than the agent takes to replace the task.
            let faults = try #require((try Sandbox.info["control"] as? JSONObject)?["faults"] as? String)
            let fault = try Sandbox.run(which("curl") ?? "curl", ["-sf", "-X", "POST", "-d", "{\"mode\":\"blackhole\"}", faults + "/dev-aws"])
            #expect(fault.status == 0)
            let result = running.finish()
            #expect(result.status == 75, "stdout: \(result.stdout) stderr: \(result.stderr)")
            // Following a deployment reads the service and its tasks at once; either call may be
            // the one that times out first.
            #expect(result.stderr.contains("stopped at step follow-deployment of kafka-broker-1: [dev] ecs Describe")
                || result.stderr.contains("stopped at step follow-deployment of kafka-broker-1: [dev] ecs ListTasks"),
                "stderr: \(result.stderr)")
            #expect(result.stderr.contains("timed out"))
            #expect(result.stderr.contains("untouched: kafka-broker-2, kafka-broker-3"))
            try Sandbox.scenario("reset", "dev")
            let rerun = try lookout(roll("dev", Self.brokers))
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect((try state("dev")["locks"] as? JSONObject)?.isEmpty == true)
        }

        /// A black-holed DeleteParameter may or may not reach moto; a lock left by a process of this
        /// host that has exited is taken over, audited.
        @Test func aLockLeftByAnExitedProcessOnThisHostIsTakenOver() throws {
            defer { cleanUp("dev") }
            let finished = try Sandbox.run("/bin/sh", ["-c", "echo $$"])
            let pid = try #require(Int(finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let now = ISO8601DateFormatter().string(from: Date())
            try stateScript("dev", ["put-lock", "/lookout/locks/dev/service/kafka-broker-1",
                                    "{\"action\":\"service roll kafka-broker-1\",\"holder\":\"someone@\(ProcessInfo.processInfo.hostName)\",\"pid\":\(pid),\"time\":\"\(now)\"}"])
            let rerun = try lookout(roll("dev", ["kafka-broker-1"]))
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(rerun.stdout.contains("breaking the lock /lookout/locks/dev/service/kafka-broker-1: /lookout/locks/dev/service/kafka-broker-1 is held by someone@"))
            #expect(rerun.stdout.contains("its process has exited on this host"))
            #expect(try auditLines().contains { $0["step"] as? String == "break-lock" && $0["outcome"] as? String == "broken" })
            #expect((try state("dev")["locks"] as? JSONObject)?.isEmpty == true)
        }

        @Test func twoRollsOfOneServiceAtOnceTheSecondIsRefusedNamingTheHolder() throws {
            defer { cleanUp("dev") }
            let first = try BackgroundLookout(roll("dev", ["kafka-broker-2"]), environment: environment)
            #expect(first.waitForOutput("locked: /lookout/locks/dev/service/kafka-broker-2", seconds: 30), "stdout: \(first.stdout) stderr: \(first.stderr)")
            let second = try lookout(roll("dev", ["kafka-broker-2"]))
            #expect(second.status == 77)
            #expect(second.stderr.contains("/lookout/locks/dev/service/kafka-broker-2 is held by "))
            #expect(second.stderr.contains("(pid \(first.process.processIdentifier), service roll kafka-broker-2) since "))
            let done = first.finish()
            #expect(done.status == 0, "stderr: \(done.stderr)")
        }

        @Test func anOldLockIsBrokenOnlyWithBreakLock() throws {
            defer { cleanUp("dev") }
            let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-31 * 60))
            let young = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            try stateScript("dev", ["put-lock", "/lookout/locks/dev/service/kafka-broker-3",
                                    "{\"action\":\"service roll kafka-broker-3\",\"holder\":\"alice@elsewhere\",\"pid\":7,\"time\":\"\(young)\"}"])
            let tooYoung = try lookout(roll("dev", ["kafka-broker-3"], ["--yes", "--break-lock"]))
            #expect(tooYoung.status == 77)
            #expect(tooYoung.stderr.contains("held by alice@elsewhere (pid 7, service roll kafka-broker-3) since 1m"))
            #expect(tooYoung.stderr.contains("--break-lock breaks only locks older than 30m"))
            try stateScript("dev", ["clear-locks"])
            try stateScript("dev", ["put-lock", "/lookout/locks/dev/service/kafka-broker-3",
                                    "{\"action\":\"service roll kafka-broker-3\",\"holder\":\"alice@elsewhere\",\"pid\":7,\"time\":\"\(old)\"}"])
            let refused = try lookout(roll("dev", ["kafka-broker-3"]))
            #expect(refused.status == 77)
            #expect(refused.stderr.contains("(older than 30m: --break-lock breaks it)"))
            let broken = try lookout(roll("dev", ["kafka-broker-3"], ["--yes", "--break-lock"]))
            #expect(broken.status == 0, "stderr: \(broken.stderr)")
            let line = try #require(try auditLines().first { $0["step"] as? String == "break-lock" })
            #expect((line["detail"] as? String)?.contains("alice@elsewhere") == true)
        }

        @Test func anUnwritableAuditLogStopsTheActionBeforeAnyChange() throws {
            defer { cleanUp("dev") }
            try FileManager.default.createDirectory(atPath: auditPath, withIntermediateDirectories: true)
            let before = try state("dev")
            let result = try lookout(roll("dev", ["kafka-broker-1"]))
            #expect(result.status == 74)
            #expect(result.stderr.contains("cannot open the audit log \(auditPath)"))
            #expect(try comparable(state("dev")) == comparable(before))
        }
    }
}

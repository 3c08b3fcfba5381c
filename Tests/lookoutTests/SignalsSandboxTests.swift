import Foundation
import Testing
import LookoutTestSupport

extension ActionsOnTheSandbox {
    /// Signals during real actions, the built binary against the sandbox (PRODUCT.md: 130 / 143 at
    /// a step boundary; a confirmed action ignores SIGHUP). The dropped SSH session is made real:
    /// the command or the console runs in tmux, and the tmux session is killed, closing its
    /// terminal; boto3 then sees the action complete. Serialized with the other action suites.
    @Suite(.serialized, .enabled(if: TmuxSession.available, "no tmux on PATH"))
    struct SignalsSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        var environment: [String: String] { Sandbox.lookoutEnvironment(stateHome: stateHome) }
        var auditPath: String { stateHome + "/lookout/audit.jsonl" }

        func script(_ env: String, _ arguments: [String]) throws -> String {
            try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, env] + arguments)
        }

        func state(_ env: String) throws -> JSONObject { try parseJSON(try script(env, [])) }

        func primary(_ state: JSONObject, _ service: String) -> String? {
            ((state["services"] as? JSONObject)?[service] as? JSONObject)?["primary"] as? String
        }

        func running(_ state: JSONObject, _ service: String) -> [String] {
            ((state["services"] as? JSONObject)?[service] as? JSONObject)?["running_started_by"] as? [String] ?? []
        }

        func version(_ state: JSONObject, _ key: String) -> Int {
            ((state["parameters"] as? JSONObject)?[key] as? JSONObject)?["version"] as? Int ?? -1
        }

        func labels(_ state: JSONObject, _ key: String) -> [Int: [String]] {
            let entries = ((state["parameters"] as? JSONObject)?[key] as? JSONObject)?["history"] as? [JSONObject] ?? []
            return Dictionary(uniqueKeysWithValues: entries.map { ($0["version"] as! Int, $0["labels"] as? [String] ?? []) })
        }

        func auditLines() -> [JSONObject] {
            let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? parseJSON(String($0)) }
        }

        /// The audit line of `step` (the last one), once it is there; nil after `seconds`.
        func waitForAudit(step: String, seconds: Double) -> JSONObject? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let line = auditLines().last(where: { $0["step"] as? String == step }) { return line }
                Thread.sleep(forTimeInterval: 0.25)
            }
            return nil
        }

        /// Whether the process `pid` has ended (gone, or a zombie nobody reaped yet).
        func ended(_ pid: pid_t) -> Bool {
            guard kill(pid, 0) == 0 else { return true }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
        }

        /// The dev ECS agent stopped (SIGSTOP), so a roll waits in `follow-deployment` for as long
        /// as the test needs; `resume` lets it go on.
        final class PausedAgent {
            let pid: pid_t
            private var paused = true

            init() throws {
                let pidFile = Sandbox.folder!.appendingPathComponent("run/agent-dev.pid").path
                pid = try #require((try parseJSON(String(contentsOfFile: pidFile, encoding: .utf8))["pid"] as? Int).map(Int32.init))
                #expect(kill(pid, SIGSTOP) == 0)
            }

            func resume() {
                guard paused else { return }
                paused = false
                kill(pid, SIGCONT)
            }

            deinit { resume() }
        }

        /// The re-run of a stopped roll. Once the paused agent goes on it replaces the broker's task
        /// and dev's Kafka front restarts with it; a re-run in that moment is refused by the broker
        /// gate ("Kafka does not answer Metadata ... nothing was changed", exit 69: CI run 23), as it
        /// should be. Such a refusal is run again, for at most 30 s.
        func rerunRoll(_ service: String) throws -> LookoutBinary.Result {
            let deadline = Date().addingTimeInterval(30)
            while true {
                let rerun = try LookoutBinary.run(["service", "roll", "--env", "dev", "--service", service, "--yes"], environment: environment)
                guard rerun.status == 69, rerun.stderr.contains("Kafka does not answer Metadata"), rerun.stderr.contains("nothing was changed"),
                      Date() < deadline else { return rerun }
                Thread.sleep(forTimeInterval: 2)
            }
        }

        func cleanUp(_ env: String) {
            try? Sandbox.scenario("reset", env)
            _ = try? script(env, ["clear-locks"])
        }

        /// SIGINT while the roll follows its deployment: it stops at that step boundary with 130,
        /// audits `interrupted` with the step, releases its locks, says what it left and the
        /// command that finishes it; the re-run completes.
        @Test func aSIGINTStopsTheRollAtItsStepBoundaryAndARerunCompletes() throws {
            defer { cleanUp("dev") }
            let service = "kafka-broker-1"
            let before = try state("dev")
            let agent = try PausedAgent()
            defer { agent.resume() }
            let roll = try BackgroundLookout(["service", "roll", "--env", "dev", "--service", service, "--yes", "--timeout", "120s"], environment: environment)
            #expect(roll.waitForOutput("waiting: ", seconds: 60), "stdout: \(roll.stdout) stderr: \(roll.stderr)")
            let signalled = Date()
            kill(roll.process.processIdentifier, SIGINT)
            let result = roll.finish()
            print("SIGINT to exit: \(Int(Date().timeIntervalSince(signalled) * 1000)) ms")
            agent.resume()
            #expect(result.status == 130, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stderr.contains("stopped at step follow-deployment of \(service): interrupted by SIGINT (ECS goes on with the deployment by itself)"),
                    "\(result.stderr)")
            let after = try state("dev")
            let created = try #require(primary(after, service))
            #expect(created != primary(before, service))
            #expect(result.stderr.contains("\(service): deployment \(created) was created by this run"))
            #expect(result.stderr.contains("a re-run rolls again from the first service: lookout service roll --env dev --service \(service)"))
            #expect((after["locks"] as? JSONObject)?.isEmpty == true, "locks left: \(after["locks"] ?? "")")
            let audit = auditLines()
            #expect(audit.contains { $0["step"] as? String == "follow-deployment \(service)" && $0["outcome"] as? String == "interrupted" })
            #expect(audit.contains { $0["step"] as? String == "unlock" && $0["outcome"] as? String == "ok" })
            #expect(audit.last?["step"] as? String == "end" && audit.last?["outcome"] as? String == "interrupted")

            let rerun = try rerunRoll(service)
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            let final = try state("dev")
            #expect(running(final, service) == [try #require(primary(final, service))])
        }

        /// A second SIGINT stops at once, says there is no further write, and exits 130; a
        /// re-run from this host takes over the lock the stopped run left, and completes. Dev's AWS
        /// is black-holed before the first SIGINT, so the run is still releasing its locks (the
        /// first signal's stop) when the second comes.
        @Test func aSecondSIGINTStopsAtOnceWithNoFurtherWrite() throws {
            defer { cleanUp("dev") }
            let service = "kafka-broker-2"
            let agent = try PausedAgent()
            defer { agent.resume() }
            let roll = try BackgroundLookout(["service", "roll", "--env", "dev", "--service", service, "--yes", "--timeout", "120s"], environment: environment)
            #expect(roll.waitForOutput("waiting: ", seconds: 60), "stdout: \(roll.stdout) stderr: \(roll.stderr)")
            let faults = try #require((try Sandbox.info["control"] as? JSONObject)?["faults"] as? String)
            let fault = try Sandbox.run(which("curl") ?? "curl", ["-sf", "-X", "POST", "-d", "{\"mode\":\"blackhole\"}", faults + "/dev-aws"])
            #expect(fault.status == 0)
            let pid = roll.process.processIdentifier
            kill(pid, SIGINT)
            #expect(waitForAudit(step: "follow-deployment \(service)", seconds: 10)?["outcome"] as? String == "interrupted")
            kill(pid, SIGINT)
            let result = roll.finish()
            agent.resume()
            try Sandbox.scenario("reset", "dev")
            #expect(result.status == 130, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stderr.contains("stopped at once by a second signal, with no further write"), "\(result.stderr)")
            #expect(!auditLines().contains { $0["step"] as? String == "end" }, "the stopped run wrote its end line")

            let rerun = try rerunRoll(service)
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
        }

        /// The roll runs in tmux with its output on the terminal; the tmux session is killed while
        /// it follows its deployment (SIGHUP, the terminal gone, every later write failing): it
        /// runs on to its end, which the audit log and boto3 show, and then exits.
        @Test func aRollWhoseTerminalIsClosedRunsToItsEnd() throws {
            defer { cleanUp("dev") }
            let service = "kafka-broker-3"
            let before = try state("dev")
            let agent = try PausedAgent()
            defer { agent.resume() }
            let config = Sandbox.folder!.appendingPathComponent("lookout-tests.yaml").path
            let tmux = try TmuxSession(width: 160, height: 40, arguments: ["service", "roll", "--config", config, "--env", "dev", "--service", service,
                                                                          "--yes", "--timeout", "120s"], environment: environment)
            defer { tmux.close() }
            let pid = try #require(pid_t(try tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)))
            _ = try tmux.wait(seconds: 60) { $0.contains { $0.contains("waiting: ") } }
            try tmux.tmux(["kill-session", "-t", tmux.name])
            Thread.sleep(forTimeInterval: 0.5)
            #expect(!ended(pid), "the roll ended with its terminal")
            agent.resume()
            let end = waitForAudit(step: "end", seconds: 90)
            #expect(end?["outcome"] as? String == "ok", "audit: \(auditLines())")
            let after = try state("dev")
            let created = try #require(primary(after, service))
            #expect(created != primary(before, service))
            #expect(running(after, service) == [created], "the new deployment's task is the one running")
            #expect((after["locks"] as? JSONObject)?.isEmpty == true)
            let deadline = Date().addingTimeInterval(30)
            while !ended(pid), Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
            #expect(ended(pid), "the roll did not exit after its end")
        }

        /// A rotation on test confirmed in the console (tmux), whose terminal is then closed: the
        /// rotation and its roll run on to their end (audit log, boto3: a new version labelled
        /// current, the old one previous, every broker on a deployment made after the write), and
        /// the console then exits. The old value is put back afterwards.
        @Test func aRotationConfirmedInTheConsoleRunsOnWhenItsTerminalCloses() throws {
            let key = "client-password"
            let parameter = "/kafka/test/client-password"
            let before = try state("test")
            let original = version(before, key)
            defer {
                _ = try? Sandbox.python(Sandbox.support.appendingPathComponent("secret_put_back.py").path,
                                        [Sandbox.folder!.path, "test", parameter, String(original)])
                cleanUp("test")
            }
            let folder = Sandbox.folder!.path
            var text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
            text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
            let config = stateHome + "/lookout-signals.yaml"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let tmux = try TmuxSession(width: 200, height: 50, arguments: ["--config", config, "--env", "test"], environment: environment)
            defer { tmux.close() }
            let pid = try #require(pid_t(try tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)))
            try ConsoleSandboxTests.command(tmux, "secrets")
            try tmux.wait(seconds: 30) { screen in screen.contains { $0.hasPrefix(" test ") && $0.contains(key) } }
            try tmux.send("/")
            try tmux.type(key)
            try tmux.send("Enter")
            try tmux.wait { $0.last?.contains("filter: \(key)") == true }
            try tmux.send("R")
            let plan = try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } }
            #expect(plan.joined(separator: "\n").contains("Plan: secret rotate client-password in test"))
            try tmux.send("y")
            #expect(waitForAudit(step: "lock", seconds: 30)?["outcome"] as? String == "ok")
            try tmux.tmux(["kill-session", "-t", tmux.name])
            Thread.sleep(forTimeInterval: 0.5)
            #expect(!ended(pid), "the console ended with its terminal, in the middle of the rotation")

            let end = waitForAudit(step: "end", seconds: 150)
            #expect(end?["outcome"] as? String == "ok", "audit: \(auditLines().map { "\($0["step"] ?? "") \($0["outcome"] ?? "")" })")
            let after = try state("test")
            let written = version(after, key)
            #expect(written == original + 1)
            // `previous` goes on the version the brokers ran (the latest one, unless an earlier run
            // wrote a version and stopped before its roll): the one the audit names.
            let previous = try #require((auditLines().last { $0["step"] as? String == "label-previous" }?["versions"] as? JSONObject)?["previous"] as? String)
            #expect(labels(after, key)[written]?.contains("current") == true && labels(after, key)[Int(previous) ?? -1]?.contains("previous") == true,
                    "\(labels(after, key))")
            #expect(Int(previous) ?? .max < written)
            #expect(auditLines().contains { $0["step"] as? String == "verify" && $0["outcome"] as? String == "ok" })
            let deadline = Date().addingTimeInterval(30)
            while !ended(pid), Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
            #expect(ended(pid), "the console did not exit once the rotation was done")
        }
    }
}

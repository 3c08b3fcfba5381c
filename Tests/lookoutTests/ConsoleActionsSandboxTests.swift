import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// The console's action keys, the real binary in tmux against the sandbox's dev (moto's ECS
    /// and SSM, the sandbox's ECS agent, dev's Tansu for the gate): the dialog shows the plan the
    /// command line's dry run prints, `y` runs it through the same audited path, `n` changes
    /// nothing. Serialized with the other action suites: they roll the same services and take the
    /// same locks. Every test resets dev and clears lookout's locks when it ends.
    @Suite(.serialized, .enabled(if: TmuxSession.available, "no tmux on PATH"))
    struct ConsoleActionsSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        var auditPath: String { stateHome + "/lookout/audit.jsonl" }

        func state() throws -> JSONObject {
            try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "dev"]))
        }

        func script(_ arguments: [String]) throws -> String {
            try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "dev"] + arguments)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func service(_ state: JSONObject, _ name: String) -> JSONObject {
            (state["services"] as? JSONObject)?[name] as? JSONObject ?? [:]
        }

        func primary(_ state: JSONObject, _ name: String) -> String? {
            service(state, name)["primary"] as? String
        }

        func history(_ state: JSONObject, _ key: String) -> [(version: Int, labels: [String])] {
            let parameter = (state["parameters"] as? JSONObject)?[key] as? JSONObject
            return (parameter?["history"] as? [JSONObject] ?? []).map { ($0["version"] as! Int, $0["labels"] as? [String] ?? []) }
        }

        func version(_ state: JSONObject, _ key: String) -> Int {
            ((state["parameters"] as? JSONObject)?[key] as? JSONObject)?["version"] as? Int ?? -1
        }

        func cleanUp() {
            try? Sandbox.scenario("reset", "dev")
            _ = try? script(["clear-locks"])
        }

        func auditLines() throws -> [JSONObject] {
            let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { try parseJSON(String($0)) }
        }

        /// The sandbox's config, refreshing every 2 s, `ca_file` made absolute, `edit` applied.
        func config(_ edit: (String) -> String = { $0 }) throws -> String {
            let folder = Sandbox.folder!.path
            var text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
            text = text.replacingOccurrences(of: "refresh: 10s", with: "refresh: 2s")
            text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
            let path = stateHome + "/lookout-\(UUID().uuidString).yaml"
            try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// The console on dev alone, in a 200×50 tmux window.
        func console(config: String, extra: [String] = []) throws -> TmuxSession {
            try TmuxSession(width: 200, height: 50, arguments: ["--config", config, "--env", "dev"] + extra,
                            environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        }

        /// Switches to `view` and narrows it to the row of `name` (the filter), as a person would.
        @discardableResult
        func select(_ tmux: TmuxSession, view: String, _ name: String) throws -> [String] {
            try ConsoleSandboxTests.command(tmux, view)
            try tmux.wait(seconds: 30) { screen in screen.contains { $0.hasPrefix(" dev ") && $0.contains(name) } }
            try tmux.send("/")
            try tmux.type(name)
            try tmux.send("Enter")
            return try tmux.wait { $0.last?.contains("filter: \(name)") == true }
        }

        func text(_ screen: [String]) -> String { screen.joined(separator: "\n") }

        /// Every screen captured, for the search for secret values (done in Python).
        final class Screens {
            var all: [[String]] = []
            func keep(_ screen: [String]) -> [String] {
                all.append(screen)
                return screen
            }
        }

        /// Whether any version's value of `parameter` appears in the screens (searched by
        /// actions_state.py, so no value enters this process). The panel wraps long lines, so the
        /// text inside its border is searched joined up too.
        func valueShown(_ parameter: String, _ screens: Screens) throws -> Bool {
            let path = stateHome + "/screens-\(UUID().uuidString).txt"
            let plain = screens.all.map { $0.joined(separator: "\n") }.joined(separator: "\n")
            let joined = screens.all.map { screen in
                screen.map { $0.replacingOccurrences(of: "│", with: "").trimmingCharacters(in: .whitespaces) }.joined()
            }.joined(separator: "\n")
            try (plain + "\n" + joined).write(toFile: path, atomically: true, encoding: .utf8)
            defer { unlink(path) }
            return try script(["absent", parameter, path]) != "absent"
        }

        static let timeout: Double = 180

        @Test func rollFromTheServicesViewRunsThePlanAndAudits() throws {
            defer { cleanUp() }
            let before = try state()
            let oldPrimary = try #require(primary(before, "kafka-broker-2"))
            let path = try config()
            let tmux = try console(config: path)
            defer { tmux.close() }
            try select(tmux, view: "services", "kafka-broker-2")
            try tmux.send("R")
            var screen = try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } }
            let plan = text(screen)
            #expect(plan.contains("Plan: service roll kafka-broker-2 in dev"), "\(plan)")
            #expect(plan.contains("now: kafka-broker-2: PRIMARY deployment \(oldPrimary)"))
            #expect(plan.contains("lock: /lookout/locks/dev/service/kafka-broker-2"))
            for step in ["1. kafka-before kafka-broker-2", "2. force-deployment kafka-broker-2", "3. follow-deployment kafka-broker-2", "4. kafka-after kafka-broker-2"] {
                #expect(plan.contains(step), "\(step) missing")
            }
            try tmux.send("y")
            screen = try tmux.wait(seconds: Self.timeout) { screen in
                screen.contains { $0.contains("Done: service roll kafka-broker-2 in dev.") || $0.contains("Failed:") }
            }
            let outcome = text(screen)
            #expect(outcome.contains("Done: service roll kafka-broker-2 in dev."), "\(outcome)")
            #expect(outcome.contains("locked: /lookout/locks/dev/service/kafka-broker-2"))
            #expect(outcome.contains("kafka-after kafka-broker-2"))
            // The console kept polling while the action ran: its last refresh is recent.
            #expect(screen.last?.contains(try Regex(#"refreshed (1?[0-9])s ago"#)) == true, "\(screen.last ?? "")")

            // boto3: a new PRIMARY deployment whose task runs.
            let after = try state()
            let newPrimary = try #require(primary(after, "kafka-broker-2"))
            #expect(newPrimary != oldPrimary)
            let tasks = service(after, "kafka-broker-2")["tasks"] as? [JSONObject] ?? []
            #expect(tasks.contains { $0["started_by"] as? String == newPrimary && $0["last_status"] as? String == "RUNNING" }, "\(tasks)")

            // The audit log holds the console's run, as the command line writes it.
            let lines = try auditLines()
            #expect(lines.allSatisfy { $0["environment"] as? String == "dev" && $0["action"] as? String == "service roll"
                && $0["target"] as? String == "kafka-broker-2" && ($0["identity"] as? String)?.hasPrefix("arn:aws:") == true
                && ($0["user"] as? String)?.isEmpty == false })
            let steps = lines.map { "\($0["step"] as! String) \($0["outcome"] as! String)" }
            #expect(steps.first == "begin started")
            #expect(steps.contains("lock ok"))
            #expect(steps.contains("force-deployment kafka-broker-2 ok"))
            #expect(steps.last == "end ok")
            let audit = try LookoutBinary.run(["audit", "--config", path, "--env", "dev"], environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
            #expect(audit.status == 0)
            #expect(audit.stdout.split(separator: "\n").count == lines.count)
            #expect(audit.stdout.contains("dev service roll kafka-broker-2 force-deployment kafka-broker-2 ok [deployment=\(newPrimary)"), "\(audit.stdout)")
            try tmux.send("Escape")
            screen = try tmux.wait { !$0.contains { $0.contains("Plan: service roll") } }
            #expect(!screen.contains { $0.contains("Plan: service roll") })
        }

        @Test func nCancelsAndNothingChanges() throws {
            defer { cleanUp() }
            let before = try state()
            let tmux = try console(config: try config())
            defer { tmux.close() }
            try select(tmux, view: "services", "kafka-broker-2")
            try tmux.send("R")
            try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } }
            try tmux.send("n")
            let screen = try tmux.wait { !$0.contains { $0.contains("Plan: service roll") } }
            #expect(!screen.contains { $0.contains("Plan: service roll") })
            // Give a run that should not have started time to show itself.
            Thread.sleep(forTimeInterval: 3)
            let after = try state()
            #expect(primary(after, "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect((after["locks"] as? JSONObject)?.isEmpty == true)
            #expect(!FileManager.default.fileExists(atPath: auditPath))
        }

        @Test func readOnlyHasNoActionKey() throws {
            defer { cleanUp() }
            let before = try state()
            let tmux = try console(config: try config(), extra: ["--read-only"])
            defer { tmux.close() }
            var screen = try select(tmux, view: "services", "kafka-broker-2")
            #expect(screen.last?.contains("READ-ONLY") == true)
            try tmux.send("R")
            try tmux.send("P")
            Thread.sleep(forTimeInterval: 2)
            screen = try tmux.capture()
            #expect(!text(screen).contains("Plan:"))
            #expect(!text(screen).contains("service roll"))
            try tmux.send("Escape")
            try tmux.send("?")
            screen = try tmux.wait { $0.contains { $0.contains("Show the keys") } }
            #expect(!text(screen).contains("changes things"))
            #expect(!text(screen).contains("Roll the selected"))
            #expect(!text(screen).contains("Rotate the selected"))
            #expect(primary(try state(), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(!FileManager.default.fileExists(atPath: auditPath))

            // Without --read-only the same help lists the action keys (the check above can fail).
            let full = try console(config: try config())
            defer { full.close() }
            try full.send("?")
            screen = try full.wait { $0.contains { $0.contains("Roll the selected") } }
            #expect(text(screen).contains("Roll the selected service"))
            #expect(text(screen).contains("changes things"))
        }

        /// A copy of the config with dev protected (prod is left alone: other tests act on it).
        @Test func aProtectedEnvironmentNeedsItsNameTyped() throws {
            defer { cleanUp() }
            let path = try config { $0.replacingOccurrences(of: "  - name: dev\n    protected: false", with: "  - name: dev\n    protected: true") }
            let before = try state()
            let tmux = try console(config: path)
            defer { tmux.close() }
            try select(tmux, view: "services", "kafka-broker-2")
            try tmux.send("R")
            var screen = try tmux.wait(seconds: 30) { $0.contains { $0.contains("dev is protected: type its name") } }
            #expect(text(screen).contains("Plan: service roll kafka-broker-2 in dev"))
            // `y` is no confirmation here, and a wrong name refuses.
            try tmux.type("y")
            try tmux.send("Enter")
            screen = try tmux.wait { $0.contains { $0.contains("Not confirmed:") } }
            #expect(text(screen).contains("Not confirmed: `y` is not `dev`; nothing was changed."), "\(text(screen))")
            try tmux.send("Escape")
            try tmux.send("R")
            try tmux.wait(seconds: 30) { $0.contains { $0.contains("dev is protected: type its name") } }
            try tmux.send("Enter")
            screen = try tmux.wait { $0.contains { $0.contains("Not confirmed:") } }
            #expect(text(screen).contains("Not confirmed: nothing was typed; nothing was changed."))
            Thread.sleep(forTimeInterval: 2)
            #expect(primary(try state(), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(!FileManager.default.fileExists(atPath: auditPath))

            try tmux.send("Escape")
            try tmux.send("R")
            try tmux.wait(seconds: 30) { $0.contains { $0.contains("dev is protected: type its name") } }
            try tmux.type("dev")
            try tmux.send("Enter")
            screen = try tmux.wait(seconds: Self.timeout) { screen in
                screen.contains { $0.contains("Done: service roll kafka-broker-2 in dev.") || $0.contains("Failed:") }
            }
            #expect(text(screen).contains("Done: service roll kafka-broker-2 in dev."), "\(text(screen))")
            #expect(primary(try state(), "kafka-broker-2") != primary(before, "kafka-broker-2"))
        }

        /// dev's Kafka address refused (`kafka-refuse`): the broker gate cannot run, so the plan is
        /// shown with why, and no key runs it.
        @Test func aBlockedPlanSaysWhyAndOffersNoConfirmation() throws {
            defer { cleanUp() }
            let before = try state()
            try Sandbox.scenario("kafka-refuse", "dev")
            let tmux = try console(config: try config())
            defer { tmux.close() }
            try select(tmux, view: "services", "kafka-broker-2")
            try tmux.send("R")
            var screen = try tmux.wait(seconds: 60) { $0.contains { $0.contains("Blocked:") } }
            #expect(text(screen).contains("Plan: service roll kafka-broker-2 in dev"), "\(text(screen))")
            #expect(text(screen).contains("Blocked: Kafka does not answer Metadata"), "\(text(screen))")
            #expect(!text(screen).contains("y runs it"))
            try tmux.send("y")
            Thread.sleep(forTimeInterval: 3)
            screen = try tmux.capture()
            #expect(text(screen).contains("service roll kafka-broker-2 in dev: blocked"))
            #expect(!text(screen).contains("locked: /lookout"))
            #expect(primary(try state(), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(!FileManager.default.fileExists(atPath: auditPath))
            try tmux.send("Escape")
            screen = try tmux.wait { !$0.contains { $0.contains("Plan: service roll") } }
            #expect(!text(screen).contains("Plan: service roll"))
        }

        /// dev's ECS answers after 8 s (`aws-slow ecs`), within the config's AWS timeout (20 s
        /// here, lookout's default 10 s; the tests' config has it short): the dialog opens at once
        /// saying the plan is being built, the console keeps drawing meanwhile, and Esc lets go of
        /// the plan, which never shows up later.
        @Test func aSlowAWSLeavesTheConsoleDrawing() throws {
            defer { cleanUp() }
            let before = try state()
            let tmux = try console(config: try config { $0.replacing(/timeouts: \{ source: \w+,/, with: "timeouts: { source: 20s,") })
            defer { tmux.close() }
            try select(tmux, view: "services", "kafka-broker-2")
            try Sandbox.scenario("aws-slow", "dev", "ecs", environment: ["SANDBOX_DELAY_MS": "8000"])
            try tmux.send("R")
            var screen = try tmux.wait(seconds: 2) { $0.contains { $0.contains("building the plan") } }
            #expect(text(screen).contains("service roll kafka-broker-2 in dev: planning"), "\(text(screen))")
            // The status line's age of the last refresh is redrawn every second while the plan is built.
            var statusLines: Set<String> = []
            for _ in 0..<4 {
                screen = try tmux.capture()
                if screen.contains(where: { $0.contains("building the plan") }), let last = screen.last { statusLines.insert(last) }
                Thread.sleep(forTimeInterval: 1.1)
            }
            #expect(statusLines.count >= 2, "\(statusLines)")
            try tmux.send("Escape")
            screen = try tmux.wait(seconds: 2) { !$0.contains { $0.contains("building the plan") } }
            #expect(!text(screen).contains("service roll kafka-broker-2 in dev"))
            // The plan that arrives after the cancel is dropped, not shown.
            Thread.sleep(forTimeInterval: 12)
            screen = try tmux.capture()
            #expect(!text(screen).contains("Plan: service roll"), "\(text(screen))")
            try Sandbox.scenario("reset", "dev")
            #expect(primary(try state(), "kafka-broker-2") == primary(before, "kafka-broker-2"))
            #expect(!FileManager.default.fileExists(atPath: auditPath))
        }

        /// Rotates dev's `client-password` from the secrets view, then restores it with the
        /// restore key; values are compared by actions_state.py and never leave it.
        @Test func rotateThenRestoreFromTheSecretsView() throws {
            let key = "client-password"
            let parameter = "/kafka/dev/client-password"
            let before = try state()
            let original = version(before, key)
            defer {
                // Whatever happened, the original value ends up the latest again.
                _ = try? script(["put-back", parameter, "\(original)"])
                cleanUp()
            }
            let screens = Screens()
            let tmux = try console(config: try config())
            defer { tmux.close() }
            _ = screens.keep(try select(tmux, view: "secrets", key))
            try tmux.send("R")
            var screen = screens.keep(try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } })
            #expect(text(screen).contains("Plan: secret rotate client-password in dev"), "\(text(screen))")
            #expect(text(screen).contains("lock: /lookout/locks/dev/secret/client-password"))
            try tmux.send("y")
            screen = screens.keep(try tmux.wait(seconds: Self.timeout) { screen in
                screen.contains { $0.contains("Done: secret rotate client-password in dev.") || $0.contains("Failed:") }
            })
            #expect(text(screen).contains("Done: secret rotate client-password in dev."), "\(text(screen))")
            let rotated = try state()
            let written = version(rotated, key)
            #expect(written == original + 1)
            let labels = Dictionary(uniqueKeysWithValues: history(rotated, key).map { ($0.version, $0.labels) })
            #expect(labels[original]?.contains("previous") == true, "\(labels)")
            #expect(labels[written]?.contains("current") == true, "\(labels)")
            #expect(try script(["same", parameter, "\(original)", "\(written)"]) == "different")
            try tmux.send("Escape")
            try tmux.wait { !$0.contains { $0.contains("Plan: secret rotate") } }

            try tmux.send("P")
            screen = screens.keep(try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } })
            #expect(text(screen).contains("Plan: secret restore client-password in dev"), "\(text(screen))")
            try tmux.send("y")
            screen = screens.keep(try tmux.wait(seconds: Self.timeout) { screen in
                screen.contains { $0.contains("Done: secret restore client-password in dev.") || $0.contains("Failed:") }
            })
            #expect(text(screen).contains("Done: secret restore client-password in dev."), "\(text(screen))")
            let restored = try state()
            let back = version(restored, key)
            #expect(back == written + 1)
            #expect(try script(["same", parameter, "\(original)", "\(back)"]) == "same")
            let restoredLabels = Dictionary(uniqueKeysWithValues: history(restored, key).map { ($0.version, $0.labels) })
            #expect(restoredLabels[back]?.contains("current") == true, "\(restoredLabels)")
            #expect(restoredLabels[written]?.contains("previous") == true, "\(restoredLabels)")
            // Both runs audited, no value on any screen.
            let actions = Set(try auditLines().map { $0["action"] as? String ?? "" })
            #expect(actions == ["secret rotate", "secret restore"])
            #expect(try valueShown(parameter, screens) == false)
        }
    }
}

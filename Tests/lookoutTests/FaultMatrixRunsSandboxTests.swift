import Foundation
import Testing
import LookoutTestSupport

/// Issue 24's fault matrix, run: for each of an environment's `FaultMatrix.runs`, through the
/// built binary, `snapshot --format json` and `check` show the faulted sources `unknown` with
/// their error and the age of their last good data (or `crit`, where the fault is what the
/// source measures) while the environment's other sources stay known; the console in tmux
/// shows the same and keeps answering keys; after `reset` the sources answer on their next
/// poll. The figures go to docs/faults/<environment>.md.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox, .enabled(if: TmuxSession.available, "no tmux on PATH"))
struct FaultMatrixRunsSandboxTests {
    /// The environment alone, polled every 2 s with a 3 s source timeout; its endpoint probe
    /// gives up after 2 s, inside the source's time, so that a dead endpoint is measured down.
    static func config(for environment: String, home: String) throws -> String {
        let folder = Sandbox.folder!.path
        let text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
        let parts = text.components(separatedBy: "\n  - name: ")
        let head = parts[0]
            .replacingOccurrences(of: "timeouts: { source: 6s,", with: "timeouts: { source: 3s,")
            .replacingOccurrences(of: "refresh: 10s", with: "refresh: 2s")
        guard let block = parts.dropFirst().first(where: { $0.hasPrefix(environment + "\n") }) else {
            throw SandboxError("no environment \(environment) in lookout-tests.yaml")
        }
        let body = block.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
            .replacingOccurrences(of: "        timeout: 5s", with: "        timeout: 2s")
        let path = home + "/lookout.yaml"
        try (head + "\n  - name: " + body + (body.hasSuffix("\n") ? "" : "\n")).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    struct Figures {
        var run: FaultMatrix.Run
        var error = ""
        var ages: [String] = []
        var check = ""
        var console = ""
        var recovered = ""
        var seconds = 0.0
    }

    @Test(arguments: SandboxEnvironments.selected(["dev", "test", "acc", "prod"]))
    func everyRunOfTheMatrix(_ environment: String) throws {
        let home = Sandbox.temporaryStateHome()
        let config = try Self.config(for: environment, home: home)
        var variables = Sandbox.lookoutEnvironment(stateHome: home)
        variables["LOOKOUT_CONFIG"] = config
        let tmux = try TmuxSession(width: 200, height: 30, arguments: ["--env", environment], environment: variables)
        defer { tmux.close() }
        defer { try? Sandbox.scenario("reset", environment) }
        try Sandbox.scenario("reset", environment)

        // Every source read well once, so a fault has last good data to age.
        let first = try snapshot(environment, variables)
        for source in FaultMatrix.sources {
            #expect(status(first, source) != "unknown", "\(environment) \(source) before any fault: \(error(first, source))")
        }
        let ready = try tmux.wait(seconds: 30) { screen in FaultMatrix.sources.allSatisfy { row(screen, environment, $0)?.contains(" ok ") == true || row(screen, environment, $0)?.contains(" warn ") == true || row(screen, environment, $0)?.contains(" crit ") == true } }
        #expect(FaultMatrix.sources.allSatisfy { row(ready, environment, $0) != nil }, "the console's Sources view: \(ready.joined(separator: "\n"))")

        var figures: [Figures] = []
        for run in FaultMatrix.runs(on: environment) {
            figures.append(try measure(run, tmux: tmux, variables: variables))
        }
        try write(environment, figures)
    }

    func measure(_ run: FaultMatrix.Run, tmux: TmuxSession, variables: [String: String]) throws -> Figures {
        let started = Date()
        var figures = Figures(run: run)
        let environment = run.environment
        let arguments = [run.scenario, environment] + (run.argument.map { [$0] } ?? [])
        if run.slow {
            // a delay above the source's 3 s timeout (the scenario reads it when it loads)
            try Sandbox.scenario(arguments, environment: ["SANDBOX_DELAY_MS": "6000"])
        } else {
            try Sandbox.scenario(arguments)
        }
        defer { try? Sandbox.scenario("reset", environment) }
        let faulted = run.unknown + run.crit

        // snapshot --format json
        let state = try snapshot(environment, variables)
        for source in run.unknown {
            #expect(status(state, source) == "unknown", "\(run): \(source) is \(status(state, source) ?? "absent")")
            let age = sourceEntry(state, source)?["age_seconds"] as? Int
            #expect(age != nil, "\(run): \(source) keeps the age of its last good data")
            figures.ages.append("\(source) \(age.map { "\($0)s" } ?? "?")")
            let message = error(state, source)
            #expect(message.hasPrefix("\(environment) \(source)"), "\(run): \(message)")
            #expect(run.says.isEmpty || message.localizedCaseInsensitiveContains(run.says), "\(run): \(source): \(message)")
            if source == run.unknown.first { figures.error = message }
        }
        for source in run.crit {
            let finding = findings(state).first { $0["source"] as? String == source && $0["status"] as? String == "crit" }
            #expect(finding != nil, "\(run): \(source) crit, its finding: \(findings(state).filter { $0["source"] as? String == source })")
            let message = finding?["message"] as? String ?? ""
            #expect(run.unknown.isEmpty ? (run.says.isEmpty || message.localizedCaseInsensitiveContains(run.says)) : true, "\(run): \(message)")
            if figures.error.isEmpty { figures.error = "crit: " + message }
        }
        for source in FaultMatrix.sources where !faulted.contains(source) {
            #expect(status(state, source) != "unknown", "\(run): \(source) stays known: \(error(state, source))")
        }

        // check
        let check = try LookoutBinary.run(["check", "--env", environment], environment: variables)
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(check.status == (run.crit.isEmpty ? 3 : 2) || check.status == 2, "\(run): check exit \(check.status)")
        for source in run.unknown {
            let line = lines.first { $0.hasPrefix("UNKNOWN: \(environment) \(source): ") }
            #expect(line?.contains("showing data from") == true, "\(run): check names \(source): \(check.stdout)")
        }
        for source in run.crit {
            #expect(lines.contains { $0.hasPrefix("CRITICAL: \(environment) \(source) ") }, "\(run): check names \(source): \(check.stdout)")
        }
        figures.check = "exit \(check.status), " + faulted.map { source in
            lines.first { $0.contains(": \(environment) \(source)") }.map { String($0.prefix(while: { $0 != ":" })) } ?? "?"
        }.joined(separator: " ")

        // The console: the same statuses, and keys answered while the faulted poll waits.
        let shown = try tmux.wait(seconds: 20) { screen in
            run.unknown.allSatisfy { row(screen, environment, $0)?.contains("unknown") == true }
                && run.crit.allSatisfy { row(screen, environment, $0)?.contains("crit") == true }
        }
        let consoleSays = faulted.map { row(shown, environment, $0) ?? "" }
        #expect(run.unknown.allSatisfy { row(shown, environment, $0)?.contains("unknown") == true }
                && run.crit.allSatisfy { row(shown, environment, $0)?.contains("crit") == true },
                "\(run): the console shows \(consoleSays)")
        try tmux.send("?")
        let help = try tmux.wait(seconds: 3) { $0.contains { $0.contains("Show the keys") } }
        let answered = help.contains { $0.contains("Show the keys") }
        #expect(answered, "\(run): the console answers ? while a poll waits")
        try tmux.send("Escape")
        let back = try tmux.wait(seconds: 3) { screen in row(screen, environment, "ecs") != nil }
        #expect(row(back, environment, "ecs") != nil, "\(run): Escape returns to the Sources view")
        figures.console = faulted.map { source in
            let text = row(shown, environment, source) ?? ""
            return "\(source) " + (["unknown", "crit"].first { text.contains($0) } ?? "?")
        }.joined(separator: ", ") + (answered ? "; keys answered" : "; KEYS NOT ANSWERED")

        // reset: the next poll reads them again.
        try Sandbox.scenario("reset", environment)
        let after = try snapshot(environment, variables)
        for source in run.unknown {
            #expect(status(after, source) != "unknown", "\(run): \(source) after reset: \(error(after, source))")
        }
        for source in run.crit {
            #expect(!findings(after).contains { $0["source"] as? String == source && $0["status"] as? String == "crit" }, "\(run): \(source) after reset")
        }
        // (a group's own crit, archiver's stop, is the sandbox's steady state: only the fault's status must go)
        let cleared = { (screen: [String]) in
            run.unknown.allSatisfy { row(screen, environment, $0).map { !$0.contains("unknown") } ?? false }
                && run.crit.allSatisfy { row(screen, environment, $0).map { !$0.contains("crit") } ?? false }
        }
        let recovered = try tmux.wait(seconds: 20, until: cleared)
        let back2 = cleared(recovered)
        #expect(back2, "\(run): the console after reset: \(faulted.map { row(recovered, environment, $0) ?? "" })")
        figures.recovered = "snapshot " + faulted.map { "\($0) \(status(after, $0) ?? "?")" }.joined(separator: ", ") + (back2 ? "; console too" : "; CONSOLE NOT")
        figures.seconds = Date().timeIntervalSince(started)
        return figures
    }

    // MARK: reading

    func snapshot(_ environment: String, _ variables: [String: String]) throws -> JSONObject {
        let run = try LookoutBinary.run(["snapshot", "--format", "json", "--env", environment], environment: variables)
        #expect(run.status == 0, "snapshot: \(run.stderr)")
        return try #require((try parseJSON(run.stdout)["environments"] as? [JSONObject])?.first)
    }

    func sourceEntry(_ environment: JSONObject, _ source: String) -> JSONObject? {
        (environment["sources"] as? [JSONObject])?.first { $0["name"] as? String == source }
    }

    func status(_ environment: JSONObject, _ source: String) -> String? {
        sourceEntry(environment, source)?["status"] as? String
    }

    func error(_ environment: JSONObject, _ source: String) -> String {
        (environment["errors"] as? [JSONObject])?.first { $0["source"] as? String == source }?["message"] as? String ?? ""
    }

    func findings(_ environment: JSONObject) -> [JSONObject] {
        environment["findings"] as? [JSONObject] ?? []
    }

    /// The Sources view's row of a source: " ENV  SOURCE ...".
    func row(_ screen: [String], _ environment: String, _ source: String) -> String? {
        screen.first { line in
            // a protected environment's name carries "[P]"
            let words = line.split(separator: " ", omittingEmptySubsequences: true).filter { $0 != "[P]" }
            return words.count > 2 && words[0] == environment && words[1] == source
        }
    }

    // MARK: the table

    func write(_ environment: String, _ figures: [Figures]) throws {
        var lines = [
            "# Fault matrix: \(environment)",
            "",
            "Written by `FaultMatrixRunsSandboxTests/everyRunOfTheMatrix(\(environment))` on \(ISO8601DateFormatter().string(from: Date())),",
            "through the built binary against the sandbox (see [README.md](README.md) for the grid).",
            "Config: \(environment) alone, refresh 2 s, source timeout 3 s, endpoint probe timeout 2 s; a slow fault delays 6 s.",
            "",
            "| fault | scenario | sources | error (snapshot, first faulted source) | ages kept | check | console | after reset | s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for figure in figures {
            let run = figure.run
            let error = String(String(figure.error.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(140))
                .replacingOccurrences(of: "|", with: "/")
            lines.append("| \(run.fault.rawValue) | `\(run.scenario)\(run.argument.map { " " + $0 } ?? "")` | \(run.covers.joined(separator: ", ")) | \(error) | \(figure.ages.joined(separator: ", ")) | \(figure.check) | \(figure.console) | \(figure.recovered) | \(String(format: "%.1f", figure.seconds)) |")
        }
        let total = figures.map(\.seconds).reduce(0, +)
        lines += ["", "\(figures.count) runs in \(String(format: "%.0f", total)) s.", ""]
        let folder = SandboxLocation.repository.appendingPathComponent("docs/faults")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("\(environment).md"), atomically: true, encoding: .utf8)
    }
}

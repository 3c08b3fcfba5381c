import Foundation
import Testing
import LookoutTestSupport

/// The console, the real binary in tmux, against the sandbox (moto_server, Tansu, the fault proxy).
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox, .enabled(if: TmuxSession.available, "no tmux on PATH"))
struct ConsoleSandboxTests {
    static let names = ["dev", "test", "acc", "prod"]

    /// A copy of the sandbox's config that refreshes every 2 s, its relative paths made absolute.
    static func fastConfig() throws -> String {
        let folder = Sandbox.folder!.path
        var text = try String(contentsOfFile: folder + "/lookout-tests.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "refresh: 10s", with: "refresh: 2s")
        text = text.replacingOccurrences(of: "ca_file: pki/", with: "ca_file: \(folder)/pki/")
        let path = Sandbox.temporaryStateHome() + "/lookout.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func session(width: Int = 200, height: Int = 50) throws -> TmuxSession {
        let config = try fastConfig()
        return try TmuxSession(width: width, height: height, arguments: ["--config", config],
                               environment: Sandbox.lookoutEnvironment(stateHome: Sandbox.temporaryStateHome()))
    }

    /// Types `:NAME` and Enter, as a user switches views.
    static func command(_ tmux: TmuxSession, _ name: String) throws {
        try tmux.send(":")
        try tmux.type(name)
        try tmux.send("Enter")
    }

    /// The overview row of an environment.
    static func row(_ screen: [String], _ name: String) -> String? {
        screen.first { $0.hasPrefix(" \(name) ") }
    }

    /// The word after the status symbol in an overview row.
    static func status(_ row: String) -> String? {
        let words = row.split(separator: " ").map(String.init)
        return words.first { ["ok", "warn", "unknown", "crit"].contains($0) }
    }

    static func loaded(_ screen: [String]) -> Bool {
        names.allSatisfy { row(screen, $0).map { !$0.contains("load") } ?? false }
    }

    /// The text of a row under a column title: from the title to the next title (ASCII up to there).
    static func cell(_ screen: [String], row: String, column title: String) -> String? {
        guard let header = screen.first(where: { $0.contains(" \(title) ") }),
              let range = header.range(of: " \(title) ") else { return nil }
        let characters = Array(header)
        let start = header.distance(from: header.startIndex, to: range.lowerBound) + 1
        var end = start + title.count
        while end < characters.count, characters[end] == " " { end += 1 }
        let cells = Array(row)
        guard start < cells.count else { return nil }
        return String(cells[start..<min(cells.count, end - 1)]).trimmingCharacters(in: .whitespaces)
    }

    func statuses(_ snapshotJSON: String) throws -> [String: String] {
        let json = try parseJSON(snapshotJSON)
        let environments = json["environments"] as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: environments.map { ($0["name"] as! String, $0["status"] as! String) })
    }

    @Test func overviewShowsWhatSnapshotSees() throws {
        let environment = Sandbox.lookoutEnvironment(stateHome: Sandbox.temporaryStateHome())
        let before = try statuses(LookoutBinary.run(["snapshot", "--format", "json"], environment: environment).stdout)
        let tmux = try Self.session()
        defer { tmux.close() }
        // The first frame comes at once, before any poll ends.
        let first = try tmux.wait(seconds: 3) { screen in screen.contains { $0.hasPrefix(" prod [P]") } }
        #expect(first.contains { $0.hasPrefix(" prod [P]") })
        #expect(Self.row(first, "dev") != nil)
        let screen = try tmux.wait(seconds: 30) { Self.loaded($0) }
        let after = try statuses(LookoutBinary.run(["snapshot", "--format", "json"], environment: environment).stdout)
        #expect(before.count == 4)
        for name in Self.names {
            let row = try #require(Self.row(screen, name) ?? screen.first { $0.hasPrefix(" \(name) [P]") }, "\(name) in\n\(screen.joined(separator: "\n"))")
            let shown = Self.status(row)
            #expect(shown == before[name] || shown == after[name], "\(name): console \(shown ?? "-"), snapshot \(before[name] ?? "-")/\(after[name] ?? "-")")
            // Every source is read now: the LAG cell is the groups source's status, never n/a.
            #expect(!row.contains("n/a"), "\(row)")
            let lag = Self.cell(screen, row: row, column: "LAG") ?? ""
            #expect(["ok", "warn", "crit", "unknown"].contains { lag.hasSuffix($0) } || lag.range(of: #"^\? \d+[smhd]$"#, options: .regularExpression) != nil,
                    "\(name) LAG: \(lag)")
        }
    }

    @Test func keysFilterSwitchHelpAndResize() throws {
        let tmux = try Self.session()
        defer { tmux.close() }
        try tmux.wait(seconds: 30) { Self.loaded($0) }
        try tmux.send("/")
        try tmux.type("prod")
        try tmux.send("Enter")
        var screen = try tmux.wait { $0.last?.contains("filter: prod") == true }
        #expect(screen.contains { $0.hasPrefix(" prod [P]") })
        #expect(Self.row(screen, "dev") == nil)
        try tmux.send("Escape")
        screen = try tmux.wait { Self.row($0, "dev") != nil && $0.last?.contains("filter:") == false }
        #expect(Self.row(screen, "dev") != nil)
        #expect(screen.last?.contains("filter:") == false)

        try tmux.send(":")
        try tmux.type("cer")
        try tmux.send("Tab")
        screen = try tmux.wait { $0.contains { $0.hasPrefix(":certs") } }
        #expect(screen.contains { $0.hasPrefix(":certs") })
        try tmux.send("Enter")
        screen = try tmux.wait { $0.last?.contains("view: certs") == true }
        #expect(screen.first?.contains("Certificates") == true)
        #expect(screen.contains { $0.contains("broker") && $0.contains("tracked") })

        try tmux.send("?")
        screen = try tmux.wait { $0.contains { $0.contains("Show the keys") } }
        #expect(screen.contains { $0.contains("Filter the rows (Esc clears)") })
        try tmux.send("Escape")
        try tmux.send("Escape")
        screen = try tmux.wait { $0.last?.contains("view: overview") == true }
        #expect(Self.loaded(screen))

        try tmux.resize(width: 80, height: 24)
        screen = try tmux.wait { $0.count == 24 && Self.loaded($0) && $0.last?.contains("view: overview") == true }
        #expect(screen.count == 24)
        #expect(screen.last?.contains("view: overview") == true)
        #expect(Self.loaded(screen))
        try tmux.resize(width: 200, height: 50)
        screen = try tmux.wait { $0.count == 50 && $0.first?.contains("PROBLEM") == false && $0.contains { $0.contains("PROBLEM") } }
        #expect(screen.count == 50)
        #expect(screen.contains { $0.contains("PROBLEM") })
        try tmux.resize(width: 40, height: 8)
        screen = try tmux.wait { $0.joined().contains("too small") }
        #expect(screen.joined().contains("too small"))
        try tmux.send("q")
    }

    @Test func endpointsAndServedCertificatesShowWhatTheProbesMet() throws {
        let environment = Sandbox.lookoutEnvironment(stateHome: Sandbox.temporaryStateHome())
        let json = try parseJSON(LookoutBinary.run(["snapshot", "--format", "json", "--env", "acc"], environment: environment).stdout)
        let acc = try #require((json["environments"] as? [[String: Any]])?.first)
        let servedSerials = ((acc["certificates"] as? [[String: Any]]) ?? []).filter { $0["source"] as? String == "served" }.compactMap { $0["serial"] as? String }
        let tmux = try Self.session()
        defer { tmux.close() }
        try tmux.wait(seconds: 30) { Self.loaded($0) }
        try Self.command(tmux, "endpoints")
        var screen = try tmux.wait(seconds: 20) { screen in
            screen.contains { $0.hasPrefix(" dev ") && $0.contains("127.0.0.1:45030") }
                && screen.contains { $0.hasPrefix(" acc ") && $0.contains("127.0.0.1:45230") }
        }
        let dev = try #require(screen.first { $0.hasPrefix(" dev ") && $0.contains("127.0.0.1:45030") })
        #expect(Self.cell(screen, row: dev, column: "TCP")?.range(of: #"^\d+ms$"#, options: .regularExpression) != nil, "\(dev)")
        #expect(Self.cell(screen, row: dev, column: "TLS") == "off", "\(dev)")
        let accRow = try #require(screen.first { $0.hasPrefix(" acc ") && $0.contains("127.0.0.1:45230") })
        #expect(Self.cell(screen, row: accRow, column: "TLS")?.range(of: #"^\d+ms$"#, options: .regularExpression) != nil, "\(accRow)")
        try #require(!servedSerials.isEmpty, "snapshot shows no served certificate for acc")
        #expect(servedSerials.contains { accRow.contains($0.prefix(8)) }, "\(accRow) serves none of \(servedSerials)")
        try Self.command(tmux, "certs")
        screen = try tmux.wait(seconds: 10) { $0.contains { $0.hasPrefix(" acc ") && $0.contains("served") } }
        #expect(screen.contains { $0.hasPrefix(" acc ") && $0.contains("served") })
        #expect(!screen.joined().contains("not built"))
        try tmux.send("q")
    }

    static let groups = ["billing", "analytics", "archiver"]
    typealias Offsets = (committed: [String: [String: Int]], end: [String: Int])

    /// confluent-kafka's committed and end offsets of the sandbox's groups, over each
    /// environment's own security (Sandbox.kafkaReads).
    static func offsets(_ environment: String) throws -> Offsets {
        let json = try parseJSON(Sandbox.python(Sandbox.kafkaReads, [Sandbox.folder!.path, environment, "offsets"] + groups))
        return ((json["committed"] as? [String: [String: Int]]) ?? [:], (json["end"] as? [String: Int]) ?? [:])
    }

    /// The lag a read between `before` and `after` can see: per committed partition, from the
    /// earlier end less the later commit to the later end less the earlier commit.
    static func lagBounds(_ group: String, _ before: Offsets, _ after: Offsets) -> ClosedRange<Int> {
        var low = 0, high = 0
        for (key, committed) in after.committed[group] ?? [:] {
            low += max(0, (before.end[key] ?? 0) - committed)
            high += max(0, (after.end[key] ?? 0) - (before.committed[group]?[key] ?? 0))
        }
        return low...max(low, high)
    }

    /// A group's row in `:groups`, split into words after the group's name: status symbol, status,
    /// state, members, lag, lag seconds, trend, drain, reason...
    static func groupRow(_ screen: [String], _ environment: String, _ group: String) -> [String]? {
        guard let line = screen.first(where: { $0.hasPrefix(" \(environment) ") && $0.contains(" \(group) ") }) else { return nil }
        let words = line.split(separator: " ").map(String.init)
        guard let index = words.firstIndex(of: group), words.count > index + 8 else { return nil }
        return Array(words[(index + 1)...])
    }

    @Test func groupsShowDevsLagAsConfluentKafkaReadsIt() throws {
        let tmux = try Self.session()
        defer { tmux.close() }
        try tmux.wait(seconds: 30) { Self.loaded($0) }
        try Self.command(tmux, "groups")
        try tmux.wait(seconds: 20) { screen in Self.groups.allSatisfy { Self.groupRow(screen, "dev", $0) != nil } }
        let before = try Self.offsets("dev")
        // A poll that started after that read has ended (refresh 2 s, a poll well under 2 s).
        Thread.sleep(forTimeInterval: 6)
        let screen = try tmux.capture()
        let after = try Self.offsets("dev")
        #expect(screen.first?.contains("Consumer groups") == true)
        #expect(!screen.joined().contains("not built"))
        for group in Self.groups {
            let words = try #require(Self.groupRow(screen, "dev", group), "\(group) in\n\(screen.joined(separator: "\n"))")
            let lag = try #require(Int(words[4]), "\(group): \(words)")
            let bounds = Self.lagBounds(group, before, after)
            #expect(bounds.contains(lag), "dev \(group): lookout \(lag), confluent-kafka \(bounds)")
            #expect(["ok", "warn", "stall", "stop", "rewind", "crit", "pending"].contains(words[1]), "\(words)")
        }
        let archiver = try #require(Self.groupRow(screen, "dev", "archiver"))
        #expect(archiver[2] == "Empty" && archiver[3] == "0", "\(archiver)")
        #expect(archiver[7] == "-", "archiver commits nothing: not draining: \(archiver)")
        // Enter on a group opens its partitions.
        try tmux.send("/")
        try tmux.type("archiver")
        try tmux.send("Enter")
        try tmux.wait { $0.last?.contains("filter: archiver") == true }
        try tmux.send("Enter")
        let partitions = try tmux.wait { $0.last?.contains("group: archiver") == true && $0.contains { $0.contains(" audit ") } }
        #expect(partitions.contains { $0.hasPrefix(" dev ") && $0.contains(" archiver ") && $0.contains(" audit ") })
        try tmux.send("q")
    }

    /// Prod is SASL_SSL with SCRAM: with producers paused, analytics (which commits half of what
    /// arrived since its last commit) holds still, so lookout's lag equals confluent-kafka's exactly.
    @Test func prodsAnalyticsLagEqualsConfluentKafkasWhileProducersArePaused() throws {
        try Sandbox.scenario("producers-paused", "prod")
        defer { try? Sandbox.scenario("reset", "prod") }
        // analytics commits every 5 s: wait until two reads 6 s apart agree.
        var reads = try Self.offsets("prod")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 6)
            let next = try Self.offsets("prod")
            let settled = next.end == reads.end && next.committed["analytics"] == reads.committed["analytics"]
            reads = next
            if settled { break }
        }
        let expected = Self.lagBounds("analytics", reads, reads)
        try #require(expected.lowerBound == expected.upperBound, "prod's offsets did not settle")
        let tmux = try Self.session()
        defer { tmux.close() }
        try tmux.wait(seconds: 30) { Self.loaded($0) }
        try Self.command(tmux, "groups")
        let screen = try tmux.wait(seconds: 30) { screen in
            Self.groupRow(screen, "prod [P]", "analytics").map { Int($0[4]) == expected.lowerBound } ?? false
        }
        let analytics = try #require(Self.groupRow(screen, "prod [P]", "analytics"), "\(screen.joined(separator: "\n"))")
        #expect(Int(analytics[4]) == expected.lowerBound, "prod analytics: lookout \(analytics[4]), confluent-kafka \(expected.lowerBound)")
        let after = try Self.offsets("prod")
        #expect(Self.lagBounds("analytics", after, after) == expected, "the lag moved while producers were paused")
        try tmux.send("q")
    }

    @Test func blackHoledKafkaTurnsUnknownWithAnAgeWhileTheRestRefreshes() throws {
        let tmux = try Self.session()
        defer { tmux.close() }
        var screen = try tmux.wait(seconds: 30) { screen in
            Self.row(screen, "test").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }?.contains("ok") == true
        }
        let before = try #require(Self.row(screen, "test").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }, "\(screen.joined(separator: "\n"))")
        #expect(before.contains("ok"))
        try Sandbox.scenario("kafka-blackhole", "test")
        defer { try? Sandbox.scenario("reset", "test") }
        screen = try tmux.wait(seconds: 40) { screen in
            Self.row(screen, "test").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }?.hasPrefix("?") == true
        }
        let kafka = try #require(Self.row(screen, "test").flatMap { Self.cell(screen, row: $0, column: "KAFKA") })
        #expect(kafka.range(of: #"^\? \d+s$"#, options: .regularExpression) != nil, "test kafka: \(kafka)")
        // The others keep refreshing: their data stays younger than the 10 s source timeout that
        // test's hung poll waits out (polls every 2 s; the margin is for a loaded machine).
        for _ in 0..<3 {
            screen = try tmux.capture()
            for name in ["dev", "acc"] {
                let age = try #require(Self.row(screen, name).flatMap { Self.cell(screen, row: $0, column: "AGE") })
                #expect((Int(age.dropLast()) ?? 99) < 10, "\(name) age \(age)")
            }
            // Keys still answer at once while test's poll hangs.
            try tmux.send("?")
            let help = try tmux.wait(seconds: 1) { $0.contains { $0.contains("Show the keys") } }
            #expect(help.contains { $0.contains("Show the keys") })
            try tmux.send("Escape")
            try tmux.wait(seconds: 1) { $0.last?.contains("view: overview") == true }
            Thread.sleep(forTimeInterval: 1)
        }
        try tmux.send("q")
    }
}

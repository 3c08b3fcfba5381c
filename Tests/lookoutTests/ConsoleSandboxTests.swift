import Foundation
import Testing

/// The console, the real binary in tmux, against the sandbox (moto_server, Tansu, the fault proxy).
@Suite(.serialized, .enabled(if: Sandbox.available && TmuxSession.available))
struct ConsoleSandboxTests {
    static let names = ["dev", "test", "acc", "prod"]

    /// A copy of the sandbox's config that refreshes every 2 s, its relative paths made absolute.
    static func fastConfig() throws -> String {
        let folder = Sandbox.folder!.path
        var text = try String(contentsOfFile: folder + "/lookout.yaml", encoding: .utf8)
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
            #expect(row.contains("n/a"), "lag is not built: \(row)")
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
        try tmux.send(":")
        try tmux.type("endpoints")
        try tmux.send("Enter")
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
        try tmux.send(":")
        try tmux.type("certs")
        try tmux.send("Enter")
        screen = try tmux.wait(seconds: 10) { $0.contains { $0.hasPrefix(" acc ") && $0.contains("served") } }
        #expect(screen.contains { $0.hasPrefix(" acc ") && $0.contains("served") })
        #expect(!screen.joined().contains("not built"))
        try tmux.send("q")
    }

    @Test func blackHoledKafkaTurnsUnknownWithAnAgeWhileTheRestRefreshes() throws {
        let tmux = try Self.session()
        defer { tmux.close() }
        var screen = try tmux.wait(seconds: 30) { screen in
            Self.row(screen, "dev").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }?.contains("ok") == true
        }
        let before = try #require(Self.row(screen, "dev").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }, "\(screen.joined(separator: "\n"))")
        #expect(before.contains("ok"))
        try Sandbox.scenario("kafka-blackhole", "dev")
        defer { try? Sandbox.scenario("reset", "dev") }
        screen = try tmux.wait(seconds: 40) { screen in
            Self.row(screen, "dev").flatMap { Self.cell(screen, row: $0, column: "KAFKA") }?.hasPrefix("?") == true
        }
        let kafka = try #require(Self.row(screen, "dev").flatMap { Self.cell(screen, row: $0, column: "KAFKA") })
        #expect(kafka.range(of: #"^\? \d+s$"#, options: .regularExpression) != nil, "dev kafka: \(kafka)")
        // The others keep refreshing: their data stays younger than the black hole's timeout.
        for _ in 0..<3 {
            screen = try tmux.capture()
            for name in ["test", "acc"] {
                let age = try #require(Self.row(screen, name).flatMap { Self.cell(screen, row: $0, column: "AGE") })
                #expect((Int(age.dropLast()) ?? 99) <= 6, "\(name) age \(age)")
            }
            // Keys still answer at once while dev's poll hangs.
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

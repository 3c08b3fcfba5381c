import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources
import Testing
@testable import LookoutUI

@Suite struct FrameTests {
    let console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)

    func row(_ grid: Grid, starting name: String) -> String? {
        grid.lines.first { $0.hasPrefix(" " + name + " ") || $0.hasPrefix(" " + name + "[") }
    }

    @Test(arguments: [(80, 24), (200, 50), (300, 60)])
    func overviewFitsAndShowsEveryEnvironment(width: Int, height: Int) throws {
        let grid = Fixtures.frame(console, width: width, height: height)
        #expect(grid.lines.count == height)
        for line in grid.lines { #expect(TextWidth.of(line) == width) }
        let dev = try #require(row(grid, starting: "dev"))
        let test = try #require(row(grid, starting: "test"))
        let acc = try #require(row(grid, starting: "acc"))
        let prod = try #require(grid.lines.first { $0.hasPrefix(" prod [P]") })
        #expect(dev.contains("● ok"))
        #expect(test.contains("▲ warn"))
        #expect(acc.contains("? unknown"))
        #expect(prod.contains("✖ crit"))
        // Every source is read now: no n/a cell (the LAG cell is the groups source's status).
        #expect(!dev.contains("n/a"), "\(dev)")
        #expect(grid.line(1).contains("KAFKA"))
        #expect(grid.line(height - 1).contains("env: all"))
        #expect(grid.line(height - 1).contains("view: overview"))
    }

    @Test func unknownSourceShowsTheAgeOfItsLastGoodData() throws {
        let grid = Fixtures.frame(console, width: 120, height: 24)
        let acc = try #require(row(grid, starting: "acc"))
        #expect(acc.contains("? 42s"))
    }

    @Test func wideTerminalShowsTheWorstProblemInWords() throws {
        let grid = Fixtures.frame(console, width: 200, height: 50)
        let prod = try #require(grid.lines.first { $0.hasPrefix(" prod [P]") })
        #expect(prod.contains("no task running (desired 1)"))
        let test = try #require(row(grid, starting: "test"))
        #expect(test.contains("1 of 2 tasks running"))
    }

    @Test func firstFrameBeforeAnyPollShowsLoading() {
        let grid = Fixtures.frame(console, width: 80, height: 24, snapshot: nil)
        for name in ["dev", "test", "acc", "prod"] {
            #expect(grid.lines.contains { $0.hasPrefix(" \(name)") && $0.contains("load") })
        }
        #expect(grid.line(23).contains("loading…"))
    }

    @Test(arguments: [(59, 24), (80, 9), (20, 5)])
    func tooSmallSaysSo(width: Int, height: Int) {
        let grid = Fixtures.frame(console, width: width, height: height)
        #expect(grid.lines.joined().contains("too small"))
        #expect(!grid.lines.joined().contains("KAFKA"))
    }

    @Test func selectionAndStatusLineRoles() {
        let grid = Fixtures.frame(console, width: 100, height: 24)
        #expect(grid.rows[2].allSatisfy { $0.role == .selection })
        #expect(grid.rows[23].allSatisfy { $0.role == .statusLine })
        #expect(grid.rows[0].allSatisfy { if case .status = $0.role { true } else { $0.role == .header } })
        // The status colour travels with the symbol, so colour and symbol agree.
        let prodRow = grid.rows.first { row in row.map(\.text).joined().hasPrefix(" prod") }!
        #expect(prodRow.contains { $0.text == "✖" && $0.role == .status(.crit) })
    }

    @Test func readOnlyIsMarkedInTheStatusLine() {
        let grid = Fixtures.frame(Console(environments: ["dev"], readOnly: true), width: 100, height: 24)
        #expect(grid.line(23).contains("READ-ONLY"))
        #expect(!Fixtures.frame(console, width: 100, height: 24).line(23).contains("READ-ONLY"))
    }

    @Test func wideCharactersKeepTheColumnsAligned() throws {
        let config = Fixtures.config([("開発", false), ("prod", true)])
        let snapshot = Fixtures.snapshot(config)
        let grid = Fixtures.frame(Console(environments: ["開発", "prod"], readOnly: false), width: 80, height: 24, snapshot: snapshot, config: config)
        for line in grid.lines { #expect(TextWidth.of(line) == 80) }
        let wide = try #require(grid.lines.first { $0.contains("開発") })
        let prod = try #require(grid.lines.first { $0.hasPrefix(" prod") })
        // The status column starts at the same terminal column in both rows.
        func column(of text: String, in line: String) -> Int { TextWidth.of(String(line[..<line.range(of: text)!.lowerBound])) }
        #expect(column(of: "● ok", in: wide) == column(of: "✖ crit", in: prod))
    }

    @Test func everyViewRendersAt80And300Columns() {
        for view in ViewRegistry.all {
            var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
            console.navigate(Location(view: view.name))
            for (width, height) in [(80, 24), (300, 50)] {
                let grid = Fixtures.frame(console, width: width, height: height)
                for line in grid.lines { #expect(TextWidth.of(line) == width, "\(view.name) at \(width)") }
                #expect(grid.line(height - 1).contains("view: \(view.name)"))
            }
        }
    }

    /// The text of a row under a column title: from the title's terminal column to the next title's.
    func cell(_ grid: Grid, header: Int = 1, row: String, column title: String) -> String? {
        let heading = Array(grid.line(header))
        let titles = String(heading)
        guard let range = titles.range(of: " \(title) ") ?? titles.range(of: " \(title)", options: .backwards) else { return nil }
        let start = titles.distance(from: titles.startIndex, to: range.lowerBound) + 1
        var end = start + title.count
        while end < heading.count, heading[end] == " " { end += 1 }
        let characters = Array(row)
        guard start < characters.count else { return nil }
        // A right-aligned cell starts before its title: take from the end of the previous title.
        var from = start
        while from > 0, heading[from - 1] == " ", characters[from - 1] != " " { from -= 1 }
        return String(characters[from..<min(characters.count, end)]).trimmingCharacters(in: .whitespaces)
    }

    @Test(arguments: [(80, 24), (200, 50), (300, 60)])
    func overviewLagCellIsTheGroupsSource(width: Int, height: Int) throws {
        let snapshot = Fixtures.snapshot(devGroups: ["billing", "analytics"])
        let grid = Fixtures.frame(console, width: width, height: height, snapshot: snapshot)
        let dev = try #require(row(grid, starting: "dev"))
        let test = try #require(row(grid, starting: "test"))
        #expect(cell(grid, row: dev, column: "LAG") == "▲ warn", "\(grid.line(1))\n\(dev)")
        #expect(cell(grid, row: test, column: "LAG") == "● ok", "\(grid.line(1))\n\(test)")
        #expect(!dev.contains("n/a"))
    }

    @Test func overviewLagCellIsUnknownWithAnAgeWhenTheGroupsFail() throws {
        var failing = Fixtures.observations()
        failing.groups = SourceOutcome(name: "groups", value: failing.groups?.value, fetchedAt: Fixtures.now.addingTimeInterval(-25),
                                       durationMs: 10_000, error: "no answer within 10s", errorSince: Fixtures.now.addingTimeInterval(-12))
        let config = Fixtures.config([("dev", false)])
        let snapshot = Snapshot(generatedAt: Fixtures.now, environments: [Evaluator.evaluate(failing, config: config.environments[0], now: Fixtures.now)])
        let grid = Fixtures.frame(Console(environments: ["dev"], readOnly: false), width: 200, height: 30, snapshot: snapshot, config: config)
        let dev = try #require(row(grid, starting: "dev"))
        #expect(cell(grid, row: dev, column: "LAG") == "? 25s", "\(dev)")
    }

    func groupsText(width: Int = 200, _ console: Console? = nil) -> (grid: Grid, text: String) {
        var console = console ?? Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
        if console.location.view == OverviewView.view.name { console.navigate(Location(view: GroupsView.view.name, environment: "dev")) }
        let grid = Fixtures.frame(console, width: width, height: 40, snapshot: Fixtures.snapshot(devGroups: ["billing", "replayer", "analytics", "archiver"]))
        return (grid, grid.lines.joined(separator: "\n"))
    }

    @Test func groupsViewShowsStatusLagTrendAndTimeToDrain() throws {
        let (grid, text) = groupsText()
        #expect(grid.line(0).contains("Consumer groups"))
        #expect(!text.contains("not built"))
        for line in grid.lines { #expect(TextWidth.of(line) == 200) }
        let billing = try #require(grid.lines.first { $0.contains(" billing ") })
        let replayer = try #require(grid.lines.first { $0.contains(" replayer ") })
        let analytics = try #require(grid.lines.first { $0.contains(" analytics ") })
        let archiver = try #require(grid.lines.first { $0.contains(" archiver ") })
        #expect(cell(grid, row: billing, column: "STATUS") == "● ok")
        #expect(cell(grid, row: billing, column: "STATE") == "Stable")
        #expect(cell(grid, row: billing, column: "MEMBERS") == "1")
        #expect(cell(grid, row: billing, column: "LAG") == "2")
        // The replayer drains 250 messages in 6 s with nothing produced: 50 left take 1.2 s.
        #expect(cell(grid, row: replayer, column: "LAG") == "50")
        #expect(cell(grid, row: replayer, column: "DRAIN") == "1.2s", "\(replayer)")
        #expect(cell(grid, row: replayer, column: "TREND") == "█▅▂▁", "\(replayer)")
        #expect(cell(grid, row: replayer, column: "MEMBERS") == "2")
        // analytics consumes 5/s while 10/s arrive: warn, not draining, lag 8 s behind.
        #expect(cell(grid, row: analytics, column: "STATUS") == "▲ warn")
        #expect(cell(grid, row: analytics, column: "LAG") == "80")
        #expect(cell(grid, row: analytics, column: "LAG S") == "8.0s", "\(analytics)")
        #expect(cell(grid, row: analytics, column: "TREND") == "▁▃▆█")
        #expect(cell(grid, row: analytics, column: "DRAIN") == "-")
        #expect(analytics.contains("lag grew at every one of the last 4 polls (50 → 80)"))
        #expect(cell(grid, row: archiver, column: "STATUS") == "✖ stop")
        #expect(cell(grid, row: archiver, column: "STATE") == "Empty")
        #expect(cell(grid, row: archiver, column: "MEMBERS") == "0")
        #expect(cell(grid, row: archiver, column: "LAG") == "150")
        #expect(cell(grid, row: archiver, column: "DRAIN") == "-")
        #expect(archiver.contains("no members"))
    }

    @Test func groupsViewAt80ColumnsKeepsStatusAndLag() throws {
        let (grid, _) = groupsText(width: 80)
        for line in grid.lines { #expect(TextWidth.of(line) == 80) }
        let analytics = try #require(grid.lines.first { $0.contains(" analytics ") })
        #expect(analytics.contains("▲ warn"))
        #expect(analytics.contains(" 80 "))
    }

    @Test func sparklineScalesTheWindowAndFallsBackToASCII() {
        #expect(GroupsRender.sparkline([0, 1, 2, 3, 4, 5, 6, 7], ascii: false) == "▁▂▃▄▅▆▇█")
        #expect(GroupsRender.sparkline([0, 1, 2, 3, 4, 5, 6, 7], ascii: true) == "_.,:-=+#")
        #expect(GroupsRender.sparkline([5, 5, 5], ascii: false) == "▄▄▄")
        #expect(GroupsRender.sparkline([0, 0], ascii: false) == "▁▁")
        #expect(GroupsRender.sparkline([], ascii: false) == "")
        #expect(StatusSymbols([.ok: "*", .warn: "!", .crit: "X", .unknown: "?", .pending: ".", .loading: ".", .unavailable: "-"]).isASCII)
        #expect(!StatusSymbols.standard.isASCII)
    }

    @Test func enterOnAGroupOpensItsPartitions() throws {
        var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
        console.navigate(Location(view: GroupsView.view.name, environment: "dev"))
        let snapshot = Fixtures.snapshot(devGroups: ["billing", "replayer", "analytics", "archiver"])
        _ = Fixtures.press(&console, [.char("j"), .enter], snapshot: snapshot)
        #expect(console.location == Location(view: PartitionsView.view.name, environment: "dev", object: "replayer"))
        let grid = Fixtures.frame(console, width: 200, height: 30, snapshot: snapshot)
        let text = grid.lines.joined(separator: "\n")
        let row = try #require(grid.lines.first { $0.contains(" payments ") })
        #expect(cell(grid, row: row, column: "COMMITTED") == "450")
        #expect(cell(grid, row: row, column: "END") == "500")
        #expect(cell(grid, row: row, column: "LAG") == "50")
        #expect(!text.contains(" billing "))
        #expect(grid.line(29).contains("group: replayer"))
        _ = Fixtures.press(&console, [.escape], snapshot: snapshot)
        #expect(console.location.view == GroupsView.view.name)
    }

    @Test func drillDownViewsShowTheirData() {
        func text(_ view: String, environment: String? = nil) -> String {
            var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
            console.navigate(Location(view: view, environment: environment))
            return Fixtures.frame(console, width: 200, height: 50).lines.joined(separator: "\n")
        }
        #expect(text("services", environment: "prod").contains("kafka-broker-2"))
        #expect(!text("services", environment: "prod").contains(" dev "))
        #expect(text("instances").contains("i-0003"))
        #expect(text("brokers").contains("111"))
        #expect(text("topics").contains("orders"))
        let replicas = text("replicas", environment: "dev")
        #expect(replicas.contains("LEADER"))
        #expect(replicas.components(separatedBy: "\n").filter { $0.contains(" orders ") && $0.contains(" 111 ") }.count == 3, "\(replicas)")
        #expect(text("secrets").contains("admin-password"))
        #expect(text("tasks").contains("task2"))
        let endpoints = text("endpoints", environment: "dev")
        #expect(endpoints.contains("kafka.example.com:9094"))
        #expect(endpoints.contains("31ms"))
        #expect(endpoints.contains("10.0.0.7:9093"))
        #expect(endpoints.contains("off"))
        #expect(endpoints.contains("5EC0FFEE"))
        let certificates = text("certs", environment: "dev")
        #expect(certificates.contains("served"))
        #expect(certificates.contains("tracked"))
        #expect(!certificates.contains("not built"))
        let errors = text("errors")
        #expect(errors.contains("acc"))
        #expect(errors.contains("kafka"))
        #expect(errors.contains("no answer within 10s"))
        #expect(text("env", environment: "acc").contains("no answer within 10s"))
    }
}

import Foundation
import LookoutConfig
import LookoutModel
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
        // Lag is not built: n/a, never a made-up value.
        #expect(dev.components(separatedBy: "n/a").count - 1 == 1)
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

    @Test func notBuiltViewsSayNotBuilt() {
        for name in ["groups"] {
            var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false)
            console.navigate(Location(view: name))
            let text = Fixtures.frame(console, width: 160, height: 30).lines.joined(separator: "\n")
            #expect(text.contains("not built yet"))
        }
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

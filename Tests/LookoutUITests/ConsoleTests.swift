import Testing
@testable import LookoutUI
import LookoutSources

@Suite struct ConsoleTests {
    func console() -> Console { Console(environments: ["dev", "test", "acc", "prod"], readOnly: false) }

    @Test func filterNarrowsTheRowsAndEscapeClearsIt() {
        var console = console()
        _ = Fixtures.press(&console, [.char("/")] + Fixtures.type("prod"))
        #expect(console.input == .filter("prod"))
        let rows = Frame.rows(console: console, context: Fixtures.context(console))
        #expect(rows.count == 1)
        #expect(rows[0].environment == "prod")
        _ = Fixtures.press(&console, [.enter])
        #expect(console.input == .none)
        #expect(console.filter == "prod")
        #expect(Fixtures.frame(console, width: 100, height: 24).line(23).contains("filter: prod"))
        _ = Fixtures.press(&console, [.escape])
        #expect(console.filter == "")
        #expect(Frame.rows(console: console, context: Fixtures.context(console)).count == 4)
    }

    @Test func colonSwitchesViewsWithCompletion() {
        var console = console()
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("ce") + [.tab])
        #expect(console.input == .command("certs"))
        _ = Fixtures.press(&console, [.enter])
        #expect(console.location == Location(view: "certs"))
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("env p") + [.tab, .enter])
        #expect(console.location == Location(view: "env", environment: "prod"))
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("secrets") + [.enter])
        #expect(console.location == Location(view: "secrets", environment: "prod"))
        _ = Fixtures.press(&console, [.escape, .escape])
        #expect(console.location == Location(view: "certs"))
    }

    @Test func completionStopsWhereCandidatesDiffer() {
        #expect(CommandCompletion.complete("e", candidates: ["env", "endpoints", "errors"]) == "e")
        #expect(CommandCompletion.complete("en", candidates: ["env dev", "env prod", "endpoints"]) == "en")
        #expect(CommandCompletion.complete("env d", candidates: ["env dev", "env prod"]) == "env dev")
        #expect(CommandCompletion.complete("zz", candidates: ["env"]) == "zz")
    }

    @Test func unknownViewOrEnvironmentIsAMessageNotAMove() {
        var console = console()
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("certz") + [.enter])
        #expect(console.location == Location(view: "overview"))
        #expect(console.message?.contains("no view `certz`") == true)
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("env nowhere") + [.enter])
        #expect(console.message?.contains("no environment `nowhere`") == true)
        #expect(Fixtures.frame(console, width: 100, height: 24).line(22).contains("no environment `nowhere`"))
    }

    @Test func enterDrillsInAndEscapeGoesBack() {
        var console = console()
        _ = Fixtures.press(&console, [.char("j"), .down, .enter])
        #expect(console.location == Location(view: "env", environment: "acc"))
        _ = Fixtures.press(&console, [.char("j"), .char("j"), .enter])
        #expect(console.location == Location(view: "brokers", environment: "acc"))
        _ = Fixtures.press(&console, [.escape])
        #expect(console.location == Location(view: "env", environment: "acc"))
        _ = Fixtures.press(&console, [.escape])
        #expect(console.location == Location(view: "overview"))
    }

    @Test func movementKeys() {
        var console = console()
        _ = Fixtures.press(&console, [.char("G")])
        #expect(console.selection == 3)
        _ = Fixtures.press(&console, [.down])
        #expect(console.selection == 3)
        _ = Fixtures.press(&console, [.char("k"), .up])
        #expect(console.selection == 1)
        _ = Fixtures.press(&console, [.char("g")])
        #expect(console.selection == 0)
    }

    @Test func quitRefreshAndHelp() {
        var console = console()
        #expect(Fixtures.press(&console, [.char("r")]) == [.refresh])
        _ = Fixtures.press(&console, [.char("?")])
        #expect(console.location.view == "help")
        let help = Fixtures.frame(console, width: 100, height: 30).lines.joined(separator: "\n")
        for binding in KeyMap.standard.bindings { #expect(help.contains(binding.description)) }
        _ = Fixtures.press(&console, [.char("?")])
        #expect(console.location.view == "overview")
        #expect(Fixtures.press(&console, [.char("q")]) == [.quit])
        // While typing, q is a letter, not quit.
        #expect(Fixtures.press(&console, [.char("/"), .char("q")]) == [.none, .none])
    }

    @Test func clampKeepsTheSelectionVisible() {
        var console = console()
        console.selection = 30
        console.clamp(rowCount: 25, pageSize: 10)
        #expect(console.selection == 24)
        #expect(console.top == 15)
        console.selection = 2
        console.clamp(rowCount: 25, pageSize: 10)
        #expect(console.top == 2)
    }
}

@Suite struct KeyMapTests {
    @Test func readOnlyDropsEveryDangerousBinding() {
        let map = KeyMap(KeyMap.standard.bindings + [
            KeyBinding([.char("R")], .refresh, "Rotate the selected secret", dangerous: true),
        ])
        #expect(map.action(for: .char("R")) == .refresh)
        let readOnly = map.readOnly(true)
        #expect(readOnly.action(for: .char("R")) == nil)
        #expect(readOnly.bindings.allSatisfy { !$0.dangerous })
        #expect(readOnly.bindings.count == KeyMap.standard.bindings.filter { !$0.dangerous && $0.action != .showAction }.count)
        #expect(map.readOnly(false) == map)
    }

    @Test func standardMapFollowsK9s() {
        let map = KeyMap.standard
        let expected: [(Key, KeyAction)] = [(.char("?"), .help), (.char(":"), .command), (.char("/"), .filter), (.enter, .drillIn),
                                            (.escape, .back), (.char("j"), .down), (.down, .down), (.char("k"), .up), (.up, .up),
                                            (.char("g"), .top), (.char("G"), .bottom), (.char("r"), .refresh), (.char("q"), .quit)]
        for (key, action) in expected { #expect(map.action(for: key) == action, "\(key)") }
        #expect(map.bindings.allSatisfy { !$0.description.isEmpty })
        #expect(Set(map.bindings.map(\.action)) == Set(KeyAction.allCases))
    }

    @Test func helpIsGeneratedFromTheMapInForce() {
        let map = KeyMap(KeyMap.standard.bindings + [KeyBinding([.char("R")], .refresh, "Rotate the selected secret", dangerous: true)])
        let context = ViewContext(snapshot: nil, environments: [], scope: nil, now: Fixtures.now, keyMap: map.readOnly(true))
        #expect(!HelpView.view.rows(context).contains { $0.cells[1].text == "Rotate the selected secret" })
        let full = ViewContext(snapshot: nil, environments: [], scope: nil, now: Fixtures.now, keyMap: map)
        #expect(HelpView.view.rows(full).contains { $0.cells[1].text == "Rotate the selected secret" })
    }
}

@Suite struct SourceRegistryInTheConsoleTests {
    /// The console loops over the sources' registry: each source names the view Enter opens from
    /// its row, and that view must exist under that very name.
    @Test func everySourceOpensAViewOfTheConsole() {
        #expect(SourceRegistry.all.count == 8)
        for source in SourceRegistry.all {
            #expect(ViewRegistry.view(named: source.console.view)?.name == source.console.view, "\(source.id) opens \(source.console.view)")
        }
        #expect(OverviewRender.sources.map(\.title) == ["ECS", "ASG", "KAFKA", "LAG", "CERTS", "ENDPTS", "SECRETS"])
        #expect(EnvironmentRender.sources.map(\.source) == ["ecs", "autoscaling", "kafka", "groups", "certificates", "route53", "endpoints", "secrets"])
    }
}

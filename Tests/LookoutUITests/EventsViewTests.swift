import Foundation
import LookoutModel
import LookoutSources
import Testing
@testable import LookoutUI

/// `:events`: the timeline of the environments in scope, newest first, failing sources as unknown
/// rows, Enter opening the object's view; `e` opens it from the overview and, on a finding, for
/// the hour before that finding began.
@Suite struct EventsViewTests {
    static let now = Fixtures.now

    static func event(_ env: String, _ source: String, _ object: String, minutesAgo: Double, _ summary: String) -> ChangeEvent {
        ChangeEvent(environment: env, source: source, object: object, time: now.addingTimeInterval(-minutesAgo * 60), summary: summary)
    }

    static let log = ChangeLog([
        "prod": .init(readAt: now, since: now.addingTimeInterval(-3600), events: [
            event("prod", "ecs", "service broker", minutesAgo: 5, "deployment ecs-svc/1 started: broker:7"),
            event("prod", "ssm", "secret scram", minutesAgo: 20, "version 4 of /prod/scram written"),
            event("prod", "lookout", "broker", minutesAgo: 6, "service roll ok in 30.0 s"),
            event("prod", "ecs", "task abc", minutesAgo: 90, "stopped: too old for the hour"),
        ], failures: [(source: "autoscaling", error: "prod autoscaling: no answer within 10 seconds")]),
        "dev": .init(readAt: now, since: now.addingTimeInterval(-3600), events: [
            event("dev", "autoscaling", "group dev-asg", minutesAgo: 2, "Terminating EC2 instance: i-1"),
        ]),
    ])

    static func context(scope: String?, object: String? = nil, snapshot: Snapshot? = Fixtures.snapshot(), log: ChangeLog = log) -> ViewContext {
        ViewContext(snapshot: snapshot, environments: Fixtures.infos(Fixtures.standard), scope: scope, object: object, now: now, changes: log)
    }

    @Test func theHourOfTheEnvironmentInScopeNewestFirstWithFailuresAsUnknown() {
        let rows = EventsRender.rows(Self.context(scope: "prod"))
        #expect(rows.first?.cells.first?.text.contains("unknown") == true)
        #expect(rows.first?.cells.last?.text.contains("no answer") == true)
        let events = rows.dropFirst()
        #expect(events.map { $0.cells[4].text } == ["service broker", "broker", "secret scram"])
        #expect(events.map { $0.cells[0].text } == ["5m", "6m", "20m"])
        // every environment in scope: test and acc not read yet (one row says so), dev's and prod's events
        let all = EventsRender.rows(Self.context(scope: nil))
        #expect(all.filter { $0.drill != nil }.count == 4)
        #expect(all.contains { $0.cells[2].text == "test, acc" && $0.cells.last?.text.hasPrefix("reading") == true })
    }

    @Test func enterOpensTheObjectsView() {
        let rows = EventsRender.rows(Self.context(scope: "prod")).filter { $0.drill != nil }
        #expect(rows.map { $0.drill?.view } == ["services", "services", "secrets"])
        #expect(rows.allSatisfy { $0.drill?.environment == "prod" })
        let group = EventsRender.drill(Self.event("dev", "groups", "group billing", minutesAgo: 1, "status ok → stall"))
        #expect(group == Location(view: "partitions", environment: "dev", object: "billing"))
        #expect(EventsRender.drill(Self.event("dev", "route53", "health check hc", minutesAgo: 1, "status ok → crit"))?.view == "endpoints")
        #expect(EventsRender.drill(Self.event("dev", "ssm", "certificate broker key", minutesAgo: 1, "version 2 written"))?.view == "certs")
    }

    @Test func beforeThereIsAReadingTheViewSaysItIsReading() {
        let rows = EventsRender.rows(Self.context(scope: "prod", log: ChangeLog()))
        #expect(rows.count == 1)
        #expect(rows[0].cells.last?.text.hasPrefix("reading deployments") == true)
    }

    @Test func aFindingShowsTheChangesOfTheHourBeforeItBegan() throws {
        var snapshot = Fixtures.snapshot()
        let prod = try #require(snapshot.environments.firstIndex { $0.name == "prod" })
        let finding = try #require(snapshot.environments[prod].findings.first)
        var observed = ObservedChanges()
        // the finding began 10 minutes ago; a group changed 30 minutes ago, as lookout saw it
        observed.observe(environment: "prod", readings: [], read: [], findings: [finding], at: Self.now.addingTimeInterval(-600))
        observed.events = [Self.event("prod", "groups", "group billing", minutesAgo: 30, "status ok → stall")]
        snapshot.environments[prod].observed = observed

        var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: false, environment: "prod")
        let rows = Frame.rows(console: console, context: Fixtures.context(console, snapshot: snapshot))
        let index = try #require(rows.firstIndex { $0.finding == "\(finding.source) \(finding.object)" })
        #expect(rows[index].cells.last?.text.contains("(for 10m)") == true)
        console.selection = index
        _ = console.handle(.char("e"), rows: rows, pageSize: 20)
        #expect(console.location == Location(view: "events", environment: "prod", object: "before \(finding.source) \(finding.object)"))

        let shown = EventsRender.rows(Self.context(scope: "prod", object: console.location.object, snapshot: snapshot))
        // the note, then the unknown source, then the hour before the finding: 70 to 10 minutes ago
        #expect(shown[0].cells.last?.text.hasPrefix("the hour before") == true)
        // (the roll 5 and 6 minutes ago came after it began: not shown)
        #expect(shown.filter { $0.drill != nil }.map { $0.cells[4].text } == ["secret scram", "group billing"])
        let window = EventsRender.window(Self.context(scope: "prod", object: console.location.object, snapshot: snapshot))
        #expect(window.to == Self.now.addingTimeInterval(-600))
    }

    @Test func eOnTheOverviewOpensTheEnvironmentsChanges() {
        var console = Console(environments: ["dev", "test", "acc", "prod"], readOnly: true)
        _ = Fixtures.press(&console, [.char("G"), .char("e")])
        #expect(console.location == Location(view: "events", environment: "prod"))
        _ = Fixtures.press(&console, [.escape, .char(":")] + Fixtures.type("timeline") + [.enter])
        #expect(console.location.view == "events")
    }
}

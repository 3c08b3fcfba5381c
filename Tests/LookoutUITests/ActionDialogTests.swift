import LookoutActions
import Testing
@testable import LookoutUI

/// The action keys and the confirmation dialog, as pure logic: what each key does to the dialog,
/// and what the console asks the app to do (plan, run, let go of the plan).
@Suite struct ActionKeyTests {
    @Test func actionKeysWorkOnlyInTheirViews() {
        let map = KeyMap.standard
        #expect(map.action(for: .char("R"), in: ServicesView.view.name) == .roll)
        #expect(map.action(for: .char("R"), in: SecretsView.view.name) == .rotate)
        #expect(map.action(for: .char("P"), in: SecretsView.view.name) == .restore)
        #expect(map.action(for: .char("R"), in: OverviewView.view.name) == nil)
        #expect(map.action(for: .char("P"), in: ServicesView.view.name) == nil)
        // `r` still refreshes everywhere, also where `R` acts.
        #expect(map.action(for: .char("r"), in: ServicesView.view.name) == .refresh)
        let actions = map.bindings.filter { $0.action.consoleAction != nil }
        #expect(actions.count == 4)
        #expect(map.action(for: .char("R"), in: CertificatesView.view.name) == .reissue)
        #expect(map.action(for: .char("a"), in: OverviewView.view.name) == .showAction)
        #expect(actions.allSatisfy { $0.dangerous })
        // No key of an action clashes with a key of every view.
        let global = Set(map.bindings.filter(\.views.isEmpty).flatMap(\.keys))
        #expect(actions.allSatisfy { Set($0.keys).isDisjoint(with: global) })
    }

    @Test func readOnlyHasNoActionKeyAndHelpListsNone() {
        let readOnly = KeyMap.standard.readOnly(true)
        #expect(readOnly.action(for: .char("a")) == nil)
        for view in [ServicesView.view.name, SecretsView.view.name, CertificatesView.view.name] {
            #expect(readOnly.action(for: .char("R"), in: view) == nil)
            #expect(readOnly.action(for: .char("P"), in: view) == nil)
        }
        let help = HelpView.view.rows(ViewContext(snapshot: nil, environments: [], scope: nil, now: Fixtures.now, keyMap: readOnly))
        #expect(!help.contains { $0.cells[2].text == "changes things" })
        #expect(!help.contains { $0.cells[1].text.contains("Roll the selected") || $0.cells[1].text.contains("Rotate") })
        let full = HelpView.view.rows(ViewContext(snapshot: nil, environments: [], scope: nil, now: Fixtures.now, keyMap: .standard))
        let dangerous = full.filter { $0.cells[2].text == "changes things" }
        #expect(dangerous.map { $0.cells[0].text } == ["R", "R", "P", "R"])
        #expect(dangerous[0].cells[1].text.hasSuffix("(in :services)"))
        #expect(dangerous[2].cells[1].text.contains("`previous`"))
    }

    func console(readOnly: Bool = false, readOnlyEnvironments: Set<String> = []) -> Console {
        Console(environments: ["dev", "test", "acc", "prod"], readOnly: readOnly, protected: ["prod"], readOnlyEnvironments: readOnlyEnvironments)
    }

    /// Switches to a view and selects the row of `target` in `environment`.
    func select(_ console: inout Console, view: String, environment: String, target: String) {
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type(view) + [.enter])
        let rows = Frame.rows(console: console, context: Fixtures.context(console))
        console.selection = rows.firstIndex { $0.environment == environment && $0.target == target }!
    }

    @Test func aKeyOnARowPlansThatObject() {
        var console = console()
        select(&console, view: "services", environment: "dev", target: "kafka-broker-2")
        #expect(Fixtures.press(&console, [.char("R")]) == [.prepare(ConsoleAction(kind: .roll, environment: "dev", target: "kafka-broker-2"))])
        #expect(console.dialog?.phase == .preparing)
        #expect(console.dialog?.verdict == .askYesNo)

        var secrets = self.console()
        select(&secrets, view: "secrets", environment: "test", target: "admin-password")
        #expect(Fixtures.press(&secrets, [.char("P")]) == [.prepare(ConsoleAction(kind: .restore, environment: "test", target: "admin-password"))])
        var rotate = self.console()
        select(&rotate, view: "secrets", environment: "prod", target: "admin-password")
        #expect(Fixtures.press(&rotate, [.char("R")]) == [.prepare(ConsoleAction(kind: .rotate, environment: "prod", target: "admin-password"))])
        #expect(rotate.dialog?.verdict == .askName)
        // Only tracked certificates can be reissued: the CA's and served ones have no target.
        var certs = self.console()
        select(&certs, view: "certs", environment: "dev", target: "broker")
        #expect(Fixtures.press(&certs, [.char("R")]) == [.prepare(ConsoleAction(kind: .reissue, environment: "dev", target: "broker"))])
        let rows = Frame.rows(console: certs, context: Fixtures.context(certs))
        #expect(rows.filter { $0.target != nil }.allSatisfy { $0.cells[2].text == "tracked" })
    }

    @Test func readOnlyConsoleIgnoresTheKey() {
        var console = console(readOnly: true)
        select(&console, view: "services", environment: "dev", target: "kafka-broker-2")
        #expect(Fixtures.press(&console, [.char("R"), .char("P")]) == [.none, .none])
        #expect(console.dialog == nil)
    }

    @Test func aReadOnlyEnvironmentIsRefusedBeforeAnyPlan() {
        var console = console(readOnlyEnvironments: ["dev"])
        select(&console, view: "services", environment: "dev", target: "kafka-broker-1")
        #expect(Fixtures.press(&console, [.char("R")]) == [.none])
        guard case .refused(let why) = console.dialog?.phase else { Issue.record("not refused: \(String(describing: console.dialog?.phase))"); return }
        #expect(why.contains("read-only in the config"))
        #expect(Fixtures.press(&console, [.escape]) == [.none])
        #expect(console.dialog == nil)
    }
}

@Suite struct ActionDialogTests {
    static let plan = """
        Plan: service roll kafka-broker-2 in dev
          now: kafka-broker-2: PRIMARY deployment ecs-svc/1, 1/1 running
          lock: /lookout/locks/dev/service/kafka-broker-2
          1. kafka-before kafka-broker-2: Metadata answers (read only)
          2. force-deployment kafka-broker-2: UpdateService forceNewDeployment

        """

    func dialog(protected: Bool = false) -> ActionDialog {
        var dialog = ActionDialog(action: ConsoleAction(kind: .roll, environment: protected ? "prod" : "dev", target: "kafka-broker-2"),
                                  protected: protected, environmentReadOnly: false, readOnlyFlag: false)
        dialog.planned(Self.plan, blocked: nil)
        return dialog
    }

    @Test func yRunsThePlanAndTheOutcomeFollowsTheProgress() {
        var dialog = dialog()
        #expect(dialog.phase == .confirming)
        #expect(dialog.lines.first == "Plan: service roll kafka-broker-2 in dev")
        #expect(dialog.lines.contains("  lock: /lookout/locks/dev/service/kafka-broker-2"))
        #expect(dialog.prompt.contains("y runs it"))
        // Other keys neither run nor cancel.
        #expect(dialog.handle(.char("x")) == .none)
        #expect(dialog.handle(.char("y")) == .run)
        #expect(dialog.phase == .running)
        dialog.progress("force-deployment kafka-broker-2: ecs-svc/9")
        #expect(dialog.lines.last == "force-deployment kafka-broker-2: ecs-svc/9")
        #expect(dialog.handle(.char("y")) == .none)
        dialog.finished(failure: nil, done: "Done: service roll kafka-broker-2 in dev.")
        #expect(dialog.phase == .succeeded("Done: service roll kafka-broker-2 in dev."))
        #expect(dialog.lines.last == "Done: service roll kafka-broker-2 in dev.")
        #expect(dialog.handle(.escape) == .none)
        #expect(dialog.phase == .closed)
    }

    @Test func aFailureShowsTheMessageInFull() {
        var dialog = dialog()
        _ = dialog.handle(.char("y"))
        dialog.finished(failure: "stopped at follow-deployment kafka-broker-2\n  now: ecs-svc/9 IN_PROGRESS", done: "Done")
        #expect(dialog.title == "service roll kafka-broker-2 in dev: failed")
        #expect(dialog.lines.suffix(2) == ["Failed: stopped at follow-deployment kafka-broker-2", "  now: ecs-svc/9 IN_PROGRESS"])
    }

    @Test func nEscapeOrEnterCancelsAndNothingRuns() {
        for key in [Key.char("n"), .escape, .enter, .char("N")] {
            var dialog = dialog()
            #expect(dialog.handle(key) == .discard, "\(key)")
            #expect(dialog.phase == .closed)
        }
    }

    @Test func aProtectedEnvironmentNeedsItsNameTyped() {
        var dialog = dialog(protected: true)
        #expect(dialog.verdict == .askName)
        // `y` is only a letter of the name here.
        #expect(dialog.handle(.char("y")) == .none)
        #expect(dialog.phase == .confirming)
        #expect(dialog.typed == "y")
        #expect(dialog.handle(.enter) == .discard)
        #expect(dialog.phase == .notConfirmed("not confirmed: `y` is not `prod`; nothing was changed"))
        #expect(dialog.lines.last == "Not confirmed: `y` is not `prod`; nothing was changed.")
        #expect(dialog.handle(.char("y")) == .none)
        #expect(dialog.handle(.escape) == .none)
        #expect(dialog.phase == .closed)

        var empty = self.dialog(protected: true)
        #expect(empty.handle(.enter) == .discard)
        #expect(empty.phase == .notConfirmed("not confirmed: nothing was typed; nothing was changed"))

        var right = self.dialog(protected: true)
        for key in Fixtures.type("prx") + [.backspace, .char("o"), .char("d")] { #expect(right.handle(key) == .none) }
        #expect(right.prompt.hasSuffix("prod▏"))
        #expect(right.handle(.enter) == .run)
        #expect(right.phase == .running)

        var cancelled = self.dialog(protected: true)
        _ = cancelled.handle(.char("p"))
        #expect(cancelled.handle(.escape) == .discard)
        #expect(cancelled.phase == .closed)
    }

    @Test func aBlockedPlanOffersNoConfirmation() {
        var dialog = ActionDialog(action: ConsoleAction(kind: .roll, environment: "dev", target: "kafka-broker-2"),
                                  protected: false, environmentReadOnly: false, readOnlyFlag: false)
        dialog.planned(Self.plan, blocked: "Kafka does not answer Metadata (refused)")
        #expect(dialog.phase == .blocked("Kafka does not answer Metadata (refused)"))
        #expect(dialog.lines.last == "Blocked: Kafka does not answer Metadata (refused); nothing can run, nothing was changed.")
        #expect(dialog.handle(.char("y")) == .none)
        #expect(dialog.phase == .blocked("Kafka does not answer Metadata (refused)"))
        #expect(!dialog.prompt.contains("y runs"))
        #expect(dialog.handle(.escape) == .none)
        #expect(dialog.phase == .closed)
    }

    @Test func aPlanThatCannotBeMadeSaysWhy() {
        var dialog = ActionDialog(action: ConsoleAction(kind: .rotate, environment: "dev", target: "nope"),
                                  protected: false, environmentReadOnly: false, readOnlyFlag: false)
        dialog.notPlanned("environment `dev` has no secret `nope`")
        #expect(dialog.phase == .notPlanned("environment `dev` has no secret `nope`"))
        #expect(dialog.handle(.char("y")) == .none)
        // A plan arriving late is ignored.
        dialog.planned(Self.plan, blocked: nil)
        #expect(dialog.phase == .notPlanned("environment `dev` has no secret `nope`"))
    }

    @Test func theConsoleRoutesKeysToTheDialogAndHidesARunningOne() {
        var console = Console(environments: ["dev", "prod"], readOnly: false, protected: ["prod"])
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("services") + [.enter])
        let rows = Frame.rows(console: console, context: Fixtures.context(console))
        console.selection = rows.firstIndex { $0.environment == "dev" && $0.target == "kafka-broker-2" }!
        #expect(Fixtures.press(&console, [.char("R")]).count == 1)
        // Keys go to the dialog while it is open: `q` does not quit, `j` does not move.
        #expect(Fixtures.press(&console, [.char("q"), .char("j")]) == [.none, .none])
        console.actionPlanned(Self.plan, blocked: nil)
        #expect(Fixtures.press(&console, [.char("y")]) == [.runAction])
        console.actionProgress("locked: /lookout/locks/dev/service/kafka-broker-2")
        #expect(Fixtures.press(&console, [.escape]) == [.none])
        #expect(console.dialogHidden)
        #expect(console.dialog?.phase == .running)
        let hidden = Fixtures.frame(console, width: 160, height: 30)
        #expect(hidden.line(29).contains("action: service roll kafka-broker-2 in dev: running"))
        // One action at a time; quitting waits for the outcome.
        #expect(Fixtures.press(&console, [.char("q")]) == [.none])
        #expect(console.message?.contains("is running") == true)
        #expect(Fixtures.press(&console, [.char("R")]) == [.none])
        #expect(!console.dialogHidden)
        #expect(Fixtures.press(&console, [.escape]) == [.none])
        #expect(console.dialogHidden)
        // `a` shows it in any view.
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("overview") + [.enter])
        #expect(console.dialogHidden)
        #expect(Fixtures.press(&console, [.char("a")]) == [.none])
        #expect(!console.dialogHidden)
        console.actionFinished(failure: nil, done: "Done: service roll kafka-broker-2 in dev.")
        let shown = Fixtures.frame(console, width: 160, height: 30).lines.joined(separator: "\n")
        #expect(shown.contains("Plan: service roll kafka-broker-2 in dev"))
        #expect(shown.contains("locked: /lookout/locks/dev/service/kafka-broker-2"))
        #expect(shown.contains("Done: service roll kafka-broker-2 in dev."))
        #expect(Fixtures.press(&console, [.escape]) == [.none])
        #expect(console.dialog == nil)
        #expect(Fixtures.press(&console, [.char("q")]) == [.quit])
    }

    @Test func cancellingWhilePlanningLetsGoOfThePlan() {
        var console = Console(environments: ["dev"], readOnly: false)
        _ = Fixtures.press(&console, [.char(":")] + Fixtures.type("secrets") + [.enter])
        #expect(Fixtures.press(&console, [.char("R")]) == [.prepare(ConsoleAction(kind: .rotate, environment: "dev", target: "admin-password"))])
        #expect(Fixtures.press(&console, [.escape]) == [.discardAction])
        #expect(console.dialog == nil)
        console.actionPlanned(Self.plan, blocked: nil)
        #expect(console.dialog == nil)
    }

    @Test func aLongPlanScrollsAndWrapsInThePanel() {
        var dialog = dialog()
        dialog.planned(Self.plan, blocked: nil)
        var long = ActionDialog(action: dialog.action, protected: false, environmentReadOnly: false, readOnlyFlag: false)
        long.planned((0..<60).map { "  \($0). step-\($0) " + String(repeating: "word ", count: 30) }.joined(separator: "\n"), blocked: nil)
        let box = Frame.dialogBox(long, width: 100, height: 30)
        let wrapped = Frame.dialogLines(long, box: box)
        #expect(wrapped.count > 60)
        #expect(wrapped.allSatisfy { TextWidth.of($0) <= box.textWidth })
        long.clamp(lineCount: wrapped.count, page: box.bodyHeight)
        #expect(long.scroll == 0)
        #expect(long.handle(.pageDown) == .none)
        long.clamp(lineCount: wrapped.count, page: box.bodyHeight)
        #expect(long.scroll == 10)
        for _ in 0..<100 { _ = long.handle(.pageDown) }
        long.clamp(lineCount: wrapped.count, page: box.bodyHeight)
        #expect(long.scroll == wrapped.count - box.bodyHeight)
        #expect(long.phase == .confirming)
    }
}

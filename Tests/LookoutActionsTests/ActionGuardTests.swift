import LookoutActions
import Testing

@Suite struct ActionGuardTests {
    func inputs(protected: Bool = false, envReadOnly: Bool = false, readOnly: Bool = false, dryRun: Bool = false,
                yes: Bool = false, confirm: String? = nil, interactive: Bool = false) -> ActionGuard.Inputs {
        ActionGuard.Inputs(environment: "prod", environmentReadOnly: envReadOnly, protected: protected, readOnlyFlag: readOnly,
                            dryRun: dryRun, yes: yes, confirmEnv: confirm, interactive: interactive)
    }

    func refused(_ verdict: ActionGuard.Verdict, containing text: String) -> Bool {
        if case .refuse(let why) = verdict { return why.contains(text) }
        return false
    }

    @Test func readOnlyFlagAndConfigRefuseEvenWithYes() {
        #expect(refused(ActionGuard.decide(inputs(readOnly: true, yes: true)), containing: "--read-only"))
        #expect(refused(ActionGuard.decide(inputs(envReadOnly: true, yes: true, confirm: "prod")), containing: "read_only: true"))
    }

    @Test func readOnlyRefusesADryRunToo() {
        #expect(refused(ActionGuard.decide(inputs(readOnly: true, dryRun: true)), containing: "--read-only"))
        #expect(refused(ActionGuard.decide(inputs(envReadOnly: true, dryRun: true)), containing: "read_only: true"))
    }

    @Test func aDryRunNeedsNoConfirmation() {
        #expect(ActionGuard.decide(inputs(protected: true, dryRun: true)) == .proceed)
        #expect(ActionGuard.decide(inputs(dryRun: true)) == .proceed)
    }

    @Test func yesAloneNeverActsOnAProtectedEnvironment() {
        #expect(refused(ActionGuard.decide(inputs(protected: true, yes: true)), containing: "--confirm-env prod"))
        #expect(ActionGuard.decide(inputs(protected: true, yes: true, interactive: true)) == .askName)
        #expect(ActionGuard.decide(inputs(protected: true, yes: true, confirm: "prod")) == .proceed)
    }

    @Test func aWrongConfirmNameIsRefused() {
        #expect(refused(ActionGuard.decide(inputs(protected: true, yes: true, confirm: "acc")), containing: "does not name"))
        #expect(refused(ActionGuard.decide(inputs(yes: true, confirm: "dev")), containing: "does not name"))
    }

    @Test func withoutYesAPersonMustAnswer() {
        #expect(ActionGuard.decide(inputs(interactive: true)) == .askYesNo)
        #expect(refused(ActionGuard.decide(inputs()), containing: "no terminal"))
        #expect(ActionGuard.decide(inputs(protected: true, confirm: "prod", interactive: true)) == .askYesNo)
        #expect(refused(ActionGuard.decide(inputs(protected: true, confirm: "prod")), containing: "no terminal"))
        #expect(ActionGuard.decide(inputs(yes: true)) == .proceed)
    }

    @Test func answers() {
        #expect(ActionGuard.accepts("y\n", for: .askYesNo, environment: "prod"))
        #expect(ActionGuard.accepts("YES", for: .askYesNo, environment: "prod"))
        #expect(!ActionGuard.accepts("", for: .askYesNo, environment: "prod"))
        #expect(!ActionGuard.accepts(nil, for: .askYesNo, environment: "prod"))
        #expect(!ActionGuard.accepts("n", for: .askYesNo, environment: "prod"))
        #expect(ActionGuard.accepts("prod\n", for: .askName, environment: "prod"))
        #expect(!ActionGuard.accepts("y", for: .askName, environment: "prod"))
        #expect(!ActionGuard.accepts("PROD", for: .askName, environment: "prod"))
    }
}

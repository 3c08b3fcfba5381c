import LookoutActions
import Testing

@Suite struct SecretStateMachineTests {
    typealias Machine = SecretStateMachine

    func machine(_ mode: Machine.Mode, rolls: Bool = true) -> Machine {
        Machine(mode: mode, parameter: "/kafka/dev/pw", rolls: rolls, restoreCommand: "lookout secret restore --env dev --secret pw")
    }

    @Test func aRotationGoesThroughEveryStepInOrder() {
        var m = machine(.rotate)
        #expect(m.start() == .readCurrent)
        #expect(m.currentRead(version: 3, previous: 2, existing: [1, 2, 3]) == .completed(
            .init(step: .readCurrent, note: "version 3 is the latest", versions: ["before": "3"]), next: .makeValue))
        #expect(m.valueReady() == .completed(.init(step: .makeValue, note: "a new value made locally", versions: [:]), next: .writeVersion))
        #expect(m.written(version: 4) == .completed(
            .init(step: .writeVersion, note: "version 4 written", versions: ["before": "3", "written": "4"]), next: .label(version: 3, label: "previous")))
        #expect(m.labelled() == .completed(.init(step: .labelPrevious, note: "version 3 labelled previous", versions: ["previous": "3"]),
                                           next: .label(version: 4, label: "current")))
        #expect(m.labelled() == .completed(.init(step: .labelCurrent, note: "version 4 labelled current", versions: ["current": "4"]), next: .roll))
        #expect(m.rolled() == .completed(.init(step: .roll, note: "the restart services run new tasks", versions: [:]), next: .verify(written: 4)))
        #expect(m.verified("fine") == .completed(.init(step: .verify, note: "fine", versions: ["before": "3", "current": "4"]),
                                                 next: .finished(before: 3, written: 4)))
    }

    @Test func withoutRestartServicesThereIsNoRoll() {
        var m = machine(.rotate, rolls: false)
        _ = m.start()
        _ = m.currentRead(version: 1, previous: nil, existing: [1])
        _ = m.valueReady()
        _ = m.written(version: 2)
        _ = m.labelled()
        guard case .completed(_, let next) = m.labelled() else { Issue.record("no completion"); return }
        #expect(next == .verify(written: 2))
    }

    @Test func aRestorePutsBackThePreviousOrTheNamedVersion() {
        var m = machine(.restore(version: nil))
        _ = m.start()
        guard case .completed(_, let next) = m.currentRead(version: 5, previous: 4, existing: [3, 4, 5]) else { Issue.record("no completion"); return }
        #expect(next == .readSource(version: 4))
        #expect(m.valueReady() == .completed(.init(step: .readSource, note: "the value to put back was read", versions: [:]), next: .writeVersion))

        var named = machine(.restore(version: 3))
        _ = named.start()
        guard case .completed(_, let source) = named.currentRead(version: 5, previous: 4, existing: [3, 4, 5]) else { Issue.record("no completion"); return }
        #expect(source == .readSource(version: 3))
    }

    @Test func aRestoreWithNothingToRestoreChangesNothing() {
        for (mode, previous, reason) in [(Machine.Mode.restore(version: nil), Int?.none, "no version of /kafka/dev/pw is labelled `previous`; give --version N"),
                                         (.restore(version: 9), 4, "/kafka/dev/pw has no version 9 (it has 4, 5)"),
                                         (.restore(version: 5), 4, "version 5 is already the latest: there is nothing to restore")] {
            var m = machine(mode)
            _ = m.start()
            guard case .failed(let failure) = m.currentRead(version: 5, previous: previous, existing: [4, 5]) else { Issue.record("not failed"); continue }
            #expect(failure.reason == reason)
            #expect(failure.written == nil)
            #expect(failure.message.contains("not changed; version 5 is still the latest"))
        }
    }

    @Test func aFailureBeforeTheWriteSaysNothingChanged() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        guard case .failed(let failure) = m.stepFailed("ssm PutParameter: timed out") else { Issue.record("not failed"); return }
        #expect(failure.step == .writeVersion)
        #expect(failure.reason.contains("may or may not have been written"))
    }

    @Test func aWriteThatTimedOutAndCannotBeReadBackIsUncertain() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        guard case .failed(let failure) = m.writeFailed("ssm PutParameter: timed out", outcome: .unknown) else { Issue.record("not failed"); return }
        #expect(failure.writeUncertain)
        #expect(!failure.nothingChanged)
        #expect(failure.message.contains("version 3 was the latest before the write; whether the write made a new version is unknown"))
        #expect(failure.message.contains("lookout secret restore --env dev --secret pw --version 3 puts 3 back"))
        #expect(!failure.message.contains("not changed"))
    }

    @Test func aRefusedWriteChangedNothing() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        guard case .failed(let failure) = m.writeFailed("ssm PutParameter: AccessDeniedException (HTTP 400)", outcome: .notWritten) else { Issue.record("not failed"); return }
        #expect(failure.step == .writeVersion)
        #expect(failure.nothingChanged)
        #expect(failure.written == nil)
        #expect(failure.message.contains("not changed; version 3 is still the latest"))
        #expect(!failure.message.contains("may or may not"))
    }

    @Test func aWriteThatTimedOutButShowsInTheHistoryCountsAsWritten() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        guard case .failed(let failure) = m.writeFailed("ssm PutParameter: timed out", outcome: .written(version: 4)) else { Issue.record("not failed"); return }
        #expect(failure.written == 4)
        #expect(!failure.nothingChanged)
        #expect(failure.message.contains("version 4 (written by this run) is the latest"))
        #expect(failure.message.contains("the restart services were not rolled: their tasks still run with version 3 until their next roll"))
    }

    @Test func aFailedLabelSaysTheServicesStillRunTheEarlierVersion() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        _ = m.written(version: 4)
        _ = m.labelled()
        guard case .failed(let failure) = m.stepFailed("ssm LabelParameterVersion: timed out") else { Issue.record("not failed"); return }
        #expect(failure.step == .labelCurrent)
        #expect(failure.servicesNotRolled)
        #expect(failure.message.contains("their tasks still run with version 3 until their next roll"))
        #expect(failure.message.contains("to go back: lookout secret restore --env dev --secret pw --version 3"))
    }

    /// A run that wrote version 4 and stopped before its roll left the services on 3: a re-run
    /// labels 3 `previous` (not 4, which was never in service) and names 3 as the way back.
    @Test func aRerunAfterAnUnrolledWriteLabelsTheVersionInServicePrevious() {
        var m = machine(.rotate)
        _ = m.start()
        guard case .completed(let report, .makeValue) = m.currentRead(version: 4, previous: 2, existing: [2, 3, 4], inService: 3) else {
            Issue.record("not reading on"); return
        }
        #expect(report.note.contains("the restart services still run version 3 (4 was written after their deployments started)"))
        #expect(report.versions == ["before": "3"])
        _ = m.valueReady()
        #expect(m.written(version: 5) == .completed(
            .init(step: .writeVersion, note: "version 5 written", versions: ["before": "3", "written": "5"]), next: .label(version: 3, label: "previous")))
        guard case .failed(let failure) = m.stepFailed("ssm LabelParameterVersion: timed out") else { Issue.record("not failed"); return }
        #expect(failure.message.contains("to go back: lookout secret restore --env dev --secret pw --version 3"))

        var refused = machine(.rotate)
        _ = refused.start()
        _ = refused.currentRead(version: 4, previous: 2, existing: [2, 3, 4], inService: 3)
        _ = refused.valueReady()
        guard case .failed(let notWritten) = refused.writeFailed("denied", outcome: .notWritten) else { Issue.record("not failed"); return }
        #expect(notWritten.message.contains("not changed; version 4 is still the latest"))

        var current = machine(.rotate)
        _ = current.start()
        guard case .completed(let plain, _) = current.currentRead(version: 4, previous: 3, existing: [3, 4], inService: nil) else { Issue.record("not reading on"); return }
        #expect(plain.versions == ["before": "4"])
    }

    @Test func aFailureAfterTheWriteNamesBothVersionsAndTheWayBack() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        _ = m.written(version: 4)
        _ = m.labelled()
        _ = m.labelled()
        guard case .failed(let failure) = m.stepFailed("stopped at step follow-deployment of kafka-broker-1: timed out") else { Issue.record("not failed"); return }
        #expect(failure.step == .roll)
        #expect(failure.before == 3)
        #expect(failure.written == 4)
        #expect(failure.message.contains("version 4 (written by this run) is the latest, which services read when they start; version 3 is still there"))
        #expect(failure.message.contains("to go back: lookout secret restore --env dev --secret pw --version 3"))
    }

    @Test func eachStepFailsAsItself() {
        var m = machine(.rotate)
        _ = m.start()
        _ = m.currentRead(version: 3, previous: nil, existing: [3])
        _ = m.valueReady()
        _ = m.written(version: 4)
        guard case .failed(let previous) = m.stepFailed("x") else { Issue.record("not failed"); return }
        #expect(previous.step == .labelPrevious)
        var reading = machine(.rotate)
        _ = reading.start()
        guard case .failed(let read) = reading.stepFailed("x") else { Issue.record("not failed"); return }
        #expect(read.step == .readCurrent)
        #expect(read.message.contains("not changed"))
    }

    @Test func eventsOutOfOrderFail() {
        var m = machine(.rotate)
        guard case .failed(let failure) = m.written(version: 2) else { Issue.record("acted"); return }
        #expect(failure.reason.contains("internal error"))
    }
}

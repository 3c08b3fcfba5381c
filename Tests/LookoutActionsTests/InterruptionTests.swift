import Foundation
import LookoutActions
import LookoutKafka
import Testing

/// A SIGINT or SIGTERM reaches each action's state machine as an event at a step boundary; the
/// failure it gives says what state the run left, as any other failure does.
@Suite struct InterruptionTests {
    @Test func aRollStoppedWhileFollowingNamesTheDeploymentItLeftToECS() {
        var machine = RollStateMachine(services: [.init(name: "web", brokerID: nil), .init(name: "api", brokerID: nil)])
        #expect(machine.start() == .forceDeployment(service: "web"))
        _ = machine.deploymentCreated(id: "ecs-svc/9", previousID: "ecs-svc/8")
        guard case .failed(let failure) = machine.interrupted(by: "SIGINT") else { Issue.record("not stopped"); return }
        #expect(failure.step == .followDeployment && failure.deploymentID == "ecs-svc/9")
        #expect(failure.reason == "interrupted by SIGINT (ECS goes on with the deployment by itself)")
        #expect(failure.message.contains("web: deployment ecs-svc/9 was created by this run"))
        #expect(failure.message.contains("untouched: api"))
    }

    @Test func aRollStoppedBeforeItsFirstWriteChangedNothing() {
        var machine = RollStateMachine(services: [.init(name: "web", brokerID: nil)])
        _ = machine.start()
        guard case .failed(let failure) = machine.interrupted(by: "SIGTERM") else { Issue.record("not stopped"); return }
        #expect(failure.step == .forceDeployment && failure.deploymentID == nil)
        #expect(failure.message.contains("web: not changed (no deployment was forced)"))
    }

    @Test func aRotationStoppedAtEachBoundarySaysWhatSSMHolds() {
        func run(until stop: Int) -> SecretStateMachine.Failure? {
            var m = SecretStateMachine(mode: .rotate, parameter: "/p", rolls: true, restoreCommand: "lookout secret restore --env test --secret pw")
            var events: [(inout SecretStateMachine) -> SecretStateMachine.Action] = [
                { $0.start() }, { $0.currentRead(version: 3, previous: 2, existing: [2, 3]) }, { $0.valueReady() },
                { $0.written(version: 4) }, { $0.labelled() }, { $0.labelled() }, { $0.rolled() },
            ]
            events = Array(events.prefix(stop))
            for event in events { _ = event(&m) }
            if case .failed(let failure) = m.interrupted(by: "SIGINT") { return failure }
            return nil
        }
        // Before the write: nothing changed.
        for stop in 1...3 {
            let failure = run(until: stop)
            #expect(failure?.nothingChanged == true, "stopped after \(stop) events")
        }
        #expect(run(until: 3)?.step == .writeVersion)
        #expect(run(until: 3)?.reason == "interrupted by SIGINT before PutParameter")
        // After it: the version written, the one before kept, and the command that puts it back.
        let labelling = run(until: 4)
        #expect(labelling?.step == .labelPrevious && labelling?.written == 4 && labelling?.servicesNotRolled == true)
        let rolling = run(until: 6)
        #expect(rolling?.step == .roll)
        #expect(rolling?.message.contains("to go back: lookout secret restore --env test --secret pw --version 3") == true)
        #expect(run(until: 7)?.step == .verify)
    }

    @Test func aReissueIsNeverStoppedBetweenTheKeyAndTheCertificate() {
        var m = ReissueStateMachine(keyParameter: "/k", certParameter: "/c", rolls: true, rerunCommand: "lookout cert reissue --env acc --cert broker")
        _ = m.start()
        _ = m.currentRead(.init(keyVersion: 4, certVersion: 7, serial: "0a", pairMatches: true, keyUsable: true, certProblem: nil,
                                rollPending: false, labelledCurrent: false, keyPrevious: 3, certPrevious: 6))
        _ = m.keyMade("RSA 2048")
        _ = m.issued(arn: "arn:c")
        _ = m.certificateReady(serial: "0c")
        _ = m.verified("fine")
        _ = m.keyWritten(version: 5)
        // The key is written: the certificate goes with it before any stop.
        #expect(m.interrupted(by: "SIGINT") == nil)
        _ = m.certWritten(version: 8)
        guard case .failed(let failure)? = m.interrupted(by: "SIGINT") else { Issue.record("not stopped at the label"); return }
        #expect(failure.step == .labelKey)
        #expect(failure.message.contains("lookout cert reissue --env acc --cert broker"))
    }

    @Test func signalsMapToTheirExitCodes() {
        #expect(ActionError(.interrupted(.init(SIGINT)), "x").exitCode == 130)
        #expect(ActionError(.interrupted(.init(SIGTERM)), "x").exitCode == 143)
        #expect(Interruption.Signal(SIGINT).description == "SIGINT")
    }

    /// The C handler records a first SIGINT (a second would end the process: not raised here),
    /// and a wait ends at once when one is pending.
    @Test func aSignalIsRecordedAndEndsAWaitAtOnce() async {
        Interruption.beginAction()
        defer {
            Interruption.clear()
            Interruption.endAction()
        }
        #expect(Interruption.pending == nil)
        // To the process (a pool thread may block signals; the handler runs on one that does not).
        kill(getpid(), SIGINT)
        for _ in 0..<100 where Interruption.pending == nil { usleep(10_000) }
        #expect(Interruption.pending == Interruption.Signal(SIGINT))
        #expect(await Interruption.wait(.seconds(5)), "the wait went on although a signal was pending")
        await #expect(throws: Interruption.Stopped.self) { try await Interruption.waitOrStop(.seconds(5)) }
    }

    @Test func coreDumpsAreOff() {
        #expect(Interruption.disableCoreDumps())
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
        #expect(limit.rlim_cur == 0 && limit.rlim_max == 0)
    }
}

import Foundation
import LookoutActions
import Testing

@Suite struct LockTests {
    let record = LockRecord(holder: "ops@bastion", pid: 42, time: Date(timeIntervalSince1970: 1_800_000_000), action: "service roll kafka-broker-1")
    let name = "/lookout/locks/dev/service/kafka-broker-1"

    @Test func recordRoundTripsAsJSON() throws {
        #expect(LockRecord(json: record.json) == record)
        #expect(record.json.contains("\"holder\":\"ops@bastion\""))
        #expect(record.host == "bastion")
        #expect(LockRecord(json: "not json") == nil)
        #expect(LockRecord.parameterName(environment: "dev", kind: "service", name: "kafka-broker-1") == name)
    }

    @Test func aHeldLockIsRefusedNamingHolderAndAge() {
        let decision = LockDecision.decide(parameter: name, existing: record, age: 125, breakRequested: false, holderRunning: nil)
        guard case .refuse(let message) = decision else { Issue.record("not refused: \(decision)"); return }
        #expect(message.contains("ops@bastion (pid 42, service roll kafka-broker-1)"))
        #expect(message.contains("since 2m5s ago"))
    }

    @Test func breakLockOnlyPastThirtyMinutes() {
        let young = LockDecision.decide(parameter: name, existing: record, age: 29 * 60, breakRequested: true, holderRunning: nil)
        guard case .refuse(let message) = young else { Issue.record("young lock broken"); return }
        #expect(message.contains("older than 30m"))
        let old = LockDecision.decide(parameter: name, existing: record, age: 31 * 60, breakRequested: true, holderRunning: nil)
        guard case .breakLock(let reason) = old else { Issue.record("old lock not broken"); return }
        #expect(reason.contains("--break-lock"))
        let oldNotAsked = LockDecision.decide(parameter: name, existing: record, age: 31 * 60, breakRequested: false, holderRunning: nil)
        guard case .refuse(let hint) = oldNotAsked else { Issue.record("broken unasked"); return }
        #expect(hint.contains("--break-lock breaks it"))
    }

    @Test func aLockWhoseProcessExitedOnThisHostIsTakenOver() {
        let decision = LockDecision.decide(parameter: name, existing: record, age: 5, breakRequested: false, holderRunning: false)
        guard case .breakLock(let reason) = decision else { Issue.record("not broken"); return }
        #expect(reason.contains("its process has exited"))
        let alive = LockDecision.decide(parameter: name, existing: record, age: 5, breakRequested: false, holderRunning: true)
        guard case .refuse = alive else { Issue.record("a live holder's lock was broken"); return }
    }

    @Test func anUnreadableLockIsStillALock() {
        let decision = LockDecision.decide(parameter: name, existing: nil, age: 10, breakRequested: false, holderRunning: nil)
        guard case .refuse(let message) = decision else { Issue.record("not refused"); return }
        #expect(message.contains("an unknown holder"))
    }
}

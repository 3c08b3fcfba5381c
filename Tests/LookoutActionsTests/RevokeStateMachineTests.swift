import LookoutActions
import Testing

@Suite struct RevokeStateMachineTests {
    @Test func serialsAreNormalised() {
        #expect(RevokeStateMachine.normalise(serial: "0A1B2C") == "0a:1b:2c")
        #expect(RevokeStateMachine.normalise(serial: "0a:1b:2c") == "0a:1b:2c")
        #expect(RevokeStateMachine.normalise(serial: "serial=A1B2C") == "0a:1b:2c")
        #expect(RevokeStateMachine.normalise(serial: "00:ff") == "ff")
        #expect(!RevokeStateMachine.isHex(RevokeStateMachine.normalise(serial: "xyz")))
    }

    @Test func revokesASupersededCertificate() {
        var machine = RevokeStateMachine(serial: "AA:BB")
        #expect(machine.start() == .readCurrent)
        #expect(machine.currentRead(serial: "cc:dd") == .completed(step: .readCurrent, note: "in service: cc:dd", next: .revoke(serial: "aa:bb")))
        #expect(machine.revoked() == .completed(step: .revoke, note: "aa:bb revoked (SUPERSEDED)", next: .finished(serial: "aa:bb")))
    }

    @Test func neverRevokesTheCertificateInService() {
        var machine = RevokeStateMachine(serial: "aabb")
        _ = machine.start()
        #expect(machine.currentRead(serial: "AA:BB") == .failed(step: .readCurrent, reason: "aa:bb is the certificate in service; reissue first, then revoke the superseded one", refused: true))
    }

    @Test func failuresNameTheStep() {
        var reading = RevokeStateMachine(serial: "aa")
        _ = reading.start()
        #expect(reading.stepFailed("ssm GetParameter: timed out") == .failed(step: .readCurrent, reason: "ssm GetParameter: timed out", refused: false))
        var revoking = RevokeStateMachine(serial: "aa")
        _ = revoking.start()
        _ = revoking.currentRead(serial: "bb")
        guard case .failed(let step, let reason, false) = revoking.stepFailed("acm-pca RevokeCertificate: timed out") else { Issue.record("not failed"); return }
        #expect(step == .revoke)
        #expect(reason.contains("a re-run revokes it again"))
        var bad = RevokeStateMachine(serial: "zz")
        guard case .failed(_, _, true) = bad.start() else { Issue.record("not refused"); return }
    }
}

import Foundation
import LookoutActions
import LookoutAWS
import SwiftASN1
import Testing
import X509

@Suite struct ReissueStateMachineTests {
    func machine(rolls: Bool = true) -> ReissueStateMachine {
        ReissueStateMachine(keyParameter: "/k", certParameter: "/c", rolls: rolls, rerunCommand: "lookout cert reissue --env acc --cert broker")
    }

    func current(match: Bool = true, keyUsable: Bool = true, problem: String? = nil, pending: Bool = false, labelled: Bool = false,
                 keyPrevious: Int? = 3, certPrevious: Int? = 6) -> ReissueStateMachine.Current {
        .init(keyVersion: 4, certVersion: 7, serial: "0a:0b", pairMatches: match, keyUsable: keyUsable, certProblem: problem,
              rollPending: pending, labelledCurrent: labelled, keyPrevious: keyPrevious, certPrevious: certPrevious)
    }

    /// Follows `.completed` chains to the next action that needs an event, collecting the reports.
    func settle(_ action: ReissueStateMachine.Action, _ reports: inout [ReissueStateMachine.Step]) -> ReissueStateMachine.Action {
        var action = action
        while case .completed(let report, let next) = action {
            reports.append(report.step)
            action = next
        }
        return action
    }

    func failure(_ action: ReissueStateMachine.Action) -> ReissueStateMachine.Failure? {
        if case .failed(let failure) = action { return failure }
        return nil
    }

    @Test func modes() {
        #expect(current().mode(rolls: true) == .fresh)
        #expect(current(pending: true).mode(rolls: true) == .fresh, "a pending roll of a pair lookout did not label is not taken for its own")
        #expect(current(pending: true, labelled: true).mode(rolls: true) == .resume)
        #expect(current(pending: true, labelled: true).mode(rolls: false) == .fresh)
        #expect(current(problem: "names", pending: true, labelled: true).mode(rolls: true) == .fresh)
        #expect(current(match: false).mode(rolls: true) == .adopt)
        #expect(current(match: false, keyUsable: false).mode(rolls: true) == .fresh)
    }

    @Test func aFreshReissueRunsEveryStepInOrder() {
        var m = machine()
        var steps: [ReissueStateMachine.Step] = []
        #expect(m.start() == .readCurrent)
        #expect(settle(m.currentRead(current()), &steps) == .makeKey)
        #expect(settle(m.keyMade("RSA 2048"), &steps) == .issue)
        #expect(settle(m.issued(arn: "arn:c"), &steps) == .waitIssued(arn: "arn:c"))
        #expect(settle(m.certificateReady(serial: "0c:0d"), &steps) == .verifyIssued)
        #expect(settle(m.verified("fine"), &steps) == .writeKey)
        #expect(settle(m.keyWritten(version: 5), &steps) == .writeCert)
        #expect(settle(m.certWritten(version: 8), &steps) == .label(.key, previous: 4, current: 5))
        #expect(settle(m.labelled(), &steps) == .label(.cert, previous: 7, current: 8))
        #expect(settle(m.labelled(), &steps) == .roll)
        #expect(settle(m.rolled(), &steps) == .verifyServed(serial: "0c:0d"))
        guard case .finished(let summary) = settle(m.served("both serve 0c:0d"), &steps) else {
            Issue.record("not finished")
            return
        }
        #expect(steps == [.readCurrent, .makeKey, .issue, .waitIssued, .verifyIssued, .writeKey, .writeCert, .labelKey, .labelCert, .roll, .verifyServed])
        #expect(summary.key == 5 && summary.cert == 8 && summary.keyPrevious == 4 && summary.certPrevious == 7)
        #expect(summary.serial == "0c:0d" && summary.serialBefore == "0a:0b" && summary.mode == .fresh)
    }

    @Test func withoutRestartServicesItEndsAfterTheLabels() {
        var m = machine(rolls: false)
        var steps: [ReissueStateMachine.Step] = []
        _ = m.start()
        _ = settle(m.currentRead(current()), &steps)
        _ = m.keyMade("EC P-256")
        _ = m.issued(arn: "a")
        _ = m.certificateReady(serial: "0c")
        _ = m.verified("ok")
        _ = m.keyWritten(version: 5)
        _ = m.certWritten(version: 8)
        _ = m.labelled()
        guard case .finished = settle(m.labelled(), &steps) else {
            Issue.record("a certificate without restart services must end after labelling")
            return
        }
    }

    @Test func aFailureBeforeAnyWriteSaysNothingChanged() {
        var m = machine()
        _ = m.start()
        _ = m.currentRead(current())
        _ = m.keyMade("RSA 2048")
        _ = m.issued(arn: "a")
        _ = m.certificateReady(serial: "0c:0d")
        let failed = failure(m.stepFailed("its chain does not lead to the anchors"))
        #expect(failed?.step == .verifyIssued)
        let message = failed?.message ?? ""
        #expect(message.hasPrefix("stopped at step verify-issued of /c: its chain does not lead to the anchors"))
        #expect(message.contains("SSM not changed: /k version 4 and /c version 7 (serial 0a:0b) are the latest; the certificate in service is unchanged and still works"))
        #expect(message.contains("certificate 0c:0d was issued at the Private CA and is not used"))
    }

    func atTheKeyWrite() -> ReissueStateMachine {
        var m = machine()
        _ = m.start()
        _ = m.currentRead(current())
        _ = m.keyMade("RSA 2048")
        _ = m.issued(arn: "a")
        _ = m.certificateReady(serial: "0c:0d")
        _ = m.verified("fine")
        return m
    }

    @Test func aKeyWriteAWSAnsweredWithAnErrorChangedNothing() {
        var m = atTheKeyWrite()
        let failed = failure(m.keyWriteFailed("AccessDeniedException: no", outcome: .notWritten))
        #expect(failed?.step == .writeKey)
        #expect(failed?.record.changedNothing == true)
        let message = failed?.message ?? ""
        #expect(message.contains("SSM's latest key is still version 4: nothing was written"))
        #expect(message.contains("SSM not changed: /k version 4 and /c version 7 (serial 0a:0b) are the latest"))
        #expect(message.contains("a re-run (lookout cert reissue --env acc --cert broker) starts again"))
    }

    @Test func aKeyWriteWhoseAnswerWasLostButLandedGoesOnToTheCertificate() {
        var m = atTheKeyWrite()
        var steps: [ReissueStateMachine.Step] = []
        #expect(settle(m.keyWriteFailed("timed out", outcome: .written(version: 5)), &steps) == .writeCert)
        #expect(steps == [.writeKey])
        #expect(m.record.keyWritten == 5)
        #expect(settle(m.certWritten(version: 8), &steps) == .label(.key, previous: 4, current: 5))
    }

    @Test func aKeyWriteThatCannotBeReadBackIsHalfWayAndSaysSo() {
        var m = atTheKeyWrite()
        let failed = failure(m.keyWriteFailed("timed out", outcome: .unknown("the key could not be read back: timed out")))
        #expect(failed?.record.changedNothing == false)
        #expect(failed?.record.keyWriteUnknown == true)
        let message = failed?.message ?? ""
        #expect(!message.contains("SSM not changed"))
        #expect(message.contains("/k: the write of the new key got no answer and could not be read back: version 4 (the old key) was the latest before it"))
        #expect(message.contains("/c was not written: version 7 (serial 0a:0b) is the latest and still in service"))
        #expect(message.contains("if the new key landed it issues a certificate for it, otherwise it starts again"))
    }

    @Test func onlyAFreshRunThatWroteNothingChangedNothing() {
        var record = ReissueStateMachine.Record()
        #expect(record.changedNothing)
        record.mode = .adopt
        #expect(!record.changedNothing, "an adopted half-way pair stays half-way")
        record.mode = .fresh
        record.keyPutBack = 6
        #expect(!record.changedNothing)
        record.keyPutBack = nil
        record.certWriteUnknown = true
        #expect(!record.changedNothing)
    }

    /// The certificate write fails: the key is put back (a new version with the old value).
    @Test func aFailedCertificateWritePutsTheKeyBack() {
        var m = atTheKeyWrite()
        _ = m.keyWritten(version: 5)
        #expect(m.stepFailed("AccessDeniedException") == .putBackKey(version: 4))
        let failed = failure(m.keyPutBack(version: 6))
        #expect(failed?.step == .writeCert)
        #expect(failed?.record.keyPutBack == 6)
        let message = failed?.message ?? ""
        #expect(message.contains("/k: version 5 (the new key) was written, then version 6 put version 4's value back: the latest key matches /c version 7 (serial 0a:0b) again"))
        #expect(message.contains("a re-run (lookout cert reissue --env acc --cert broker) starts again"))
    }

    /// AWS unreachable after the key write: nothing can be put back, and the message says what is where.
    @Test func aKeyThatCannotBePutBackIsNamedWithTheWayOut() {
        var m = atTheKeyWrite()
        _ = m.keyWritten(version: 5)
        _ = m.stepFailed("timed out")
        let failed = failure(m.putBackFailed("cannot read /c back", certificateUnknown: true))
        let message = failed?.message ?? ""
        #expect(message.hasPrefix("stopped at step write-cert of /c: timed out"))
        #expect(message.contains("/k: version 5 (the new key, written by this run) is the latest"))
        #expect(message.contains("the certificate write got no answer and could not be read back: version 7 (serial 0a:0b), the old certificate, was the latest"))
        #expect(message.contains("the latest key and certificate do NOT match; the key was not put back (cannot read /c back)"))
        #expect(message.contains("the running services still serve the old certificate"))
        #expect(message.contains("a re-run (lookout cert reissue --env acc --cert broker) issues a certificate for the written key version 5 and completes"))
    }

    /// Reading the certificate back shows the failed write landed: the run goes on.
    @Test func aCertificateWriteThatLandedAfterAllGoesOn() {
        var m = atTheKeyWrite()
        _ = m.keyWritten(version: 5)
        _ = m.stepFailed("timed out")
        var steps: [ReissueStateMachine.Step] = []
        #expect(settle(m.certWriteLanded(version: 8), &steps) == .label(.key, previous: 4, current: 5))
    }

    /// A key written by an earlier run that did not match the certificate: issue for it, write only the certificate.
    @Test func adoptIssuesForTheWrittenKeyAndWritesOnlyTheCertificate() {
        var m = machine()
        var steps: [ReissueStateMachine.Step] = []
        _ = m.start()
        #expect(settle(m.currentRead(current(match: false)), &steps) == .issue)
        _ = m.issued(arn: "a")
        _ = m.certificateReady(serial: "0c")
        #expect(settle(m.verified("ok"), &steps) == .writeCert)
        let failed = failure(m.stepFailed("denied"))
        #expect(failed?.step == .writeCert, "nothing to put back: this run wrote no key")
        #expect(failed?.message.contains("/k version 4 is the latest and does NOT match /c version 7 (serial 0a:0b), as before this run") == true)

        var again = machine()
        _ = again.start()
        _ = again.currentRead(current(match: false))
        _ = again.issued(arn: "a")
        _ = again.certificateReady(serial: "0c")
        _ = again.verified("ok")
        #expect(settle(again.certWritten(version: 8), &steps) == .label(.key, previous: 3, current: 4))
        #expect(settle(again.labelled(), &steps) == .label(.cert, previous: 7, current: 8))
    }

    /// Both written by an earlier run, labelled, not rolled: label again and roll, issue nothing.
    @Test func resumeRollsTheWrittenPairOut() {
        var m = machine()
        var steps: [ReissueStateMachine.Step] = []
        _ = m.start()
        #expect(settle(m.currentRead(current(pending: true, labelled: true)), &steps) == .label(.key, previous: 3, current: 4))
        #expect(settle(m.labelled(), &steps) == .label(.cert, previous: 6, current: 7))
        #expect(settle(m.labelled(), &steps) == .roll)
        let failed = failure(m.stepFailed("stopped at step follow-deployment of kafka-broker-1: timed out after 6s"))
        let message = failed?.message ?? ""
        #expect(message.contains("SSM not changed: /k version 4 and /c version 7 (serial 0a:0b) are the latest and match"))
        #expect(message.contains("a re-run (lookout cert reissue --env acc --cert broker) rolls the services again"))

        var again = machine()
        _ = again.start()
        _ = again.currentRead(current(pending: true, labelled: true))
        _ = again.labelled()
        _ = again.labelled()
        #expect(settle(again.rolled(), &steps) == .verifyServed(serial: "0a:0b"))
    }

    @Test func aRollFailureAfterTheWritesSaysBothAreWrittenAndTheOldStillServes() {
        var m = atTheKeyWrite()
        _ = m.keyWritten(version: 5)
        _ = m.certWritten(version: 8)
        _ = m.labelled()
        _ = m.labelled()
        let message = failure(m.stepFailed("stopped at step follow-deployment of kafka-broker-1"))?.message ?? ""
        #expect(message.hasPrefix("stopped at step roll of /c: stopped at step follow-deployment of kafka-broker-1"))
        #expect(message.contains("/k version 5 and /c version 8 (serial 0c:0d) are the latest and match"))
        #expect(message.contains("the old certificate (serial 0a:0b) is still served by tasks not yet rolled and stays valid (it is not revoked)"))
        #expect(message.contains("rolls them out without issuing again"))
    }

    @Test func eventsOutOfOrderFail() {
        var m = machine()
        #expect(failure(m.keyWritten(version: 1))?.reason.contains("internal error") == true)
    }
}

@Suite struct ReissueMaterialTests {
    @Test(arguments: [KeyAlgorithm.rsa(bits: 2048), .p256, .p384])
    func aNewKeyIsPKCS8OfTheSameAlgorithmAndReadsBack(_ algorithm: KeyAlgorithm) throws {
        let key = try ReissueKey.generate(algorithm)
        #expect(key.pem.reveal().hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(ReissueKey.algorithm(of: key.pem) == algorithm)
        #expect(ReissueKey.matches(key.pem, key.publicKey))
        let other = try ReissueKey.generate(algorithm)
        #expect(!ReissueKey.matches(other.pem, key.publicKey))
        #expect("\(key.pem)" == "<redacted>")
    }

    @Test func theCSRCarriesTheTrackedNamesAndTheKey() throws {
        let key = try ReissueKey.generate(.p256)
        let current = try DistinguishedName {
            OrganizationName("lookout sandbox")
            CommonName("old.example")
        }
        let subject = ReissueNames.subject(keeping: current, commonName: "broker.kafka.acc.internal")
        let pem = try key.csr(subject: subject, sans: ["broker.kafka.acc.internal", "localhost", "127.0.0.1"])
        let csr = try CertificateSigningRequest(pemEncoded: pem)
        #expect(csr.publicKey == key.publicKey)
        #expect(ReissueNames.commonName(csr.subject) == "broker.kafka.acc.internal")
        #expect(csr.subject.description.contains("O=lookout sandbox"))
        let names = try #require(try csr.attributes.extensionRequest?.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.dnsName("broker.kafka.acc.internal"), .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
    }

    @Test func theTokenFollowsThePublicKey() throws {
        let key = try ReissueKey.generate(.p256)
        let token = ReissueKey.idempotencyToken(publicKey: key.publicKey, environment: "acc", certificate: "broker")
        #expect(token.count == 36 && token.hasPrefix("lookout-"))
        #expect(token == ReissueKey.idempotencyToken(publicKey: key.publicKey, environment: "acc", certificate: "broker"))
        let other = try ReissueKey.generate(.p256)
        #expect(token != ReissueKey.idempotencyToken(publicKey: other.publicKey, environment: "acc", certificate: "broker"))
        #expect(token != ReissueKey.idempotencyToken(publicKey: key.publicKey, environment: "prod", certificate: "broker"))
    }

    @Test func unreadableKeysAreNotUsable() {
        #expect(ReissueKey.read(SecretValue("not a key")) == nil)
        #expect(ReissueKey.algorithm(of: SecretValue("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")) == nil)
    }
}

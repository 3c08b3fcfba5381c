import Foundation

// What goes in and out of ``ReissueStateMachine``: its steps, what it reads, what it reports.
extension ReissueStateMachine {
    public enum Mode: String, Sendable, Equatable {
        case fresh
        case adopt
        case resume
    }

    public enum Step: String, Sendable, Equatable, CaseIterable {
        case readCurrent = "read-current"
        case makeKey = "make-key"
        case issue = "issue"
        case waitIssued = "wait-issued"
        case verifyIssued = "verify-issued"
        case writeKey = "write-key"
        case writeCert = "write-cert"
        case putBackKey = "put-back-key"
        case labelKey = "label-key"
        case labelCert = "label-cert"
        case roll = "roll"
        case verifyServed = "verify-served"
    }

    /// Which of the two parameters.
    public enum Parameter: String, Sendable, Equatable {
        case key
        case cert
    }

    /// What SSM (and ECS) hold when the run starts, as the runner read it.
    public struct Current: Sendable, Equatable {
        /// The latest versions of `key_ssm` and `cert_ssm`.
        public var keyVersion: Int
        public var certVersion: Int
        /// The serial of the leaf in `cert_ssm`'s latest version.
        public var serial: String
        /// Whether the latest key's public key is the latest certificate's.
        public var pairMatches: Bool
        /// Whether the latest key is one lookout can issue for (RSA 2048/3072/4096, EC P-256/P-384).
        public var keyUsable: Bool
        /// Why the latest certificate is not fit to serve (names, chain, validity), nil when it is.
        public var certProblem: String?
        /// Whether the certificate was written after a `restart` service's PRIMARY deployment was created.
        public var rollPending: Bool
        /// Whether the latest certificate version carries the label `current`: lookout wrote and
        /// labelled it (a pair written by hand, or by a run stopped before labelling, does not).
        public var labelledCurrent: Bool
        /// The versions to label `previous` when this run writes nothing new of that parameter
        /// (the one labelled `current` before, else the one before the latest); nil: none.
        public var keyPrevious: Int?
        public var certPrevious: Int?

        public init(keyVersion: Int, certVersion: Int, serial: String, pairMatches: Bool, keyUsable: Bool, certProblem: String?,
                    rollPending: Bool, labelledCurrent: Bool, keyPrevious: Int?, certPrevious: Int?) {
            self.keyVersion = keyVersion
            self.certVersion = certVersion
            self.serial = serial
            self.pairMatches = pairMatches
            self.keyUsable = keyUsable
            self.certProblem = certProblem
            self.rollPending = rollPending
            self.labelledCurrent = labelledCurrent
            self.keyPrevious = keyPrevious
            self.certPrevious = certPrevious
        }

        /// What a run would do with SSM as it is.
        public func mode(rolls: Bool) -> Mode {
            if pairMatches, certProblem == nil, rollPending, labelledCurrent, rolls { return .resume }
            if !pairMatches, keyUsable { return .adopt }
            return .fresh
        }
    }

    public struct Report: Sendable, Equatable {
        public var step: Step
        public var note: String
        public var versions: [String: String]

        public init(step: Step, note: String, versions: [String: String]) {
            self.step = step
            self.note = note
            self.versions = versions
        }
    }

    /// Everything a failure message needs: versions before, written, put back; serials.
    public struct Record: Sendable, Equatable {
        public var mode: Mode?
        public var keyBefore: Int?
        public var certBefore: Int?
        public var serialBefore: String?
        /// Set in adopt and resume: SSM's latest key and certificate did not come from this run.
        public var pairMatchedBefore: Bool = true
        public var issuedSerial: String?
        public var keyWritten: Int?
        public var certWritten: Int?
        /// The version that copies `keyBefore`'s value back after the certificate write failed.
        public var keyPutBack: Int?
        /// Why the key could not be put back.
        public var putBackFailure: String?
        /// The certificate write got no answer and lookout could not read back whether it landed.
        public var certWriteUnknown = false
        /// The key write got no answer and lookout could not read back whether it landed.
        public var keyWriteUnknown = false

        /// Nothing in SSM changed: no write landed or may have landed, and the run started from a
        /// clean pair (not from an earlier run's half-way state, which it leaves as it found it).
        public var changedNothing: Bool {
            keyWritten == nil && certWritten == nil && keyPutBack == nil && !keyWriteUnknown && !certWriteUnknown
                && (mode ?? .fresh) == .fresh
        }

        public init() {}
    }

    public struct Failure: Sendable, Equatable {
        public var step: Step
        public var reason: String
        public var keyParameter: String
        public var certParameter: String
        public var record: Record
        /// `lookout cert reissue --env E --cert N`, named as the way out.
        public var rerunCommand: String

        public var message: String {
            var lines = ["stopped at step \(step.rawValue) of \(certParameter): \(reason)"]
            let r = record
            let key = keyParameter, cert = certParameter
            let oldSerial = r.serialBefore.map { " (serial \($0))" } ?? ""
            switch (r.keyWritten, r.certWritten) {
            case (nil, nil) where r.mode == .resume:
                lines.append("SSM not changed: \(key) version \(r.keyBefore.map(String.init) ?? "?") and \(cert) version \(r.certBefore.map(String.init) ?? "?")\(oldSerial) are the latest and match; they are not yet served everywhere (an earlier run wrote them)")
                lines.append("a re-run (\(rerunCommand)) rolls the services again")
            case (nil, nil) where r.mode == .adopt:
                lines.append("SSM not changed: \(key) version \(r.keyBefore.map(String.init) ?? "?") is the latest and does NOT match \(cert) version \(r.certBefore.map(String.init) ?? "?")\(oldSerial), as before this run; the running services still serve the certificate they loaded: do not roll them until the pair matches")
                lines.append("a re-run (\(rerunCommand)) issues a certificate for that key and completes")
            case (nil, nil) where r.keyWriteUnknown:
                lines.append("\(key): the write of the new key got no answer and could not be read back: version \(r.keyBefore.map(String.init) ?? "?") (the old key) was the latest before it, and a new version may or may not have been written; \(cert) was not written: version \(r.certBefore.map(String.init) ?? "?")\(oldSerial) is the latest and still in service")
                lines.append("the running services still serve the old certificate (they read SSM only when rolled): do not roll them until a re-run has finished")
                lines.append("a re-run (\(rerunCommand)) reads SSM again: if the new key landed it issues a certificate for it, otherwise it starts again")
            case (nil, nil):
                if r.keyBefore == nil {
                    lines.append("SSM not changed")
                } else {
                    lines.append("SSM not changed: \(key) version \(r.keyBefore.map(String.init) ?? "?") and \(cert) version \(r.certBefore.map(String.init) ?? "?")\(oldSerial) are the latest; the certificate in service is unchanged and still works")
                }
                if let issued = r.issuedSerial {
                    lines.append("certificate \(issued) was issued at the Private CA and is not used (`lookout cert revoke --serial \(issued)` revokes it)")
                }
                lines.append("a re-run (\(rerunCommand)) starts again")
            case (let keyWritten?, nil):
                if let putBack = r.keyPutBack {
                    lines.append("\(key): version \(keyWritten) (the new key) was written, then version \(putBack) put version \(r.keyBefore.map(String.init) ?? "?")'s value back: the latest key matches \(cert) version \(r.certBefore.map(String.init) ?? "?")\(oldSerial) again, which is unchanged and still in service")
                    if let issued = r.issuedSerial {
                        lines.append("certificate \(issued) was issued at the Private CA and is not used (`lookout cert revoke --serial \(issued)` revokes it)")
                    }
                    lines.append("a re-run (\(rerunCommand)) starts again")
                } else {
                    let certState = r.certWriteUnknown
                        ? "the certificate write got no answer and could not be read back: version \(r.certBefore.map(String.init) ?? "?")\(oldSerial), the old certificate, was the latest and is taken to be, unless the write arrived"
                        : "not written: version \(r.certBefore.map(String.init) ?? "?")\(oldSerial), the old certificate, is still the latest"
                    lines.append("\(key): version \(keyWritten) (the new key, written by this run) is the latest; \(cert): \(certState)")
                    lines.append("the latest key and certificate do NOT match; the key was not put back (\(r.putBackFailure ?? "not tried")); version \(r.keyBefore.map(String.init) ?? "?") of \(key) still holds the old certificate's key")
                    lines.append("the running services still serve the old certificate (they read SSM only when rolled), which stays valid: do not roll them until this is fixed")
                    lines.append("a re-run (\(rerunCommand)) issues a certificate for the written key version \(keyWritten) and completes")
                }
            case (let keyWritten, let certWritten?):
                let keyVersion = keyWritten ?? r.keyBefore
                let newSerial = r.issuedSerial.map { " (serial \($0))" } ?? ""
                lines.append("\(key) version \(keyVersion.map(String.init) ?? "?") and \(cert) version \(certWritten)\(newSerial) are the latest and match; services started from now on serve the new certificate")
                lines.append("the old certificate\(oldSerial) is still served by tasks not yet rolled and stays valid (it is not revoked); \(cert) version \(r.certBefore.map(String.init) ?? "?") still holds it")
                if step == .writeCert || step == .labelKey || step == .labelCert {
                    lines.append("a re-run (\(rerunCommand)) issues and writes a new pair (this one is not labelled `current`, so a re-run does not take it for its own)")
                } else {
                    lines.append("a re-run (\(rerunCommand)) rolls them out without issuing again")
                }
            }
            return lines.joined(separator: "\n  ")
        }
    }

    public struct Summary: Sendable, Equatable {
        public var mode: Mode
        public var key: Int
        public var cert: Int
        public var serial: String
        public var keyPrevious: Int?
        public var certPrevious: Int?
        public var serialBefore: String?
    }

    public indirect enum Action: Sendable, Equatable {
        /// Read both parameters, their histories, the anchors and the services; report with ``currentRead(_:)``.
        case readCurrent
        /// Make a key like the current one, in memory; report with ``keyMade()``.
        case makeKey
        /// CSR and IssueCertificate for the key in hand; report with ``issued(arn:)``.
        case issue
        /// GetCertificate until it stops answering RequestInProgress; report with ``certificateReady(serial:)``.
        case waitIssued(arn: String)
        /// Public key, chain to the anchors, names, validity; report with ``verified(_:)``.
        case verifyIssued
        /// PutParameter the new key (Overwrite); report with ``keyWritten(version:)``.
        case writeKey
        /// PutParameter leaf + chain (Overwrite); report with ``certWritten(version:)``.
        case writeCert
        /// Read the certificate back; unless the write landed (``certWriteLanded(version:)``), write
        /// `version`'s key again as a new version (``keyPutBack(version:)``).
        case putBackKey(version: Int)
        /// LabelParameterVersion `previous` (when given) then `current`, by explicit version; report with ``labelled()``.
        case label(Parameter, previous: Int?, current: Int)
        /// Roll the `restart` services through the roll; report with ``rolled()``.
        case roll
        /// Every TLS endpoint serves `serial`; report with ``served(_:)``.
        case verifyServed(serial: String)
        case completed(Report, next: Action)
        case finished(Summary)
        case failed(Failure)
    }

    /// How a key write that failed ended, as read back from SSM.
    public enum WriteOutcome: Sendable, Equatable {
        /// AWS answered with an error, or SSM's latest version is still the one before the write.
        case notWritten
        /// No answer, but SSM's latest version is `version` and holds this run's key.
        case written(version: Int)
        /// No answer, and SSM could not be read back (or holds another value).
        case unknown(String)
    }
}

extension ReissueStateMachine: StepMachine {
    public static func kind(of action: Action) -> StepKind<Action, Summary> {
        switch action {
        case .readCurrent, .makeKey, .issue, .waitIssued, .verifyIssued, .writeKey, .writeCert, .putBackKey, .label, .roll, .verifyServed:
            .step
        case .completed(let report, let next):
            .completed(StepReport(step: report.step.rawValue, note: report.note, versions: report.versions), next: next)
        case .finished(let summary):
            .finished(summary)
        case .failed(let failure):
            .failed(StepFailure(step: failure.step.rawValue, reason: failure.reason, versions: failure.record.versions,
                                message: failure.message, changedNothing: failure.record.changedNothing))
        }
    }
}

extension ReissueStateMachine.Record {
    /// The versions and serials of the run, for its audit line.
    var versions: [String: String] {
        [
            "key_before": keyBefore.map(String.init), "cert_before": certBefore.map(String.init),
            "key_written": keyWritten.map(String.init), "cert_written": certWritten.map(String.init),
            "key_put_back": keyPutBack.map(String.init), "serial_before": serialBefore, "serial_issued": issuedSerial,
        ].compactMapValues { $0 }
    }
}

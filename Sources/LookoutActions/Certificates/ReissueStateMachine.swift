/// Reissues a tracked certificate: a key made locally, a certificate issued for it at the Private
/// CA and verified before any write, key and certificate written as new SSM versions (the key put
/// back when the certificate cannot be written), both labelled, the `restart` services rolled, and
/// every TLS endpoint checked to serve the new serial. Pure: no key or certificate passes through
/// it, only version numbers, serials and what was observed; the runner holds the key and does the I/O.
///
/// A re-run picks up where an earlier run stopped, from what SSM holds (``Current``):
/// - ``Mode/fresh``: SSM's latest key and certificate match and are in service: make a new key.
/// - ``Mode/adopt``: SSM's latest key does not match its latest certificate (a run stopped between
///   the two writes): issue a certificate for that key and write only the certificate.
/// - ``Mode/resume``: they match, the certificate is fit to serve, but the services have not been
///   rolled since they were written: label and roll them, issue nothing.
public struct ReissueStateMachine: Sendable {
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
        /// Whether this is a step still to carry out (where a signal may stop the run).
        public var isStep: Bool {
            switch self {
            case .readCurrent, .makeKey, .issue, .waitIssued, .verifyIssued, .writeKey, .writeCert, .putBackKey, .label, .roll, .verifyServed: true
            case .completed, .finished, .failed: false
            }
        }

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

    enum State: Sendable, Equatable {
        case idle
        case reading
        case making
        case issuing
        case waiting(arn: String)
        case verifying
        case writingKey
        case writingCert
        case puttingBack(reason: String)
        case labellingKey(previous: Int?, current: Int)
        case labellingCert(previous: Int?, current: Int)
        case rolling
        case checkingServed
        case finished
        case failed
    }

    public let keyParameter: String
    public let certParameter: String
    public let rolls: Bool
    public let rerunCommand: String
    var state: State = .idle
    public private(set) var record = Record()
    var current: Current?

    /// - Parameters:
    ///   - rolls: whether the certificate has `restart` services.
    public init(keyParameter: String, certParameter: String, rolls: Bool, rerunCommand: String) {
        self.keyParameter = keyParameter
        self.certParameter = certParameter
        self.rolls = rolls
        self.rerunCommand = rerunCommand
    }

    public var mode: Mode? { record.mode }

    // MARK: Events

    public mutating func start() -> Action {
        guard case .idle = state else { return unexpected("start") }
        state = .reading
        return .readCurrent
    }

    public mutating func currentRead(_ found: Current) -> Action {
        guard case .reading = state else { return unexpected("currentRead") }
        current = found
        let mode = found.mode(rolls: rolls)
        record.mode = mode
        record.keyBefore = found.keyVersion
        record.certBefore = found.certVersion
        record.serialBefore = found.serial
        record.pairMatchedBefore = found.pairMatches
        let versions = ["key": String(found.keyVersion), "cert": String(found.certVersion), "serial": found.serial, "mode": mode.rawValue]
        let note: String
        let next: Action
        switch mode {
        case .fresh:
            if !found.pairMatches {
                note = "\(keyParameter) version \(found.keyVersion) does not match \(certParameter) version \(found.certVersion) (serial \(found.serial)) and is not a key lookout can issue for: a new key replaces it"
            } else {
                note = "\(keyParameter) version \(found.keyVersion) and \(certParameter) version \(found.certVersion) (serial \(found.serial)) match: a new key and certificate replace them"
            }
            state = .making
            next = .makeKey
        case .adopt:
            note = "\(keyParameter) version \(found.keyVersion) does not match \(certParameter) version \(found.certVersion) (serial \(found.serial)): an earlier run wrote the key and not the certificate; this run issues the certificate for that key"
            state = .issuing
            next = .issue
        case .resume:
            note = "\(keyParameter) version \(found.keyVersion) and \(certParameter) version \(found.certVersion) (serial \(found.serial)) match and are fit to serve, but the services have not been rolled since they were written: this run labels and rolls them, issuing nothing"
            record.issuedSerial = found.serial
            return labelKeyStep(Report(step: .readCurrent, note: note, versions: versions))
        }
        return .completed(Report(step: .readCurrent, note: note, versions: versions), next: next)
    }

    public mutating func keyMade(_ description: String) -> Action {
        guard case .making = state else { return unexpected("keyMade") }
        state = .issuing
        return .completed(Report(step: .makeKey, note: "a new \(description) key made in memory (PKCS#8)", versions: [:]), next: .issue)
    }

    public mutating func issued(arn: String) -> Action {
        guard case .issuing = state else { return unexpected("issued") }
        state = .waiting(arn: arn)
        return .completed(Report(step: .issue, note: "IssueCertificate answered \(arn)", versions: ["certificate_arn": arn]), next: .waitIssued(arn: arn))
    }

    public mutating func certificateReady(serial: String) -> Action {
        guard case .waiting(let arn) = state else { return unexpected("certificateReady") }
        record.issuedSerial = serial
        state = .verifying
        return .completed(Report(step: .waitIssued, note: "certificate \(serial) issued", versions: ["serial": serial, "certificate_arn": arn]), next: .verifyIssued)
    }

    public mutating func verified(_ note: String) -> Action {
        guard case .verifying = state else { return unexpected("verified") }
        let report = Report(step: .verifyIssued, note: note, versions: ["serial": record.issuedSerial ?? "?"])
        if record.mode == .adopt {
            state = .writingCert
            return .completed(report, next: .writeCert)
        }
        state = .writingKey
        return .completed(report, next: .writeKey)
    }

    public mutating func keyWritten(version: Int) -> Action {
        guard case .writingKey = state else { return unexpected("keyWritten") }
        record.keyWritten = version
        state = .writingCert
        return .completed(Report(step: .writeKey, note: "\(keyParameter) version \(version) written (the new key)",
                                 versions: ["before": record.keyBefore.map(String.init) ?? "?", "written": String(version)]),
                          next: .writeCert)
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

    /// The key write failed (`reason`); `outcome` says what reading SSM back found.
    public mutating func keyWriteFailed(_ reason: String, outcome: WriteOutcome) -> Action {
        guard case .writingKey = state else { return unexpected("keyWriteFailed") }
        switch outcome {
        case .notWritten:
            return fail(.writeKey, reason + " (SSM's latest key is still version \(record.keyBefore.map(String.init) ?? "?"): nothing was written)")
        case .written(let version):
            record.keyWritten = version
            state = .writingCert
            return .completed(Report(step: .writeKey, note: "\(keyParameter) version \(version) written (the new key; the answer was lost: \(reason); read back from SSM)",
                                     versions: ["before": record.keyBefore.map(String.init) ?? "?", "written": String(version)]),
                              next: .writeCert)
        case .unknown(let why):
            record.keyWriteUnknown = true
            return fail(.writeKey, reason + " (\(why))")
        }
    }

    public mutating func certWritten(version: Int) -> Action {
        switch state {
        case .writingCert, .puttingBack:
            record.certWritten = version
            return labelKeyStep(Report(step: .writeCert, note: "\(certParameter) version \(version) written (serial \(record.issuedSerial ?? "?"))",
                                       versions: ["before": record.certBefore.map(String.init) ?? "?", "written": String(version)]))
        default:
            return unexpected("certWritten")
        }
    }

    /// The certificate write failed, yet reading it back shows it landed as `version`.
    public mutating func certWriteLanded(version: Int) -> Action {
        guard case .puttingBack = state else { return unexpected("certWriteLanded") }
        return certWritten(version: version)
    }

    public mutating func keyPutBack(version: Int) -> Action {
        guard case .puttingBack(let reason) = state else { return unexpected("keyPutBack") }
        record.keyPutBack = version
        return fail(.writeCert, reason)
    }

    public mutating func labelled() -> Action {
        switch state {
        case .labellingKey(let previous, let current):
            let report = Report(step: .labelKey, note: labelNote(keyParameter, previous, current), versions: labelVersions(previous, current))
            let (certPrevious, certCurrent) = certLabels()
            state = .labellingCert(previous: certPrevious, current: certCurrent)
            return .completed(report, next: .label(.cert, previous: certPrevious, current: certCurrent))
        case .labellingCert(let previous, let current):
            let report = Report(step: .labelCert, note: labelNote(certParameter, previous, current), versions: labelVersions(previous, current))
            if rolls {
                state = .rolling
                return .completed(report, next: .roll)
            }
            state = .finished
            return .completed(report, next: .finished(summary()))
        default:
            return unexpected("labelled")
        }
    }

    public mutating func rolled() -> Action {
        guard case .rolling = state else { return unexpected("rolled") }
        state = .checkingServed
        return .completed(Report(step: .roll, note: "the restart services run new tasks", versions: [:]),
                          next: .verifyServed(serial: record.issuedSerial ?? "?"))
    }

    public mutating func served(_ note: String) -> Action {
        guard case .checkingServed = state else { return unexpected("served") }
        state = .finished
        return .completed(Report(step: .verifyServed, note: note, versions: ["serial": record.issuedSerial ?? "?"]), next: .finished(summary()))
    }

    /// A SIGINT or SIGTERM came. The run stops at this step boundary, before the step's call,
    /// except between the two writes: the certificate is written after its key (or the key put
    /// back), so that SSM never holds a key and a certificate that do not belong together. Nil:
    /// carry on with the step in hand; the runner asks again at the next boundary.
    public mutating func interrupted(by signal: String) -> Action? {
        let reason = "interrupted by \(signal)"
        switch state {
        case .reading: return fail(.readCurrent, reason)
        case .making: return fail(.makeKey, reason)
        case .issuing: return fail(.issue, reason + " before IssueCertificate")
        case .waiting: return fail(.waitIssued, reason + " (the certificate issued at the Private CA is not used)")
        case .verifying: return fail(.verifyIssued, reason)
        case .writingKey: return fail(.writeKey, reason + " before PutParameter")
        case .writingCert, .puttingBack: return nil
        case .labellingKey: return fail(.labelKey, reason)
        case .labellingCert: return fail(.labelCert, reason)
        case .rolling: return fail(.roll, reason)
        case .checkingServed: return fail(.verifyServed, reason)
        case .idle, .finished, .failed: return unexpected("interrupted")
        }
    }

    /// The running step failed (an AWS call, a check, the roll).
    public mutating func stepFailed(_ reason: String) -> Action {
        switch state {
        case .reading: return fail(.readCurrent, reason)
        case .making: return fail(.makeKey, reason)
        case .issuing: return fail(.issue, reason + " (a certificate may or may not have been issued)")
        case .waiting: return fail(.waitIssued, reason)
        case .verifying: return fail(.verifyIssued, reason)
        case .writingKey: return fail(.writeKey, reason + " (a version may or may not have been written)")
        case .writingCert:
            guard record.mode != .adopt, let before = record.keyBefore, record.keyWritten != nil else { return fail(.writeCert, reason) }
            state = .puttingBack(reason: reason)
            return .putBackKey(version: before)
        case .puttingBack:
            return putBackFailed(reason, certificateUnknown: false)
        case .labellingKey: return fail(.labelKey, reason)
        case .labellingCert: return fail(.labelCert, reason)
        case .rolling: return fail(.roll, reason)
        case .checkingServed: return fail(.verifyServed, reason)
        case .idle, .finished, .failed: return unexpected("stepFailed")
        }
    }

    /// Putting the key back failed (`why`), after the certificate write failed; `unknown`: the
    /// certificate could not be read back, so whether its write landed is not known.
    public mutating func putBackFailed(_ why: String, certificateUnknown: Bool) -> Action {
        guard case .puttingBack(let reason) = state else { return unexpected("putBackFailed") }
        record.putBackFailure = why
        record.certWriteUnknown = certificateUnknown
        return fail(.writeCert, reason)
    }

    // MARK: Helpers

    /// Labels the key next: `previous` on the version before this run (or, when this run wrote no
    /// key, the one the runner found), `current` on the version now the latest.
    private mutating func labelKeyStep(_ report: Report) -> Action {
        let previous: Int?
        let current: Int
        if let written = record.keyWritten {
            previous = record.keyBefore
            current = written
        } else {
            previous = self.current?.keyPrevious
            current = record.keyBefore ?? 0
        }
        state = .labellingKey(previous: previous, current: current)
        return .completed(report, next: .label(.key, previous: previous, current: current))
    }

    private func certLabels() -> (Int?, Int) {
        if let written = record.certWritten { return (record.certBefore, written) }
        return (current?.certPrevious, record.certBefore ?? 0)
    }

    private func labelNote(_ parameter: String, _ previous: Int?, _ current: Int) -> String {
        "\(parameter): version \(current) labelled current" + (previous.map { ", version \($0) previous" } ?? "")
    }

    private func labelVersions(_ previous: Int?, _ current: Int) -> [String: String] {
        var versions = ["current": String(current)]
        if let previous { versions["previous"] = String(previous) }
        return versions
    }

    private func summary() -> Summary {
        let (certPrevious, certCurrent) = certLabels()
        let key = record.keyWritten ?? record.keyBefore ?? 0
        let keyPrevious = record.keyWritten != nil ? record.keyBefore : current?.keyPrevious
        return Summary(mode: record.mode ?? .fresh, key: key, cert: certCurrent, serial: record.issuedSerial ?? "?",
                       keyPrevious: keyPrevious, certPrevious: certPrevious, serialBefore: record.serialBefore)
    }

    private mutating func fail(_ step: Step, _ reason: String) -> Action {
        state = .failed
        return .failed(Failure(step: step, reason: reason, keyParameter: keyParameter, certParameter: certParameter, record: record,
                               rerunCommand: rerunCommand))
    }

    private mutating func unexpected(_ event: String) -> Action {
        let current = state
        state = .failed
        return .failed(Failure(step: .readCurrent, reason: "internal error: \(event) in state \(current)", keyParameter: keyParameter,
                               certParameter: certParameter, record: record, rerunCommand: rerunCommand))
    }
}

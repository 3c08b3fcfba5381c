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
        case .idle, .reading, .making, .issuing, .waiting, .verifying, .writingKey, .labellingKey, .labellingCert, .rolling, .checkingServed,
             .finished, .failed:
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
        case .idle, .reading, .making, .issuing, .waiting, .verifying, .writingKey, .writingCert, .puttingBack, .rolling, .checkingServed,
             .finished, .failed:
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

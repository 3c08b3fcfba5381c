import Foundation
import LookoutAWS
import LookoutConfig
import LookoutProbes
import LookoutX509
import X509

/// The I/O around ``ReissueStateMachine``: SSM reads and writes (the keys kept in memory only),
/// ACM PCA, the roll through ``RollRunner``, the served-certificate check through the TLS probe.
public struct ReissueRunner: Sendable {
    public let environment: EnvironmentConfig
    public let certificate: TrackedCertificateConfig
    public let authority: String
    let client: AWSClient
    let roll: RollRunner?
    /// How long waiting for the certificate and for the endpoints may take (the roll has its own).
    public var timeout: Duration
    public var pollInterval: Duration

    public init(environment: EnvironmentConfig, certificateName: String, client: AWSClient, roll: RollRunner?, timeout: Duration,
                pollInterval: Duration? = nil) throws(ActionError) {
        guard let certificates = environment.certificates, let tracked = certificates.tracked.first(where: { $0.name == certificateName }) else {
            let known = environment.certificates?.tracked.map(\.name).joined(separator: ", ") ?? "none"
            throw ActionError(.usage, "environment `\(environment.name)` tracks no certificate `\(certificateName)`; known: \(known)")
        }
        guard let pca = certificates.pca else {
            throw ActionError(.usage, "environment `\(environment.name)` names no certificates.pca to issue at")
        }
        if !tracked.restart.isEmpty, roll == nil {
            throw ActionError(.usage, "certificate `\(certificateName)` names restart services but `\(environment.name)` has no ecs section")
        }
        self.environment = environment
        self.certificate = tracked
        self.authority = pca.description
        self.client = client
        self.roll = roll
        self.timeout = timeout
        self.pollInterval = pollInterval ?? environment.timeouts.actionPoll.swiftDuration
    }

    var rerunCommand: String { "lookout cert reissue --env \(environment.name) --cert \(certificate.name)" }

    /// What read-current found. `keyPEM` is the latest key's value, in memory only: a re-run may
    /// issue for it, and a failed certificate write puts it back.
    struct Observed: Sendable {
        var current: ReissueStateMachine.Current
        var keyPEM: SecretValue
        var keyAlgorithm: KeyAlgorithm?
        var leaf: Certificate
        var anchors: [Certificate]
        var anchorSource: String
        var keyType: String
        var keyID: String?
        var certType: String
        var certKeyID: String?
    }

    struct ReadFailure: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Reading

    func observe(services: [String]) async throws -> Observed {
        let certSSM = certificate.certSSM, keySSM = certificate.keySSM
        let certParameter = try await client.ssm.getParameter(name: certSSM, withDecryption: true)
        let keyParameter = try await client.ssm.getParameter(name: keySSM, withDecryption: true)
        let certHistory = try await client.ssm.getFullParameterHistory(name: certSSM)
        let keyHistory = try await client.ssm.getFullParameterHistory(name: keySSM)
        guard let certVersion = certParameter.version, let keyVersion = keyParameter.version else {
            throw ReadFailure(description: "SSM answered without a version")
        }
        guard let text = certParameter.value?.reveal() else { throw ReadFailure(description: "\(certSSM) has no value") }
        let bundle: [Certificate]
        do {
            bundle = try certificates(fromPEM: text)
        } catch {
            throw ReadFailure(description: "\(certSSM) version \(certVersion): \(error)")
        }
        let leaf = bundle[0]
        guard let keyPEM = keyParameter.value, !keyPEM.isEmpty else { throw ReadFailure(description: "\(keySSM) has no value") }
        let (anchors, anchorSource) = try await trustAnchors()
        let serial = CertificateSummary(leaf).serial
        var problems: [String] = []
        if let names = ReissueNames.problem(leaf, commonName: certificate.commonName, sans: certificate.sans) { problems.append(names) }
        let now = Date()
        if leaf.notValidAfter < now || leaf.notValidBefore > now { problems.append("not valid now (\(leaf.notValidBefore) to \(leaf.notValidAfter))") }
        if await !ChainCheck.leadsToAnchors(leaf: leaf, intermediates: Array(bundle.dropFirst()), anchors: anchors, now: now) {
            problems.append("its chain does not lead to \(anchorSource)")
        }
        // The certificate's last write only: a key put back (its old value again) rolls nothing out.
        let pending = try await rollPending(services: services, changed: [certParameter.lastModifiedDate].compactMap { $0 })
        let current = ReissueStateMachine.Current(
            keyVersion: keyVersion, certVersion: certVersion, serial: serial,
            pairMatches: ReissueKey.matches(keyPEM, leaf.publicKey), keyUsable: ReissueKey.read(keyPEM) != nil,
            certProblem: problems.isEmpty ? nil : problems.joined(separator: "; "), rollPending: pending,
            labelledCurrent: certHistory.first { $0.version == certVersion }?.labels?.contains("current") == true,
            keyPrevious: Self.previous(keyHistory, latest: keyVersion), certPrevious: Self.previous(certHistory, latest: certVersion))
        let keyLatest = keyHistory.first { $0.version == keyVersion }
        let certLatest = certHistory.first { $0.version == certVersion }
        return Observed(current: current, keyPEM: keyPEM, keyAlgorithm: ReissueKey.algorithm(of: keyPEM), leaf: leaf, anchors: anchors,
                        anchorSource: anchorSource, keyType: keyLatest?.type ?? keyParameter.type ?? "SecureString", keyID: keyLatest?.keyId,
                        certType: certLatest?.type ?? certParameter.type ?? "String", certKeyID: certLatest?.keyId)
    }

    /// The version to label `previous` when this run writes no new version: when the latest is
    /// labelled `current` already, the one labelled `previous`; else the one labelled `current`;
    /// else the one before the latest.
    static func previous(_ history: [SSM.ParameterHistory], latest: Int) -> Int? {
        let labelled = { (label: String) in history.first(where: { $0.labels?.contains(label) == true })?.version }
        if labelled("current") == latest, let previous = labelled("previous") { return previous }
        if let current = labelled("current"), current != latest { return current }
        let earlier = history.compactMap(\.version).filter { $0 < latest }
        return earlier.max()
    }

    /// `kafka.tls.ca_file` when set (what clients trust), else the Private CA's certificate and chain.
    func trustAnchors() async throws -> ([Certificate], String) {
        if let caFile = environment.kafka?.tls?.caFile {
            let text: String
            do throws(BoundedRead.Failure) { text = try BoundedRead.certificateBundle(caFile).get() } catch { throw ReadFailure(description: error.message("the CA file \(caFile)")) }
            return (try certificates(fromPEM: text), "the trust anchors of \(caFile)")
        }
        let pem = try await client.acmPCA.getCertificateAuthorityCertificate(arn: authority)
        let anchors = try (pem.certificate.map { try certificates(fromPEM: $0) } ?? []) + (pem.certificateChain.map { try certificates(fromPEM: $0) } ?? [])
        return (anchors, "the Private CA's certificate and chain")
    }

    /// Whether `changed` (the parameters' last writes) is later than the PRIMARY deployment of one
    /// of the restart services: those services still run what was there before.
    func rollPending(services: [String], changed: [Date]) async throws -> Bool {
        guard !services.isEmpty, let ecs = environment.ecs, let latest = changed.max() else { return false }
        let described = try await client.ecs.describeAllServices(cluster: ecs.cluster, services: services)
        for name in services {
            let primary = described.services?.first { $0.serviceName == name }?.deployments?.first { $0.status == "PRIMARY" }
            guard let created = primary?.createdAt else { return true }
            if created < latest { return true }
        }
        return false
    }

    /// The addresses that must serve the new certificate: every `tls: true` endpoint, and the
    /// Kafka bootstrap when the cluster speaks TLS.
    var servedTargets: [(name: String, host: String, port: Int)] {
        var targets = environment.endpoints.filter(\.tls).map { (name: $0.name, host: $0.address.host, port: $0.address.port) }
        if let kafka = environment.kafka, kafka.tls != nil {
            targets += kafka.bootstrap.map { (name: "kafka bootstrap", host: $0.host, port: $0.port) }
        }
        return targets
    }

    // MARK: Planning (reads only)

    public struct Prepared: Sendable {
        public var services: [RollStateMachine.Service]
        public var facts: [String]
        public var steps: [ActionPlan.Step]
        public var locks: [String]
        public var blocked: String?
        public var mode: ReissueStateMachine.Mode
    }

    public func prepare() async throws(ActionError) -> Prepared {
        let observed: Observed
        do {
            observed = try await observe(services: certificate.restart)
        } catch {
            throw ActionError(.unavailable, "cannot read \(certificate.name)'s certificate and key: \(error); nothing was changed")
        }
        let current = observed.current
        let mode = current.mode(rolls: !certificate.restart.isEmpty)
        let summary = CertificateSummary(observed.leaf)
        let algorithm = observed.keyAlgorithm ?? KeyAlgorithm(observed.leaf.publicKey)
        var facts = [
            "\(certificate.certSSM): version \(current.certVersion) is the latest: serial \(current.serial), not after \(ISO8601DateFormatter().string(from: summary.notAfter))"
                + (current.certProblem.map { "; not fit to serve: \($0)" } ?? ""),
            "\(certificate.keySSM): version \(current.keyVersion) is the latest: \(observed.keyAlgorithm?.description ?? "a key lookout cannot issue for"), "
                + (current.pairMatches ? "matches the certificate" : "does NOT match the certificate") + " (the value is never shown)",
        ]
        if !certificate.restart.isEmpty {
            facts.append(current.rollPending ? "the restart services were not rolled since the certificate was last written"
                                             : "the restart services run deployments made after the certificate was last written")
        }
        switch mode {
        case .fresh: facts.append("a new key and certificate will replace them")
        case .adopt: facts.append("an earlier run wrote the key and not the certificate: the certificate is issued for the key in SSM, the key is not written again")
        case .resume: facts.append("an earlier run wrote both and did not finish: they are labelled and rolled out, nothing is issued")
        }
        let signing = ReissueNames.signingAlgorithm(observed.leaf) ?? "the CA's signing algorithm"
        let partition = authority.split(separator: ":").dropFirst().first.map(String.init) ?? "aws"
        var steps: [ActionPlan.Step] = [
            .init(name: ReissueStateMachine.Step.readCurrent.rawValue,
                  detail: "read \(certificate.certSSM) and \(certificate.keySSM) again (the key decrypted, in memory only), versions, labels, anchors, deployments", writes: false),
        ]
        let timeoutText = timeout.configText
        if mode == .fresh {
            steps.append(.init(name: ReissueStateMachine.Step.makeKey.rawValue,
                               detail: "make a new \(algorithm?.description ?? "(unknown algorithm)") key locally, PKCS#8; it leaves this process only into SSM", writes: false))
        }
        if mode != .resume {
            steps += [
                .init(name: ReissueStateMachine.Step.issue.rawValue,
                      detail: "IssueCertificate at \(authority): a CSR for CN \(certificate.commonName), SANs \(certificate.sans.joined(separator: ", ")); "
                          + "\(ReissueNames.template(observed.leaf, partition: partition)), \(signing), \(ReissueNames.validityDays(observed.leaf)) days (as the current certificate); "
                          + "idempotency token derived from the new public key", writes: true),
                .init(name: ReissueStateMachine.Step.waitIssued.rawValue, detail: "GetCertificate until it is no longer RequestInProgress (within \(timeoutText))", writes: false),
                .init(name: ReissueStateMachine.Step.verifyIssued.rawValue,
                      detail: "before any write: its public key is the key's, its chain leads to \(observed.anchorSource), CN and SANs are the tracked ones, it is valid now", writes: false),
            ]
        }
        if mode == .fresh {
            steps.append(.init(name: ReissueStateMachine.Step.writeKey.rawValue,
                               detail: "PutParameter \(certificate.keySSM) (\(observed.keyType)\(observed.keyID.map { ", KMS key \($0)" } ?? "")) with Overwrite: a new version (expected \(current.keyVersion.saturatingPlusOne))", writes: true))
        }
        if mode != .resume {
            steps.append(.init(name: ReissueStateMachine.Step.writeCert.rawValue,
                               detail: "PutParameter \(certificate.certSSM) (\(observed.certType), leaf then chain) with Overwrite: a new version (expected \(current.certVersion.saturatingPlusOne))"
                                   + (mode == .fresh ? "; if it fails, \(certificate.keySSM) version \(current.keyVersion)'s value is written back as a new version" : ""), writes: true))
        }
        steps += [
            .init(name: ReissueStateMachine.Step.labelKey.rawValue, detail: "label \(certificate.keySSM)'s new version `current` and the one before `previous`, by explicit version", writes: true),
            .init(name: ReissueStateMachine.Step.labelCert.rawValue, detail: "label \(certificate.certSSM)'s new version `current` and the one before `previous`, by explicit version", writes: true),
        ]
        var services: [RollStateMachine.Service] = []
        var blocked: String?
        if let roll, !certificate.restart.isEmpty {
            let prepared = try await roll.prepare(certificate.restart)
            services = prepared.services
            facts += prepared.facts
            steps += prepared.steps
            blocked = prepared.blocked
            let targets = servedTargets.map { "\($0.host):\($0.port) (\($0.name))" }
            steps.append(.init(name: ReissueStateMachine.Step.verifyServed.rawValue,
                               detail: targets.isEmpty ? "no TLS endpoint to check" : "within \(timeoutText): \(targets.joined(separator: ", ")) serve the new serial", writes: false))
        }
        let locks = [LockRecord.parameterName(environment: environment.name, kind: "cert", name: certificate.name)]
            + RollPlan.lockNames(environment: environment.name, services: services.map(\.name))
        return Prepared(services: services, facts: facts, steps: steps, locks: locks, blocked: blocked, mode: mode)
    }

    // MARK: Running

    public func run(services: [RollStateMachine.Service], session: ActionSession) async throws(ActionError) {
        var machine = ReissueStateMachine(keyParameter: certificate.keySSM, certParameter: certificate.certSSM, rolls: !services.isEmpty,
                                          rerunCommand: rerunCommand)
        var observed: Observed?
        var key: ReissueKey?
        var issuedLeaf: Certificate?
        var issuedChain: [Certificate] = []
        var bundle: String?
        // The key write was refused by AWS (access denied): nothing changed, exit 77 rather than 69.
        var writeRefused = false
        var interrupted: Interruption.Signal?
        var action = machine.start()
        while true {
            // A step boundary: a SIGINT or SIGTERM stops the run before the step's call (not
            // between the key's write and the certificate's).
            if interrupted == nil, let signal = Interruption.pending, action.isStep, let stopped = machine.interrupted(by: signal.description) {
                interrupted = signal
                key = nil
                action = stopped
            }
            switch action {
            case .completed(let report, let next):
                session.say("  ok  \(report.step.rawValue): \(report.note)")
                try session.record(step: report.step.rawValue, outcome: "ok", versions: report.versions, detail: report.note)
                action = next
            case .readCurrent:
                session.say("  ... \(ReissueStateMachine.Step.readCurrent.rawValue)")
                do {
                    let found = try await observe(services: services.map(\.name))
                    observed = found
                    action = machine.currentRead(found.current)
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .makeKey:
                guard let found = observed, let algorithm = found.keyAlgorithm ?? KeyAlgorithm(found.leaf.publicKey) else {
                    action = machine.stepFailed("neither \(certificate.keySSM) nor the certificate has a key lookout can make (RSA \(KeyAlgorithm.rsaSizes.map(String.init).joined(separator: "/")), EC P-256, P-384)")
                    continue
                }
                session.say("  ... \(ReissueStateMachine.Step.makeKey.rawValue) (\(algorithm))")
                do {
                    key = try ReissueKey.generate(algorithm)
                    action = machine.keyMade(algorithm.description)
                } catch {
                    action = machine.stepFailed("the key could not be made: \(error)")
                }
            case .issue:
                session.say("  ... \(ReissueStateMachine.Step.issue.rawValue)")
                guard let found = observed else { action = machine.stepFailed("nothing was read"); continue }
                if key == nil { key = ReissueKey.read(found.keyPEM) }
                guard let key else { action = machine.stepFailed("the key in \(certificate.keySSM) cannot be read"); continue }
                do {
                    action = machine.issued(arn: try await issue(for: key, observed: found, session: session))
                } catch let error as ActionError {
                    throw error
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .waitIssued(let arn):
                session.say("  ... \(ReissueStateMachine.Step.waitIssued.rawValue)")
                do {
                    let answer = try await waitForCertificate(arn: arn)
                    guard let pem = answer.certificate, let leaf = try certificates(fromPEM: pem).first else {
                        action = machine.stepFailed("GetCertificate answered without a certificate")
                        continue
                    }
                    issuedLeaf = leaf
                    issuedChain = try answer.certificateChain.map { try certificates(fromPEM: $0) } ?? []
                    bundle = pem.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
                        + (answer.certificateChain.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" } ?? "")
                    action = machine.certificateReady(serial: CertificateSummary(leaf).serial)
                } catch is Interruption.Stopped {
                    continue
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .verifyIssued:
                session.say("  ... \(ReissueStateMachine.Step.verifyIssued.rawValue)")
                guard let leaf = issuedLeaf, let key, let found = observed else { action = machine.stepFailed("nothing to verify"); continue }
                let problems = await verify(leaf: leaf, chain: issuedChain, key: key, observed: found)
                action = problems.isEmpty
                    ? machine.verified("its public key is the key's (\(key.algorithm)); its chain leads to \(found.anchorSource); CN \(certificate.commonName) and SANs \(certificate.sans.joined(separator: ", ")) as tracked; valid until \(ISO8601DateFormatter().string(from: leaf.notValidAfter))")
                    : machine.stepFailed("the issued certificate \(CertificateSummary(leaf).serial) fails verification: \(problems.joined(separator: "; ")); nothing was written")
            case .writeKey:
                session.say("  ... \(ReissueStateMachine.Step.writeKey.rawValue)")
                guard let key, let found = observed else { action = machine.stepFailed("no key in hand"); continue }
                try session.record(step: ReissueStateMachine.Step.writeKey.rawValue, outcome: "started", versions: ["before": String(found.current.keyVersion)])
                do {
                    let written = try await client.ssm.putParameter(name: certificate.keySSM, value: key.pem, type: found.keyType, overwrite: true,
                                                                    keyId: found.keyType == "SecureString" ? found.keyID : nil)
                    action = written.version.map { machine.keyWritten(version: $0) } ?? machine.stepFailed("PutParameter answered without a version")
                } catch {
                    writeRefused = error.isAccessDenied
                    action = machine.keyWriteFailed("\(error)", outcome: await keyWriteOutcome(of: error, before: found.current.keyVersion, key: key.pem))
                }
            case .writeCert:
                session.say("  ... \(ReissueStateMachine.Step.writeCert.rawValue)")
                guard let bundle, let found = observed else { action = machine.stepFailed("no certificate in hand"); continue }
                try session.record(step: ReissueStateMachine.Step.writeCert.rawValue, outcome: "started", versions: ["before": String(found.current.certVersion)])
                do {
                    let written = try await client.ssm.putParameter(name: certificate.certSSM, value: SecretValue(bundle), type: found.certType, overwrite: true,
                                                                    keyId: found.certType == "SecureString" ? found.certKeyID : nil)
                    action = written.version.map { machine.certWritten(version: $0) } ?? machine.stepFailed("PutParameter answered without a version")
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .putBackKey(let version):
                session.say("  ... \(ReissueStateMachine.Step.putBackKey.rawValue) (version \(version)'s value, after the certificate write failed)")
                guard let found = observed else { action = machine.putBackFailed("nothing was read", certificateUnknown: true); continue }
                try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "started", versions: ["source": String(version)])
                // First: did the certificate write land after all (an answer lost on the way back)?
                let landed: Int?
                do {
                    let now = try await client.ssm.getParameter(name: certificate.certSSM, withDecryption: true)
                    let leaf = try now.value.map { try certificates(fromPEM: $0.reveal()) }?.first
                    let serial = leaf.map { CertificateSummary($0).serial }
                    landed = (now.version ?? 0) > found.current.certVersion && serial != nil && serial == issuedLeaf.map { CertificateSummary($0).serial }
                        ? now.version : nil
                } catch {
                    try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "failed", detail: "cannot read \(certificate.certSSM) back: \(error)")
                    action = machine.putBackFailed("cannot read \(certificate.certSSM) back to see whether its write landed, so the key was left as written: \(error)",
                                                   certificateUnknown: true)
                    continue
                }
                if let landed {
                    try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "skipped", versions: ["cert_written": String(landed)],
                                        detail: "the certificate write landed as version \(landed)")
                    action = machine.certWriteLanded(version: landed)
                    continue
                }
                do {
                    let written = try await client.ssm.putParameter(name: certificate.keySSM, value: found.keyPEM, type: found.keyType, overwrite: true,
                                                                    keyId: found.keyType == "SecureString" ? found.keyID : nil)
                    guard let version = written.version else {
                        action = machine.putBackFailed("PutParameter answered without a version", certificateUnknown: false)
                        continue
                    }
                    try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "ok", versions: ["source": String(found.current.keyVersion), "written": String(version)])
                    action = machine.keyPutBack(version: version)
                } catch {
                    try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "failed", detail: "\(error)")
                    action = machine.putBackFailed("\(error)", certificateUnknown: false)
                }
            case .label(let which, let previous, let current):
                let name = which == .key ? certificate.keySSM : certificate.certSSM
                let step = which == .key ? ReissueStateMachine.Step.labelKey : .labelCert
                try session.record(step: step.rawValue, outcome: "started", versions: ["current": String(current)].merging(previous.map { ["previous": String($0)] } ?? [:]) { $1 })
                do {
                    var refused: [String] = []
                    if let previous, previous != current {
                        refused += try await client.ssm.labelParameterVersion(name: name, version: previous, labels: ["previous"]).invalidLabels ?? []
                    }
                    refused += try await client.ssm.labelParameterVersion(name: name, version: current, labels: ["current"]).invalidLabels ?? []
                    action = refused.isEmpty ? machine.labelled() : machine.stepFailed("SSM refused the label(s) \(refused.joined(separator: ", ")) on \(name)")
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .roll:
                session.say("  ... roll \(services.map(\.name).joined(separator: ", "))")
                do {
                    try await roll!.run(services, session: session)
                    action = machine.rolled()
                } catch {
                    if case .interrupted(let signal) = error.kind {
                        interrupted = signal
                        action = machine.interrupted(by: "\(signal) during the roll (" + error.message.replacingOccurrences(of: "\n ", with: ";") + ")")
                            ?? machine.stepFailed(error.message)
                    } else {
                        action = machine.stepFailed(error.message)
                    }
                }
            case .verifyServed(let serial):
                session.say("  ... \(ReissueStateMachine.Step.verifyServed.rawValue)")
                do {
                    action = machine.served(try await waitServed(serial: serial, anchors: observed?.anchors ?? []))
                } catch is Interruption.Stopped {
                    continue
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .finished(let summary):
                var line = "\(certificate.keySSM): version \(summary.key) is current"
                if let previous = summary.keyPrevious { line += " (version \(previous) labelled previous)" }
                line += "; \(certificate.certSSM): version \(summary.cert) is current, serial \(summary.serial)"
                if let previous = summary.certPrevious { line += " (version \(previous) labelled previous" + (summary.serialBefore.map { ", serial \($0)" } ?? "") + ")" }
                session.say(line)
                if let old = summary.serialBefore, old != summary.serial {
                    session.say("the superseded certificate \(old) is still valid; `lookout cert revoke --env \(environment.name) --cert \(certificate.name) --serial \(old)` revokes it")
                }
                return
            case .failed(let failure):
                let r = failure.record
                let versions: [String: String] = [
                    "key_before": r.keyBefore.map(String.init), "cert_before": r.certBefore.map(String.init),
                    "key_written": r.keyWritten.map(String.init), "cert_written": r.certWritten.map(String.init),
                    "key_put_back": r.keyPutBack.map(String.init), "serial_before": r.serialBefore, "serial_issued": r.issuedSerial,
                ].compactMapValues { $0 }
                try? session.record(step: failure.step.rawValue, outcome: interrupted == nil ? "failed" : "interrupted", versions: versions, detail: failure.reason)
                // Nothing in SSM changed (a read, the issue or the verification failed, or AWS
                // answered the key write with an error): 77 when AWS refused the write, else 69.
                // Anything written, or possibly written, or an earlier run's pair left as it was
                // found, is half-way (75): a re-run resolves it.
                let kind: ActionError.Kind = interrupted.map { .interrupted($0) }
                    ?? (r.changedNothing ? (writeRefused ? .refused : .unavailable) : .halfway)
                throw ActionError(kind, failure.message)
            }
        }
    }
}

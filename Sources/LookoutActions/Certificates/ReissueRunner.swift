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

    // MARK: Running

    public func run(services: [RollStateMachine.Service], session: ActionSession) async throws(ActionError) {
        var loop = StepLoop(ReissueStateMachine(keyParameter: certificate.keySSM, certParameter: certificate.certSSM, rolls: !services.isEmpty,
                                                rerunCommand: rerunCommand))
        var observed: Observed?
        // The key, made here, lives in memory only, until it is written.
        var key: ReissueKey?
        var issuedLeaf: Certificate?
        var issuedChain: [Certificate] = []
        var bundle: String?
        // The key write was refused by AWS (access denied): nothing changed, exit 77 rather than 69.
        var writeRefused = false
        let summary = try await loop.run(session: session, perform: { (machine: inout ReissueStateMachine, action) throws(ActionError) -> ReissueStateMachine.Action? in
            switch action {
                case .readCurrent:
                    session.say("  ... \(ReissueStateMachine.Step.readCurrent.rawValue)")
                    do {
                        let found = try await observe(services: services.map(\.name))
                        observed = found
                        return machine.currentRead(found.current)
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
                case .makeKey:
                    guard let found = observed, let algorithm = found.keyAlgorithm ?? KeyAlgorithm(found.leaf.publicKey) else {
                        return machine.stepFailed("neither \(certificate.keySSM) nor the certificate has a key lookout can make (RSA \(KeyAlgorithm.rsaSizes.map(String.init).joined(separator: "/")), EC P-256, P-384)")
                    }
                    session.say("  ... \(ReissueStateMachine.Step.makeKey.rawValue) (\(algorithm))")
                    do {
                        key = try ReissueKey.generate(algorithm)
                        return machine.keyMade(algorithm.description)
                    } catch {
                        return machine.stepFailed("the key could not be made: \(error)")
                    }
                case .issue:
                    session.say("  ... \(ReissueStateMachine.Step.issue.rawValue)")
                    guard let found = observed else { return machine.stepFailed("nothing was read") }
                    if key == nil { key = ReissueKey.read(found.keyPEM) }
                    guard let key else { return machine.stepFailed("the key in \(certificate.keySSM) cannot be read") }
                    do {
                        return machine.issued(arn: try await issue(for: key, observed: found, session: session))
                    } catch let error as ActionError {
                        throw error
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
                case .waitIssued(let arn):
                    session.say("  ... \(ReissueStateMachine.Step.waitIssued.rawValue)")
                    do {
                        let answer = try await waitForCertificate(arn: arn)
                        guard let pem = answer.certificate, let leaf = try certificates(fromPEM: pem).first else {
                            return machine.stepFailed("GetCertificate answered without a certificate")
                        }
                        issuedLeaf = leaf
                        issuedChain = try answer.certificateChain.map { try certificates(fromPEM: $0) } ?? []
                        bundle = pem.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
                            + (answer.certificateChain.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) + "\n" } ?? "")
                        return machine.certificateReady(serial: CertificateSummary(leaf).serial)
                    } catch is Interruption.Stopped {
                        return nil
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
                case .verifyIssued:
                    session.say("  ... \(ReissueStateMachine.Step.verifyIssued.rawValue)")
                    guard let leaf = issuedLeaf, let key, let found = observed else { return machine.stepFailed("nothing to verify") }
                    let problems = await verify(leaf: leaf, chain: issuedChain, key: key, observed: found)
                    return problems.isEmpty
                        ? machine.verified("its public key is the key's (\(key.algorithm)); its chain leads to \(found.anchorSource); CN \(certificate.commonName) and SANs \(certificate.sans.joined(separator: ", ")) as tracked; valid until \(ISO8601DateFormatter().string(from: leaf.notValidAfter))")
                        : machine.stepFailed("the issued certificate \(CertificateSummary(leaf).serial) fails verification: \(problems.joined(separator: "; ")); nothing was written")
                case .writeKey:
                    session.say("  ... \(ReissueStateMachine.Step.writeKey.rawValue)")
                    guard let key, let found = observed else { return machine.stepFailed("no key in hand") }
                    try session.record(step: ReissueStateMachine.Step.writeKey.rawValue, outcome: "started", versions: ["before": String(found.current.keyVersion)])
                    do throws(AWSError) {
                        let written = try await client.ssm.putParameter(name: certificate.keySSM, value: key.pem, type: found.keyType, overwrite: true,
                                                                        keyId: found.keyType == "SecureString" ? found.keyID : nil)
                        return written.version.map { machine.keyWritten(version: $0) } ?? machine.stepFailed("PutParameter answered without a version")
                    } catch {
                        writeRefused = error.isAccessDenied
                        return machine.keyWriteFailed("\(error)", outcome: await keyWriteOutcome(of: error, before: found.current.keyVersion, key: key.pem))
                    }
                case .writeCert:
                    session.say("  ... \(ReissueStateMachine.Step.writeCert.rawValue)")
                    guard let bundle, let found = observed else { return machine.stepFailed("no certificate in hand") }
                    try session.record(step: ReissueStateMachine.Step.writeCert.rawValue, outcome: "started", versions: ["before": String(found.current.certVersion)])
                    do {
                        let written = try await client.ssm.putParameter(name: certificate.certSSM, value: SecretValue(bundle), type: found.certType, overwrite: true,
                                                                        keyId: found.certType == "SecureString" ? found.certKeyID : nil)
                        return written.version.map { machine.certWritten(version: $0) } ?? machine.stepFailed("PutParameter answered without a version")
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
                case .putBackKey(let version):
                    session.say("  ... \(ReissueStateMachine.Step.putBackKey.rawValue) (version \(version)'s value, after the certificate write failed)")
                    guard let found = observed else { return machine.putBackFailed("nothing was read", certificateUnknown: true) }
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
                        return machine.putBackFailed("cannot read \(certificate.certSSM) back to see whether its write landed, so the key was left as written: \(error)",
                                                       certificateUnknown: true)
                    }
                    if let landed {
                        try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "skipped", versions: ["cert_written": String(landed)],
                                            detail: "the certificate write landed as version \(landed)")
                        return machine.certWriteLanded(version: landed)
                    }
                    do {
                        let written = try await client.ssm.putParameter(name: certificate.keySSM, value: found.keyPEM, type: found.keyType, overwrite: true,
                                                                        keyId: found.keyType == "SecureString" ? found.keyID : nil)
                        guard let version = written.version else {
                            return machine.putBackFailed("PutParameter answered without a version", certificateUnknown: false)
                        }
                        try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "ok", versions: ["source": String(found.current.keyVersion), "written": String(version)])
                        return machine.keyPutBack(version: version)
                    } catch {
                        try? session.record(step: ReissueStateMachine.Step.putBackKey.rawValue, outcome: "failed", detail: "\(error)")
                        return machine.putBackFailed("\(error)", certificateUnknown: false)
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
                        return refused.isEmpty ? machine.labelled() : machine.stepFailed("SSM refused the label(s) \(refused.joined(separator: ", ")) on \(name)")
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
                case .roll:
                    session.say("  ... roll \(services.map(\.name).joined(separator: ", "))")
                    do throws(ActionError) {
                        try await roll!.run(services, session: session)
                        return machine.rolled()
                    } catch {
                        if let signal = error.duringTheRoll {
                            return machine.interrupted(by: signal) ?? machine.stepFailed(error.message)
                        }
                        return machine.stepFailed(error.message)
                    }
                case .verifyServed(let serial):
                    session.say("  ... \(ReissueStateMachine.Step.verifyServed.rawValue)")
                    do {
                        return machine.served(try await waitServed(serial: serial, anchors: observed?.anchors ?? []))
                    } catch is Interruption.Stopped {
                        return nil
                    } catch {
                        return machine.stepFailed("\(error)")
                    }
            case .completed, .finished, .failed:
                return machine.stepFailed("internal error: \(action) handed to the runner")
            }
        }, kind: { $0.kind(writeRefused: writeRefused) })
        var line = "\(certificate.keySSM): version \(summary.key) is current"
        if let previous = summary.keyPrevious { line += " (version \(previous) labelled previous)" }
        line += "; \(certificate.certSSM): version \(summary.cert) is current, serial \(summary.serial)"
        if let previous = summary.certPrevious { line += " (version \(previous) labelled previous" + (summary.serialBefore.map { ", serial \($0)" } ?? "") + ")" }
        session.say(line)
        if let old = summary.serialBefore, old != summary.serial {
            session.say("the superseded certificate \(old) is still valid; `lookout cert revoke --env \(environment.name) --cert \(certificate.name) --serial \(old)` revokes it")
        }
    }
}

import Foundation
import LookoutAWS
import LookoutConfig
import LookoutProbes
import LookoutX509
import X509

/// What a reissue reads before it writes anything: what SSM, ECS and the CA hold, and the plan.
extension ReissueRunner {
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
}

import Foundation
import LookoutAWS
import LookoutConfig
import LookoutProbes
import LookoutX509
import X509

/// The reissue's steps that talk to AWS and the endpoints, apart from the loop that drives them.
extension ReissueRunner {
    // MARK: Steps

    /// What a failed key write left in SSM. An error AWS answered (a 4xx) wrote nothing. Without
    /// an answer (a timeout, a 5xx, a lost reply) the key is read back: a newer version holding
    /// this run's key is the write, landed; the same latest version is nothing written; anything
    /// else (no read, another value) is unknown.
    func keyWriteOutcome(of error: AWSError, before: Int, key: SecretValue) async -> ReissueStateMachine.WriteOutcome {
        if case .service(_, _, let status) = error.kind, status < 500 { return .notWritten }
        do {
            let now = try await client.ssm.getParameter(name: certificate.keySSM, withDecryption: true)
            guard let version = now.version else { return .unknown("the key read back has no version") }
            if version == before { return .notWritten }
            return now.value == key
                ? .written(version: version)
                : .unknown("version \(version) of \(certificate.keySSM) is newer than \(before) but is not this run's key")
        } catch {
            return .unknown("the key could not be read back: \(error)")
        }
    }

    func issue(for key: ReissueKey, observed: Observed, session: ActionSession) async throws -> String {
        let subject = ReissueNames.subject(keeping: observed.leaf.subject, commonName: certificate.commonName)
        let csr = try key.csr(subject: subject, sans: certificate.sans)
        let token = ReissueKey.idempotencyToken(publicKey: key.publicKey, environment: environment.name, certificate: certificate.name)
        var signing = ReissueNames.signingAlgorithm(observed.leaf)
        if signing == nil {
            signing = try await client.acmPCA.describeCertificateAuthority(arn: authority).certificateAuthorityConfiguration?.signingAlgorithm
        }
        guard let signing else { throw ReadFailure(description: "cannot tell which signing algorithm the Private CA uses") }
        let partition = authority.split(separator: ":").dropFirst().first.map(String.init) ?? "aws"
        let template = ReissueNames.template(observed.leaf, partition: partition)
        let days = ReissueNames.validityDays(observed.leaf)
        try session.record(step: ReissueStateMachine.Step.issue.rawValue, outcome: "started",
                           versions: ["idempotency_token": token, "template": template, "signing_algorithm": signing, "validity_days": String(days)])
        return try await client.acmPCA.issueCertificate(authorityArn: authority, csr: Array(csr.utf8), signingAlgorithm: signing,
                                                        validity: .days(days), templateArn: template, idempotencyToken: token)
    }

    func waitForCertificate(arn: String) async throws -> ACMPCA.CertificateWithChain {
        let started = ContinuousClock.now
        while true {
            do {
                return try await client.acmPCA.getCertificate(authorityArn: authority, certificateArn: arn)
            } catch {
                guard case .service(let code, _, _) = error.kind, code == "RequestInProgressException" else { throw error }
                if ContinuousClock.now - started >= timeout {
                    throw ReadFailure(description: "the certificate was still RequestInProgress after \(timeout.configText)")
                }
                try await Interruption.waitOrStop(pollInterval)
            }
        }
    }

    func verify(leaf: Certificate, chain: [Certificate], key: ReissueKey, observed: Observed) async -> [String] {
        var problems: [String] = []
        if leaf.publicKey != key.publicKey { problems.append("its public key is not the key's") }
        if await !ChainCheck.leadsToAnchors(leaf: leaf, intermediates: chain, anchors: observed.anchors, now: Date()) {
            problems.append("its chain does not lead to \(observed.anchorSource)")
        }
        if let names = ReissueNames.problem(leaf, commonName: certificate.commonName, sans: certificate.sans) { problems.append(names) }
        let now = Date()
        // A few minutes of clock difference with the CA are tolerated at the start.
        if leaf.notValidBefore > now.addingTimeInterval(300) || leaf.notValidAfter < now {
            problems.append("not valid now (\(leaf.notValidBefore) to \(leaf.notValidAfter))")
        }
        return problems
    }

    /// Waits until every target serves `serial` (its chain leading to the anchors), or says which do not.
    func waitServed(serial: String, anchors: [Certificate]) async throws -> String {
        let targets = servedTargets
        guard !targets.isEmpty else { return "no TLS endpoint to check" }
        let started = ContinuousClock.now
        var seen: [String: String] = [:]
        while true {
            var pending: [String] = []
            for target in targets {
                let label = "\(target.host):\(target.port) (\(target.name))"
                do {
                    let chain = try await ServedChain.fetch(host: target.host, port: target.port, timeout: .seconds(5))
                    guard let leaf = chain.first else { seen[label] = "no certificate"; pending.append(label); continue }
                    let served = CertificateSummary(leaf).serial
                    let chains = anchors.isEmpty ? true : await ChainCheck.leadsToAnchors(leaf: leaf, intermediates: Array(chain.dropFirst()), anchors: anchors, now: Date())
                    seen[label] = chains ? served : "\(served), whose chain does not lead to the anchors"
                    if served != serial || !chains { pending.append(label) }
                } catch {
                    seen[label] = "\(error)"
                    pending.append(label)
                }
            }
            if pending.isEmpty {
                return "\(targets.map { "\($0.host):\($0.port) (\($0.name))" }.joined(separator: ", ")) serve \(serial)"
            }
            if ContinuousClock.now - started >= timeout {
                throw ReadFailure(description: "after \(timeout.configText) " + pending.map { "\($0) serves \(seen[$0] ?? "?")" }.joined(separator: "; ") + ", not \(serial)")
            }
            try await Interruption.waitOrStop(pollInterval)
        }
    }
}

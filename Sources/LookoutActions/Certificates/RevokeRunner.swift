import Foundation
import LookoutAWS
import LookoutConfig
import LookoutX509

/// The I/O around ``RevokeStateMachine``.
public struct RevokeRunner: Sendable {
    public let environment: EnvironmentConfig
    public let certificate: TrackedCertificateConfig
    public let authority: String
    let client: AWSClient

    public init(environment: EnvironmentConfig, certificateName: String, client: AWSClient) throws(ActionError) {
        guard let certificates = environment.certificates, let tracked = certificates.tracked.first(where: { $0.name == certificateName }) else {
            let known = environment.certificates?.tracked.map(\.name).joined(separator: ", ") ?? "none"
            throw ActionError(.usage, "environment `\(environment.name)` tracks no certificate `\(certificateName)`; known: \(known)")
        }
        guard let pca = certificates.pca else {
            throw ActionError(.usage, "environment `\(environment.name)` names no certificates.pca to revoke at")
        }
        self.environment = environment
        self.certificate = tracked
        self.authority = pca.description
        self.client = client
    }

    public func steps(serial: String) -> [ActionPlan.Step] {
        [
            .init(name: RevokeStateMachine.Step.readCurrent.rawValue,
                  detail: "read the certificate in service from \(certificate.certSSM); refuse if it is \(serial)", writes: false),
            .init(name: RevokeStateMachine.Step.revoke.rawValue,
                  detail: "RevokeCertificate \(serial) at \(authority), reason SUPERSEDED", writes: true),
        ]
    }

    public var lock: String { LockRecord.parameterName(environment: environment.name, kind: "cert", name: certificate.name) }

    /// The serial of the leaf in `cert_ssm` now.
    public func currentSerial() async throws -> String {
        let parameter = try await client.ssm.getParameter(name: certificate.certSSM, withDecryption: true)
        guard let pem = parameter.value?.reveal(), let leaf = try certificates(fromPEM: pem).first else {
            throw ActionError(.unavailable, "\(certificate.certSSM) holds no certificate")
        }
        return CertificateSummary(leaf).serial
    }

    public func run(serial: String, session: ActionSession) async throws(ActionError) {
        var machine = RevokeStateMachine(serial: serial)
        var interrupted: Interruption.Signal?
        var action = machine.start()
        while true {
            // A step boundary: a SIGINT or SIGTERM stops the run before its next call.
            if interrupted == nil, let signal = Interruption.pending, action == .readCurrent || action.isRevoke {
                interrupted = signal
                action = machine.interrupted(by: signal.description)
            }
            switch action {
            case .readCurrent:
                do {
                    action = machine.currentRead(serial: try await currentSerial())
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .revoke(let serial):
                try session.record(step: RevokeStateMachine.Step.revoke.rawValue, outcome: "started", versions: ["serial": serial])
                do {
                    // Upper-case hex pairs: moto matches serials that way; AWS takes hex with colons.
                    try await client.acmPCA.revokeCertificate(authorityArn: authority, serial: serial.uppercased())
                    action = machine.revoked()
                } catch {
                    action = machine.stepFailed("\(error)")
                }
            case .completed(let step, let note, let next):
                session.say("  ok  \(step.rawValue): \(note)")
                try session.record(step: step.rawValue, outcome: "ok", versions: ["serial": machine.serial], detail: note)
                switch next {
                case .revoke(let serial): action = .revoke(serial: serial)
                case .finished: return
                }
            case .failed(let step, let reason, let refused):
                try? session.record(step: step.rawValue, outcome: interrupted != nil ? "interrupted" : refused ? "refused" : "failed",
                                    versions: ["serial": machine.serial], detail: reason)
                let rerun = interrupted == nil ? "" : "\n  a re-run revokes it: lookout cert revoke --env \(environment.name) --cert \(certificate.name) --serial \(machine.serial)"
                throw ActionError(interrupted.map { .interrupted($0) } ?? (refused ? .refused : .halfway),
                                  "stopped at step \(step.rawValue) of \(certificate.name): \(reason)" + rerun)
            }
        }
    }
}

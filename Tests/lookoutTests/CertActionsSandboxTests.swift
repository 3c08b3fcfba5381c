import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// `lookout cert revoke` against the sandbox's Private CA (moto's ACM PCA): a throwaway leaf is
    /// issued with boto3, revoked by lookout, and moto then refuses to hand it out; the certificate
    /// in service is refused. On acc: the revoked leaf is a throwaway, nothing serves it.
    @Suite(.serialized)
    struct CertActionsSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()

        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            try LookoutBinary.run(arguments, environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        }

        func script(_ arguments: [String]) throws -> String {
            try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "acc"] + arguments)
        }

        func pca() throws -> String {
            let config = try String(contentsOf: Sandbox.folder!.appendingPathComponent("lookout-tests.yaml"), encoding: .utf8)
            let line = try #require(config.split(separator: "\n").first { $0.contains("pca: arn:aws:acm-pca:eu-west-1:333333333333:") })
            return String(line.split(separator: " ").last!)
        }

        @Test func revokesASupersededCertificateAndRefusesTheOneInService() throws {
            defer { _ = try? script(["clear-locks"]) }
            let authority = try pca()
            let leaf = try parseJSON(try script(["issue-leaf", authority]))
            let arn = try #require(leaf["arn"] as? String)
            let serial = try #require(leaf["serial"] as? String)
            #expect(try script(["get-cert", authority, arn]) == "issued\n")

            let dry = try lookout(["cert", "revoke", "--env", "acc", "--cert", "broker", "--serial", serial.uppercased(), "--dry-run"])
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.contains("revoke: RevokeCertificate \(serial) at \(authority), reason SUPERSEDED"))
            #expect(try script(["get-cert", authority, arn]) == "issued\n")

            let revoked = try lookout(["cert", "revoke", "--env", "acc", "--cert", "broker", "--serial", serial, "--yes"])
            #expect(revoked.status == 0, "stdout: \(revoked.stdout) stderr: \(revoked.stderr)")
            #expect(revoked.stdout.contains("ok  revoke: \(serial) revoked (SUPERSEDED)"))
            #expect(try script(["get-cert", authority, arn]) == "RequestInProgressException\n")

            let state = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "acc"]))
            let certVersion = ((state["parameters"] as? JSONObject)?["broker-cert"] as? JSONObject)?["version"] as? Int
            let current = try lookout(["snapshot", "--format", "json", "--env", "acc"])
            let environments = try parseJSON(current.stdout)["environments"] as? [JSONObject] ?? []
            let tracked = (environments.first?["certificates"] as? [JSONObject] ?? []).first { $0["source"] as? String == "tracked" }
            let inService = try #require(tracked?["serial"] as? String)
            let refused = try lookout(["cert", "revoke", "--env", "acc", "--cert", "broker", "--serial", inService, "--yes"])
            #expect(refused.status == 77)
            #expect(refused.stderr.contains("\(inService) is the certificate in service (/kafka/acc/tls/broker-cert); reissue first"))
            #expect(certVersion != nil)
            let audit = try lookout(["audit", "--env", "acc"])
            #expect(audit.stdout.contains("cert revoke broker \(serial) revoke ok [serial=\(serial)]"))
        }
    }
}

import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// `lookout secret rotate` and `restore` against the sandbox: moto's SSM (versions, labels) and
    /// the ECS agent rolling the services that read the secret. dev's Kafka is PLAINTEXT, so the
    /// broker gate runs there; test, acc and prod are refused until lookout speaks TLS and SASL.
    /// No secret value may appear in any output: every captured output is searched for it.
    @Suite(.serialized)
    struct SecretActionsSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        let parameter = "/kafka/dev/client-password"

        var environment: [String: String] { Sandbox.lookoutEnvironment(stateHome: stateHome) }

        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            try LookoutBinary.run(arguments, environment: environment)
        }

        func script(_ env: String, _ arguments: [String]) throws -> String {
            try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, env] + arguments)
        }

        func history(_ env: String, _ key: String) throws -> [(version: Int, labels: [String])] {
            let state = try parseJSON(try script(env, []))
            let entries = ((state["parameters"] as? JSONObject)?[key] as? JSONObject)?["history"] as? [JSONObject] ?? []
            return entries.map { ($0["version"] as! Int, $0["labels"] as! [String]) }
        }

        /// Whether `secret`, or any 40-character slice of it, is in one of `outputs`.
        func leaked(_ secret: String, in outputs: [String]) -> Bool {
            let characters = Array(secret)
            var needles = [secret]
            if characters.count > 40 {
                needles += (0...(characters.count - 40)).map { String(characters[$0..<($0 + 40)]) }
            }
            return outputs.contains { output in needles.contains { output.contains($0) } }
        }

        func auditText() -> String {
            (try? String(contentsOfFile: stateHome + "/lookout/audit.jsonl", encoding: .utf8)) ?? ""
        }

        @Test func rotateThenRestoreTheClientPassword() throws {
            let before = try history("dev", "client-password")
            let oldVersion = try #require(before.map(\.version).max())
            // After a failure too: the value found is the latest again (services pick it up on their next roll).
            defer {
                try? Sandbox.scenario("reset", "dev")
                _ = try? script("dev", ["clear-locks"])
                _ = try? script("dev", ["put-back", parameter, String(oldVersion)])
            }
            let oldValue = try script("dev", ["value", parameter])

            let dry = try lookout(["secret", "rotate", "--env", "dev", "--secret", "client-password", "--dry-run"])
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.contains("write-version: PutParameter \(parameter) with Overwrite: a new version (expected \(oldVersion + 1))"))
            #expect(try history("dev", "client-password").map(\.version) == before.map(\.version))

            let rotated = try lookout(["secret", "rotate", "--env", "dev", "--secret", "client-password", "--yes"])
            #expect(rotated.status == 0, "stdout: \(rotated.stdout) stderr: \(rotated.stderr)")
            let afterRotate = try history("dev", "client-password")
            let newVersion = oldVersion + 1
            #expect(afterRotate.map(\.version).max() == newVersion)
            #expect(afterRotate.first { $0.version == oldVersion }?.labels.contains("previous") == true)
            #expect(afterRotate.first { $0.version == newVersion }?.labels.contains("current") == true)
            let newValue = try script("dev", ["value", parameter])
            let changed = newValue != oldValue && newValue.count == 32 && newValue.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            #expect(changed, "the new value is not a fresh 32-character alphanumeric")
            for service in ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"] {
                #expect(rotated.stdout.contains("ok  follow-deployment \(service)"))
            }
            #expect(rotated.stdout.contains("ok  verify: version \(newVersion) is the latest; kafka-broker-1, kafka-broker-2, kafka-broker-3 run deployments created after it was written"))

            let restored = try lookout(["secret", "restore", "--env", "dev", "--secret", "client-password", "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let afterRestore = try history("dev", "client-password")
            #expect(afterRestore.map(\.version).max() == newVersion + 1)
            #expect(afterRestore.first { $0.version == newVersion }?.labels.contains("previous") == true)
            #expect(afterRestore.first { $0.version == newVersion + 1 }?.labels.contains("current") == true)
            let back = try script("dev", ["value", parameter])
            let same = back == oldValue
            #expect(same, "restore did not put the earlier value back")

            let audit = try lookout(["audit", "--env", "dev"])
            #expect(audit.stdout.contains("secret rotate client-password write-version ok [before=\(oldVersion) written=\(newVersion)]"))
            #expect(audit.stdout.contains("secret restore client-password label-current ok [current=\(newVersion + 1)]"))
            let outputs = [dry.stdout, dry.stderr, rotated.stdout, rotated.stderr, restored.stdout, restored.stderr, audit.stdout, audit.stderr, auditText()]
            let oldValueLeaked = leaked(oldValue, in: outputs)
            #expect(!oldValueLeaked, "the old value appears in an output")
            let newValueLeaked = leaked(newValue, in: outputs)
            #expect(!newValueLeaked, "the new value appears in an output")
        }

        @Test func aRotationWhoseRollFailsNamesTheVersionsAndARerunCompletes() throws {
            let oldVersion = try #require(try history("dev", "client-password").map(\.version).max())
            defer {
                try? Sandbox.scenario("reset", "dev")
                _ = try? script("dev", ["clear-locks"])
                _ = try? script("dev", ["put-back", parameter, String(oldVersion)])
            }
            let oldValue = try script("dev", ["value", parameter])
            // One broker down: the agent holds its task at 0, so the roll of it cannot complete.
            try Sandbox.scenario("broker-down", "dev", "kafka-broker-1")
            let failed = try lookout(["secret", "rotate", "--env", "dev", "--secret", "client-password", "--yes", "--timeout", "6s"])
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("stopped at step roll of \(parameter): stopped at step follow-deployment of kafka-broker-1"))
            #expect(failed.stderr.contains("version \(oldVersion + 1) (written by this run) is the latest"))
            #expect(failed.stderr.contains("to go back: lookout secret restore --env dev --secret client-password --version \(oldVersion)"))
            try Sandbox.scenario("reset", "dev")
            let rerun = try lookout(["secret", "rotate", "--env", "dev", "--secret", "client-password", "--yes"])
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            let after = try history("dev", "client-password")
            #expect(after.map(\.version).max() == oldVersion + 2)
            #expect(after.first { $0.version == oldVersion + 1 }?.labels.contains("previous") == true)
            let newValue = try script("dev", ["value", parameter])
            // The sandbox as found: the original value back, by its version number.
            let restored = try lookout(["secret", "restore", "--env", "dev", "--secret", "client-password", "--version", String(oldVersion), "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try script("dev", ["value", parameter])
            // Compared outside #expect, which would print both values if they differed.
            let original = back == oldValue
            #expect(original, "restore --version \(oldVersion) did not put the original value back")
            let outputs = [failed.stdout, failed.stderr, rerun.stdout, rerun.stderr, restored.stdout, restored.stderr, auditText()]
            let oldValueLeaked = leaked(oldValue, in: outputs)
            #expect(!oldValueLeaked, "the old value appears in an output")
            let newValueLeaked = leaked(newValue, in: outputs)
            #expect(!newValueLeaked, "the new value appears in an output")
        }

        /// acc (TLS) is refused before anything is written; prod is only dry-run here (other work
        /// logs in to prod's Kafka with its passwords), to show the plan says lookout's own login
        /// with that secret is not verified.
        @Test func accIsRefusedUntilLookoutSpeaksTLSAndProdsPlanSaysSo() throws {
            defer { _ = try? script("acc", ["clear-locks"]) }
            let before = try history("acc", "admin-password").map(\.version)
            let result = try lookout(["secret", "rotate", "--env", "acc", "--secret", "admin-password", "--yes"])
            #expect(result.status == 69)
            #expect(result.stderr.contains("lookout cannot read `acc`'s Kafka yet (TLS is not built)"))
            #expect(try history("acc", "admin-password").map(\.version) == before)
            let prodBefore = try history("prod", "admin-password").map(\.version)
            let dry = try lookout(["secret", "rotate", "--env", "prod", "--secret", "admin-password", "--dry-run"])
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("lookout itself logs in to Kafka with this secret, but its Kafka client cannot log in with SASL yet"))
            #expect(dry.stdout.contains("A real run would be refused: lookout cannot read `prod`'s Kafka yet (TLS + SASL SCRAM-SHA-512 is not built)"))
            #expect(try history("prod", "admin-password").map(\.version) == prodBefore)
        }
    }
}

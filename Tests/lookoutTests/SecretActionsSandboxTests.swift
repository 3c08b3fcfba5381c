import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// `lookout secret rotate` and `restore` against the sandbox: moto's SSM (versions, labels) and
    /// the ECS agent rolling the services that read the secret, the broker gate reading Kafka as
    /// each environment is secured (dev PLAINTEXT, test SASL PLAIN; prod dry-run here, rotated in
    /// SecretEndToEndSandboxTests).
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
            let needles = Needles(secret: secret)
            return outputs.contains { needles.found(in: $0) }
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
            // The roll stopped at the first service, so the services ran oldVersion: that is `previous`.
            #expect(after.first { $0.version == oldVersion }?.labels.contains("previous") == true)
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

        /// confluent-kafka's login to `env`'s Kafka as `user` with the value of `parameter`
        /// (`NAME` or `NAME:VERSION`): whether Metadata answered, and librdkafka's error if not.
        func login(_ env: String, _ user: String, _ parameter: String) throws -> (ok: Bool, error: String) {
            let answer = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("kafka_login.py").path,
                                                          [Sandbox.folder!.path, env, user, parameter]))
            return (answer["ok"] as? Bool == true, answer["error"] as? String ?? "")
        }

        /// The services' tasks must serve what SSM holds: after a failure the original value is put
        /// back and a broker service rolled, both with boto3 (secret_put_back.py), so the SASL gate
        /// requires the original again. Not through `lookout service roll`: its Kafka gate logs in
        /// with the value in SSM, which the front refuses until it has been rolled when the secret
        /// is lookout's own admin password.
        func putBackAndRoll(_ env: String, _ parameter: String, _ version: Int) {
            _ = try? script(env, ["clear-locks"])
            _ = try? Sandbox.python(Sandbox.support.appendingPathComponent("secret_put_back.py").path,
                                    [Sandbox.folder!.path, env, parameter, String(version)])
            _ = try? script(env, ["clear-locks"])
        }

        func snapshotKafka(_ env: String) throws -> (status: String?, clusterID: String?) {
            let result = try lookout(["snapshot", "--format", "json", "--env", env])
            let snapshot = try parseJSON(result.stdout)
            let environment = (snapshot["environments"] as? [JSONObject])?.first { $0["name"] as? String == env }
            let source = (environment?["sources"] as? [JSONObject])?.first { $0["name"] as? String == "kafka" }
            return (source?["status"] as? String, (environment?["kafka"] as? JSONObject)?["cluster_id"] as? String)
        }

        /// test's Kafka is behind a SASL PLAIN gate whose passwords the agent reads from SSM when it
        /// rolls a service: the client password rotated through the gate, confluent-kafka logs in as
        /// `client` with the new value and is refused with the old one; restored, the old one works.
        @Test func rotatesTestsClientPasswordThroughTheSASLGate() throws {
            let parameter = "/kafka/test/client-password"
            let oldVersion = try #require(try history("test", "client-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? script("test", ["clear-locks"])
            }
            let oldValue = try script("test", ["value", parameter])
            #expect(try login("test", "client", parameter).ok, "the client password does not log in before the rotation")

            let rotated = try lookout(["secret", "rotate", "--env", "test", "--secret", "client-password", "--yes"])
            #expect(rotated.status == 0, "stdout: \(rotated.stdout) stderr: \(rotated.stderr)")
            let newVersion = oldVersion + 1
            for service in ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"] {
                #expect(rotated.stdout.contains("ok  kafka-before \(service): "), "\(service): the SASL gate's Metadata before")
                #expect(rotated.stdout.contains("ok  kafka-after \(service): "), "\(service): the SASL gate's Metadata after")
            }
            #expect(rotated.stdout.contains("ok  verify: version \(newVersion) is the latest; kafka-broker-1, kafka-broker-2, kafka-broker-3 run deployments created after it was written"))
            #expect(!rotated.stdout.contains("lookout itself logs in"), "lookout logs in as admin, not with the client password")
            let newValue = try script("test", ["value", parameter])
            let fresh = newValue != oldValue && newValue.count == 32
            #expect(fresh, "the new value is not a fresh 32-character value")
            let withNew = try login("test", "client", parameter)
            #expect(withNew.ok, "the new client password does not log in: \(withNew.error)")
            let withOld = try login("test", "client", "\(parameter):\(oldVersion)")
            #expect(!withOld.ok, "the old client password still logs in after the roll")

            let restored = try lookout(["secret", "restore", "--env", "test", "--secret", "client-password", "--version", String(oldVersion), "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try script("test", ["value", parameter]) == oldValue
            #expect(back, "restore --version \(oldVersion) did not put the original value back")
            #expect(try login("test", "client", parameter).ok, "the original client password does not log in after the restore")
            #expect(!(try login("test", "client", "\(parameter):\(newVersion)").ok), "the rotated password still logs in after the restore")
            clean = back
            let outputs = [rotated.stdout, rotated.stderr, restored.stdout, restored.stderr, auditText(), withNew.error, withOld.error]
            let oldValueLeaked = leaked(oldValue, in: outputs)
            #expect(!oldValueLeaked, "the old value appears in an output")
            let newValueLeaked = leaked(newValue, in: outputs)
            #expect(!newValueLeaked, "the new value appears in an output")
        }

        /// The admin password lookout itself logs in to test's Kafka with: rotated, the verify step
        /// makes a fresh login with it, the gate's own connection recovers through each roll (the
        /// front restarts three times), confluent-kafka is refused with the old one, and lookout's
        /// next snapshot reads Kafka with the new one; restored, all of it again with the original.
        @Test func rotatesLookoutsOwnAdminPasswordOnTest() throws {
            let parameter = "/kafka/test/admin-password"
            let oldVersion = try #require(try history("test", "admin-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? script("test", ["clear-locks"])
            }
            let oldValue = try script("test", ["value", parameter])
            let dry = try lookout(["secret", "rotate", "--env", "test", "--secret", "admin-password", "--dry-run"])
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.contains("now: lookout itself logs in to Kafka with this secret (kafka.sasl.password_ssm, user admin)"))
            #expect(dry.stdout.contains("a fresh Kafka login as admin with the new value answers Metadata"))
            #expect(try history("test", "admin-password").map(\.version).max() == oldVersion)

            let rotated = try lookout(["secret", "rotate", "--env", "test", "--secret", "admin-password", "--yes"])
            #expect(rotated.status == 0, "stdout: \(rotated.stdout) stderr: \(rotated.stderr)")
            let newVersion = oldVersion + 1
            for service in ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"] {
                #expect(rotated.stdout.contains("ok  kafka-after \(service): "), "\(service): the gate's connection did not recover")
            }
            #expect(rotated.stdout.contains("; a fresh Kafka login as admin with version \(newVersion) answers Metadata ("))
            let newValue = try script("test", ["value", parameter])
            let withNew = try login("test", "admin", parameter)
            #expect(withNew.ok, "the new admin password does not log in: \(withNew.error)")
            let withOld = try login("test", "admin", "\(parameter):\(oldVersion)")
            #expect(!withOld.ok, "the old admin password still logs in after the roll")
            let snapshotNew = try snapshotKafka("test")
            #expect(snapshotNew.status == "ok" && snapshotNew.clusterID == "kafka-test", "lookout's snapshot does not read Kafka with the new password: \(snapshotNew)")

            let restored = try lookout(["secret", "restore", "--env", "test", "--secret", "admin-password", "--version", String(oldVersion), "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            #expect(restored.stdout.contains("; a fresh Kafka login as admin with version \(newVersion + 1) answers Metadata ("))
            let back = try script("test", ["value", parameter]) == oldValue
            #expect(back, "restore --version \(oldVersion) did not put the original value back")
            #expect(try login("test", "admin", parameter).ok, "the original admin password does not log in after the restore")
            let snapshotBack = try snapshotKafka("test")
            #expect(snapshotBack.status == "ok" && snapshotBack.clusterID == "kafka-test", "\(snapshotBack)")
            clean = back
            let audit = try lookout(["audit", "--env", "test"])
            #expect(audit.stdout.contains("secret rotate admin-password verify ok"))
            let outputs = [dry.stdout, dry.stderr, rotated.stdout, rotated.stderr, restored.stdout, restored.stderr, audit.stdout, auditText(),
                           withNew.error, withOld.error]
            let oldValueLeaked = leaked(oldValue, in: outputs)
            #expect(!oldValueLeaked, "the old value appears in an output")
            let newValueLeaked = leaked(newValue, in: outputs)
            #expect(!newValueLeaked, "the new value appears in an output")
        }

        /// prod (TLS + SCRAM-SHA-512), dry-run: the plan reads Kafka through the gate and names
        /// lookout's own login. The real rotation and restore of prod's admin password is in
        /// SecretEndToEndSandboxTests.
        @Test func prodsAdminPasswordPlanIsDryRunOnly() throws {
            defer { _ = try? script("prod", ["clear-locks"]) }
            let prodBefore = try history("prod", "admin-password").map(\.version)
            let dry = try lookout(["secret", "rotate", "--env", "prod", "--secret", "admin-password", "--dry-run"])
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.contains("now: lookout itself logs in to Kafka with this secret (kafka.sasl.password_ssm, user admin)"))
            #expect(dry.stdout.contains("now: Kafka controller: broker "))
            #expect(!dry.stdout.contains("A real run would be refused"))
            #expect(try history("prod", "admin-password").map(\.version) == prodBefore)
        }
    }
}

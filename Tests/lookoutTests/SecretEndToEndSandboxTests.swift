import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// Issue 12's end-to-end proofs of a secret action that the other secret suites leave out:
    /// a secret action stopped half-way by AWS (black-holed right after the write, a write refused,
    /// a label refused) on test, whose brokers sit behind a SASL PLAIN gate, and a real rotation
    /// and restore of prod's admin password (TLS + SCRAM-SHA-512, protected), the password lookout
    /// itself logs in with. confluent-kafka proves which password the brokers accept; every
    /// captured output and the audit log are searched for every value (none may appear), and no
    /// value is ever put in an assertion message.
    @Suite(.serialized)
    struct SecretEndToEndSandboxTests {
        /// The helpers of the secret suite (lookout with its own state home, boto3 reads,
        /// confluent-kafka logins, the leak search).
        let secrets = SecretActionsSandboxTests()
        /// The recording relay (`recordingAWS`), with a state home of its own.
        let actions = ActionsSandboxTests()

        func auditText() -> String {
            secrets.auditText() + ((try? String(contentsOfFile: actions.auditPath, encoding: .utf8)) ?? "")
        }

        func labels(_ env: String, _ key: String, _ version: Int) throws -> [String]? {
            try secrets.history(env, key).first { $0.version == version }?.labels
        }

        /// Puts `version`'s value back as the latest (when it is not) and rolls one broker service
        /// with boto3, so the broker front serves it again: a cleanup that needs neither lookout nor
        /// a Kafka login that may be the thing that broke.
        func putBackAndRoll(_ env: String, _ parameter: String, _ version: Int) {
            _ = try? secrets.script(env, ["clear-locks"])
            _ = try? Sandbox.python(Sandbox.support.appendingPathComponent("secret_put_back.py").path,
                                    [Sandbox.folder!.path, env, parameter, String(version)])
            _ = try? secrets.script(env, ["clear-locks"])
        }

        // MARK: half-way failures on test (client-password, SASL PLAIN)

        /// A run that changed nothing: test's client-password has the versions and labels it had
        /// before, no lock is left, and AWS was asked for no label and no roll.
        func expectNothingChanged(since before: [(version: Int, labels: [String])], operations: [String]) throws {
            #expect(!operations.contains { $0.hasPrefix("LabelParameterVersion") || $0.hasPrefix("UpdateService") }, "\(operations)")
            let after = try secrets.history("test", "client-password")
            #expect(after.map(\.version) == before.map(\.version))
            #expect(after.map(\.labels) == before.map(\.labels))
            try expectNoLocks()
        }

        func expectNoLocks() throws {
            let locks = try actions.state("test")["locks"] as? JSONObject
            #expect(locks?.isEmpty == true, "locks left: \(locks?.keys.sorted() ?? [])")
        }

        static let testParameter = "/kafka/test/client-password"
        static let rotateTest = ["secret", "rotate", "--env", "test", "--secret", "client-password", "--yes"]

        /// AWS black-holed right after PutParameter wrote the new version: the labels never get an
        /// answer, lookout stops at label-previous with 75 (the secret was changed: half-way, and a
        /// re-run or the named restore resolves it), naming the step, the version written, the one
        /// the brokers still run with, and the way back. The brokers were not rolled, so the old
        /// password still logs in and the written one does not; a re-run without the fault
        /// completes, takes over the locks the stopped run could not release, and labels the
        /// version the brokers ran `previous` (not the written one, never in service), so a plain
        /// `restore` afterwards puts the original back.
        @Test func awsBlackHoledAfterTheWriteStopsHalfWayAndARerunCompletes() throws {
            let parameter = Self.testParameter
            let oldVersion = try #require(try secrets.history("test", "client-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? secrets.script("test", ["clear-locks"])
            }
            let oldValue = try secrets.script("test", ["value", parameter])
            #expect(try secrets.login("test", "client", parameter).ok, "the client password does not log in before the test")

            let started = Date()
            let (failed, operations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                 rules: ["blackhole-after=PutParameter@\(parameter):1"])
            let elapsed = Date().timeIntervalSince(started)
            let written = oldVersion + 1
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(failed.stdout.contains("  ok  write-version: version \(written) written"))
            #expect(failed.stderr.contains("stopped at step label-previous of \(parameter): "))
            #expect(failed.stderr.contains("SSM \(parameter): version \(written) (written by this run) is the latest, which services read when they start; version \(oldVersion) is still there"))
            #expect(failed.stderr.contains("the restart services were not rolled: their tasks still run with version \(oldVersion) until their next roll"))
            #expect(failed.stderr.contains("to go back: lookout secret restore --env test --secret client-password --version \(oldVersion)"))
            // What AWS saw: the write answered, the first label black-holed, no roll asked for.
            #expect(operations.contains("LabelParameterVersion blackholed"), "\(operations)")
            #expect(!operations.contains("LabelParameterVersion"), "a label reached AWS: \(operations)")
            #expect(!operations.contains { $0.hasPrefix("UpdateService") }, "\(operations)")
            #expect(elapsed < 120, "the black-holed run took \(Int(elapsed)) s")
            // SSM: the written version is the latest and carries no label; the old one is still there.
            let history = try secrets.history("test", "client-password")
            #expect(history.map(\.version).max() == written)
            #expect(history.first { $0.version == written }?.labels == [])
            #expect(history.contains { $0.version == oldVersion })
            let halfValue = try secrets.script("test", ["value", parameter])
            // The brokers read secrets only when rolled: the old password still logs in, the written one does not.
            let withOld = try secrets.login("test", "client", "\(parameter):\(oldVersion)")
            #expect(withOld.ok, "the old client password no longer logs in after the half-way stop: \(withOld.error)")
            let withWritten = try secrets.login("test", "client", parameter)
            #expect(!withWritten.ok, "the written (never rolled) password logs in")
            let auditFailed = auditText().split(separator: "\n").contains {
                $0.contains("\"step\":\"label-previous\"") && $0.contains("\"outcome\":\"failed\"")
            }
            #expect(auditFailed, "no audit line for the failed label-previous")

            // A re-run without the fault: a new version, labelled, the brokers rolled; `previous` is
            // the version the brokers ran before, not the one the stopped run wrote.
            let rerun = try secrets.lookout(Self.rotateTest)
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(rerun.stdout.contains("ok  read-current: version \(written) is the latest; the restart services still run version \(oldVersion) (\(written) was written after their deployments started)"))
            let newVersion = written + 1
            #expect(try labels("test", "client-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("test", "client-password", written) == [])
            #expect(try labels("test", "client-password", newVersion)?.contains("current") == true)
            #expect(rerun.stdout.contains("ok  verify: version \(newVersion) is the latest; kafka-broker-1, kafka-broker-2, kafka-broker-3 run deployments created after it was written"))
            let newValue = try secrets.script("test", ["value", parameter])
            let withNew = try secrets.login("test", "client", parameter)
            #expect(withNew.ok, "the re-run's password does not log in: \(withNew.error)")
            #expect(!(try secrets.login("test", "client", "\(parameter):\(oldVersion)").ok), "the old password still logs in after the re-run's roll")

            // The sandbox as found: the original value back through a plain restore (`previous`).
            let restored = try secrets.lookout(["secret", "restore", "--env", "test", "--secret", "client-password", "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try secrets.script("test", ["value", parameter]) == oldValue
            #expect(back, "restore (previous) did not put the original value back")
            #expect(try secrets.login("test", "client", parameter).ok, "the original client password does not log in after the restore")
            clean = back

            let outputs = [failed.stdout, failed.stderr, rerun.stdout, rerun.stderr, restored.stdout, restored.stderr, auditText(),
                           withOld.error, withWritten.error, withNew.error, operations.joined(separator: "\n")]
            for (index, value) in [oldValue, halfValue, newValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, half-way, new) appears in an output")
            }
        }

        /// The write refused by AWS (AccessDeniedException): nothing was changed, and lookout says
        /// so with 77 (refused; sysexits' EX_NOPERM) rather than 75, which would send the operator
        /// to look for a half-done change. The versions, labels and brokers are as they were, the
        /// locks released; a re-run completes.
        /// AWS refuses the history read the run starts with (the plan's read passed): the run stops
        /// before its write, exit 69, nothing changed, no lock left.
        @Test func aFailedReadBeforeTheWriteIsUnavailableAndChangesNothing() throws {
            let parameter = Self.testParameter
            let before = try secrets.history("test", "client-password")
            defer {
                try? Sandbox.scenario("reset", "test")
                _ = try? secrets.script("test", ["clear-locks"])
            }
            let (failed, operations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                 rules: ["deny=GetParameterHistory@\(parameter):2"])
            #expect(failed.status == 69, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("stopped at step read-current of \(parameter): "), "stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("not changed"), "stderr: \(failed.stderr)")
            #expect(operations.contains("GetParameterHistory denied"), "\(operations)")
            try expectNothingChanged(since: before, operations: operations)
        }

        @Test func aRefusedWriteChangesNothingAndARerunCompletes() throws {
            let parameter = Self.testParameter
            let before = try secrets.history("test", "client-password")
            let oldVersion = try #require(before.map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? secrets.script("test", ["clear-locks"])
            }
            let oldValue = try secrets.script("test", ["value", parameter])

            let (refused, operations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                  rules: ["deny=PutParameter@\(parameter):1"])
            #expect(refused.status == 77, "stdout: \(refused.stdout) stderr: \(refused.stderr)")
            #expect(refused.stderr.contains("stopped at step write-version of \(parameter): "))
            #expect(refused.stderr.contains("AccessDeniedException"))
            #expect(refused.stderr.contains("SSM \(parameter): not changed; version \(oldVersion) is still the latest"))
            #expect(!refused.stderr.contains("may or may not"))
            #expect(operations.contains("PutParameter denied"), "\(operations)")
            // Versions and labels as they were, no lock left, the old password still the one that logs in.
            try expectNothingChanged(since: before, operations: operations)
            let withOld = try secrets.login("test", "client", parameter)
            #expect(withOld.ok, "the client password no longer logs in after the refused write: \(withOld.error)")

            let rerun = try secrets.lookout(Self.rotateTest)
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(try labels("test", "client-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("test", "client-password", oldVersion + 1)?.contains("current") == true)
            let newValue = try secrets.script("test", ["value", parameter])
            #expect(try secrets.login("test", "client", parameter).ok, "the re-run's password does not log in")

            let restored = try secrets.lookout(["secret", "restore", "--env", "test", "--secret", "client-password", "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try secrets.script("test", ["value", parameter]) == oldValue
            #expect(back, "restore (previous) did not put the original value back")
            #expect(try secrets.login("test", "client", parameter).ok, "the original client password does not log in after the restore")
            clean = back

            let outputs = [refused.stdout, refused.stderr, rerun.stdout, rerun.stderr, restored.stdout, restored.stderr, auditText(), withOld.error]
            for (index, value) in [oldValue, newValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, new) appears in an output")
            }
        }

        /// The first label refused after the write: half-way (75), the message names the step,
        /// the version written, the one the brokers still run with and the restore that puts it
        /// back; the old password still logs in. That restore, run as printed, completes.
        @Test func aRefusedLabelAfterTheWriteIsHalfWayAndTheNamedRestoreCompletes() throws {
            let parameter = Self.testParameter
            let oldVersion = try #require(try secrets.history("test", "client-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? secrets.script("test", ["clear-locks"])
            }
            let oldValue = try secrets.script("test", ["value", parameter])

            let (failed, operations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                 rules: ["deny=LabelParameterVersion@\(parameter):1"])
            let written = oldVersion + 1
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("stopped at step label-previous of \(parameter): "))
            #expect(failed.stderr.contains("AccessDeniedException"))
            #expect(failed.stderr.contains("version \(written) (written by this run) is the latest"))
            #expect(failed.stderr.contains("their tasks still run with version \(oldVersion) until their next roll"))
            let restore = "lookout secret restore --env test --secret client-password --version \(oldVersion)"
            #expect(failed.stderr.contains("to go back: \(restore)"))
            #expect(operations.contains("LabelParameterVersion denied"), "\(operations)")
            #expect(!operations.contains { $0.hasPrefix("UpdateService") }, "\(operations)")
            let halfValue = try secrets.script("test", ["value", parameter])
            let withOld = try secrets.login("test", "client", "\(parameter):\(oldVersion)")
            #expect(withOld.ok, "the old client password no longer logs in after the half-way stop: \(withOld.error)")
            #expect(!(try secrets.login("test", "client", parameter).ok), "the written (never rolled) password logs in")
            try expectNoLocks()

            // The way back the message names, word for word.
            let restored = try secrets.lookout(Array(restore.split(separator: " ").dropFirst().map(String.init)) + ["--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            // `previous` is what the brokers ran before the restore (the original), not the unrolled write.
            #expect(try labels("test", "client-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("test", "client-password", written) == [])
            #expect(try labels("test", "client-password", written + 1)?.contains("current") == true)
            let back = try secrets.script("test", ["value", parameter]) == oldValue
            #expect(back, "the named restore did not put the original value back")
            #expect(try secrets.login("test", "client", parameter).ok, "the original client password does not log in after the restore")
            clean = back

            let outputs = [failed.stdout, failed.stderr, restored.stdout, restored.stderr, auditText(), withOld.error]
            for (index, value) in [oldValue, halfValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, half-way) appears in an output")
            }
        }

        /// The write itself gets no answer. Never reaching AWS (black-holed): lookout reads the
        /// history back, finds no new version and says "not changed" (69: AWS did not do it).
        /// Reaching AWS with its answer lost: the history read back shows the new version, so
        /// lookout reports it as written (75), names the version the brokers still run and the way
        /// back; the old password still logs in. A re-run then labels that version `previous`.
        @Test func aWriteWithoutAnAnswerIsReadBack() throws {
            let parameter = Self.testParameter
            let before = try secrets.history("test", "client-password")
            let oldVersion = try #require(before.map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("test", parameter, oldVersion) }
                try? Sandbox.scenario("reset", "test")
                _ = try? secrets.script("test", ["clear-locks"])
            }
            let oldValue = try secrets.script("test", ["value", parameter])

            let (unsent, unsentOperations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                       rules: ["blackhole=PutParameter@\(parameter):1"])
            #expect(unsent.status == 69, "stdout: \(unsent.stdout) stderr: \(unsent.stderr)")
            #expect(unsent.stderr.contains("stopped at step write-version of \(parameter): "))
            #expect(unsent.stderr.contains("timed out"))
            #expect(unsent.stderr.contains("SSM \(parameter): not changed; version \(oldVersion) is still the latest"))
            #expect(unsentOperations.contains("PutParameter blackholed"), "\(unsentOperations)")
            #expect(unsentOperations.filter { $0 == "GetParameterHistory" }.count >= 3, "no history read back: \(unsentOperations)")
            #expect(try secrets.history("test", "client-password").map(\.version) == before.map(\.version))

            let (lost, lostOperations) = try actions.recordingAWS(Self.rotateTest, environment: "test",
                                                                   rules: ["lose-answer=PutParameter@\(parameter):1"])
            let written = oldVersion + 1
            #expect(lost.status == 75, "stdout: \(lost.stdout) stderr: \(lost.stderr)")
            #expect(lost.stderr.contains("stopped at step write-version of \(parameter): "))
            #expect(lost.stderr.contains("(AWS's history shows version \(written) was written nonetheless)"))
            #expect(lost.stderr.contains("version \(written) (written by this run) is the latest"))
            #expect(lost.stderr.contains("their tasks still run with version \(oldVersion) until their next roll"))
            #expect(lost.stderr.contains("to go back: lookout secret restore --env test --secret client-password --version \(oldVersion)"))
            #expect(lostOperations.contains("PutParameter answer-lost"), "\(lostOperations)")
            #expect(!lostOperations.contains { $0.hasPrefix("LabelParameterVersion") || $0.hasPrefix("UpdateService") }, "\(lostOperations)")
            #expect(try secrets.history("test", "client-password").map(\.version).max() == written)
            let halfValue = try secrets.script("test", ["value", parameter])
            let withOld = try secrets.login("test", "client", "\(parameter):\(oldVersion)")
            #expect(withOld.ok, "the old client password no longer logs in: \(withOld.error)")

            let rerun = try secrets.lookout(Self.rotateTest)
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(try labels("test", "client-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("test", "client-password", written + 1)?.contains("current") == true)
            let newValue = try secrets.script("test", ["value", parameter])
            let restored = try secrets.lookout(["secret", "restore", "--env", "test", "--secret", "client-password", "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try secrets.script("test", ["value", parameter]) == oldValue
            #expect(back, "restore (previous) did not put the original value back")
            #expect(try secrets.login("test", "client", parameter).ok, "the original client password does not log in after the restore")
            clean = back

            let outputs = [unsent.stdout, unsent.stderr, lost.stdout, lost.stderr, rerun.stdout, rerun.stderr, restored.stdout, restored.stderr,
                           auditText(), withOld.error]
            for (index, value) in [oldValue, halfValue, newValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, half-way, new) appears in an output")
            }
        }

        // MARK: prod's admin password (TLS + SCRAM-SHA-512, protected, lookout's own login)

        /// Rotated on prod with its name confirmed: every broker roll is gated through lookout's
        /// own Kafka connection, which recovers after each front restart; verify's fresh login
        /// passes; confluent-kafka logs in with the new value and is refused with the old; SSM holds
        /// both, labelled; lookout's next snapshot reads prod's Kafka with the new one. Restored
        /// (`previous`), all of it again with the original. A failure half-way puts the original
        /// back with boto3 and rolls a broker (the front reads SSM only when rolled).
        @Test func rotatesAndRestoresProdsAdminPassword() throws {
            let parameter = "/kafka/prod/admin-password"
            let oldVersion = try #require(try secrets.history("prod", "admin-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("prod", parameter, oldVersion) }
                _ = try? secrets.script("prod", ["clear-locks"])
            }
            let oldValue = try secrets.script("prod", ["value", parameter])
            #expect(try secrets.login("prod", "admin", parameter).ok, "prod's admin password does not log in before the test")

            let yesAlone = try secrets.lookout(["secret", "rotate", "--env", "prod", "--secret", "admin-password", "--yes"])
            #expect(yesAlone.status == 77, "stdout: \(yesAlone.stdout) stderr: \(yesAlone.stderr)")
            #expect(try secrets.history("prod", "admin-password").map(\.version).max() == oldVersion)

            let rotateStarted = Date()
            let rotated = try secrets.lookout(["secret", "rotate", "--env", "prod", "--secret", "admin-password", "--yes", "--confirm-env", "prod"])
            let rotateSeconds = Date().timeIntervalSince(rotateStarted)
            #expect(rotated.status == 0, "stdout: \(rotated.stdout) stderr: \(rotated.stderr)")
            let newVersion = oldVersion + 1
            for service in ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"] {
                #expect(rotated.stdout.contains("ok  kafka-before \(service): "), "\(service): the gate's Metadata before")
                #expect(rotated.stdout.contains("ok  kafka-after \(service): "), "\(service): the gate's connection did not recover")
            }
            #expect(rotated.stdout.contains("; a fresh Kafka login as admin with version \(newVersion) answers Metadata ("))
            // SSM: both versions, labelled by explicit version.
            #expect(try secrets.history("prod", "admin-password").map(\.version).max() == newVersion)
            #expect(try labels("prod", "admin-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("prod", "admin-password", newVersion)?.contains("current") == true)
            let newValue = try secrets.script("prod", ["value", parameter])
            let fresh = newValue != oldValue && newValue.count == 32 && newValue.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            #expect(fresh, "the new value is not a fresh 32-character alphanumeric")
            // The gate (SCRAM-SHA-512 over TLS): the new password logs in, the old one is refused.
            let withNew = try secrets.login("prod", "admin", parameter)
            #expect(withNew.ok, "the new admin password does not log in: \(withNew.error)")
            let withOld = try secrets.login("prod", "admin", "\(parameter):\(oldVersion)")
            #expect(!withOld.ok, "the old admin password still logs in after the roll")
            let snapshotNew = try secrets.snapshotKafka("prod")
            #expect(snapshotNew.status == "ok" && snapshotNew.clusterID == "kafka-prod", "lookout's snapshot does not read prod's Kafka with the new password: \(snapshotNew)")

            let restoreStarted = Date()
            let restored = try secrets.lookout(["secret", "restore", "--env", "prod", "--secret", "admin-password", "--yes", "--confirm-env", "prod"])
            let restoreSeconds = Date().timeIntervalSince(restoreStarted)
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            #expect(restored.stdout.contains("; a fresh Kafka login as admin with version \(newVersion + 1) answers Metadata ("))
            #expect(try labels("prod", "admin-password", newVersion)?.contains("previous") == true)
            #expect(try labels("prod", "admin-password", newVersion + 1)?.contains("current") == true)
            let back = try secrets.script("prod", ["value", parameter]) == oldValue
            #expect(back, "restore (previous) did not put the original value back")
            let withOriginal = try secrets.login("prod", "admin", parameter)
            #expect(withOriginal.ok, "the original admin password does not log in after the restore: \(withOriginal.error)")
            let withRotated = try secrets.login("prod", "admin", "\(parameter):\(newVersion)")
            #expect(!withRotated.ok, "the rotated admin password still logs in after the restore")
            let snapshotBack = try secrets.snapshotKafka("prod")
            #expect(snapshotBack.status == "ok" && snapshotBack.clusterID == "kafka-prod", "\(snapshotBack)")
            clean = back && withOriginal.ok
            #expect(rotateSeconds < 120 && restoreSeconds < 120, "rotate took \(Int(rotateSeconds)) s, restore \(Int(restoreSeconds)) s")

            let audit = try secrets.lookout(["audit", "--env", "prod"])
            #expect(audit.stdout.contains("secret rotate admin-password verify ok"))
            #expect(audit.stdout.contains("secret restore admin-password verify ok"))
            let outputs = [yesAlone.stdout, yesAlone.stderr, rotated.stdout, rotated.stderr, restored.stdout, restored.stderr,
                           audit.stdout, audit.stderr, auditText(), withNew.error, withOld.error, withOriginal.error, withRotated.error]
            for (index, value) in [oldValue, newValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, new) appears in an output")
            }
        }

        // MARK: acc's client password (TLS, no SASL: nothing logs in with it)

        /// Rotated on acc, where Kafka is TLS only: the roll is gated over TLS, and verify can only
        /// be that the services run new tasks started after the write. Proven from ECS with boto3:
        /// every service has a new PRIMARY deployment whose task runs, the tasks that ran before
        /// stopped; SSM holds both versions, labelled. Restored by `--version` to the original.
        @Test func rotatesAccsClientPasswordAndTheServicesRunNewTasks() throws {
            let parameter = "/kafka/acc/client-password"
            let oldVersion = try #require(try secrets.history("acc", "client-password").map(\.version).max())
            var clean = false
            defer {
                if !clean { putBackAndRoll("acc", parameter, oldVersion) }
                _ = try? secrets.script("acc", ["clear-locks"])
            }
            let oldValue = try secrets.script("acc", ["value", parameter])
            let before = try actions.state("acc")

            let rotated = try secrets.lookout(["secret", "rotate", "--env", "acc", "--secret", "client-password", "--yes"])
            #expect(rotated.status == 0, "stdout: \(rotated.stdout) stderr: \(rotated.stderr)")
            let newVersion = oldVersion + 1
            #expect(rotated.stdout.contains("ok  verify: version \(newVersion) is the latest; kafka-broker-1, kafka-broker-2, kafka-broker-3 run deployments created after it was written"))
            #expect(!rotated.stdout.contains("fresh Kafka login"), "lookout does not log in to acc with a password")
            let after = try actions.state("acc")
            for service in ActionsSandboxTests.brokers {
                let old = (before["services"] as? JSONObject)?[service] as? JSONObject
                let new = (after["services"] as? JSONObject)?[service] as? JSONObject
                let primary = new?["primary"] as? String
                #expect(primary != nil && primary != old?["primary"] as? String, "\(service): no new deployment")
                #expect(new?["running_started_by"] as? [String] == primary.map { [$0] }, "\(service): its running task was not started by the new deployment")
                let oldTasks = Set(old?["running_tasks"] as? [String] ?? [])
                let stillRunning = oldTasks.intersection(new?["running_tasks"] as? [String] ?? [])
                #expect(!oldTasks.isEmpty && stillRunning.isEmpty, "\(service): a task from before the write still runs")
            }
            #expect(try labels("acc", "client-password", oldVersion)?.contains("previous") == true)
            #expect(try labels("acc", "client-password", newVersion)?.contains("current") == true)
            let newValue = try secrets.script("acc", ["value", parameter])
            let fresh = newValue != oldValue && newValue.count == 32
            #expect(fresh, "the new value is not a fresh 32-character value")

            let restored = try secrets.lookout(["secret", "restore", "--env", "acc", "--secret", "client-password", "--version", String(oldVersion), "--yes"])
            #expect(restored.status == 0, "stdout: \(restored.stdout) stderr: \(restored.stderr)")
            let back = try secrets.script("acc", ["value", parameter]) == oldValue
            #expect(back, "restore --version \(oldVersion) did not put the original value back")
            clean = back

            let outputs = [rotated.stdout, rotated.stderr, restored.stdout, restored.stderr, auditText()]
            for (index, value) in [oldValue, newValue].enumerated() {
                let found = secrets.leaked(value, in: outputs)
                #expect(!found, "value number \(index + 1) (old, new) appears in an output")
            }
        }
    }
}

import Foundation
import Testing

extension ActionsOnTheSandbox {
    /// `lookout cert reissue` on acc (TLS, no SASL): moto's ACM PCA issues, moto's SSM holds the
    /// versions, the ECS agent restarts acc's TLS front on the roll. Proven with independent
    /// clients: boto3 + python `cryptography` (versions, labels, the key matches the certificate)
    /// and `openssl s_client -verify_return_error` against the Kafka address and the public
    /// endpoint. Half-way failures are made with aws_recorder.py's rules (the exact request) and by
    /// pausing acc's ECS agent. No key value may appear in any output: every output and the audit
    /// log are searched for every 40-character slice of every version of the key.
    /// Each test leaves acc with a matching key and certificate from acc's Private CA, served.
    @Suite(.serialized)
    struct CertReissueSandboxTests {
        let stateHome = Sandbox.temporaryStateHome()
        static let keyParameter = "/kafka/acc/tls/broker-key"
        static let certParameter = "/kafka/acc/tls/broker-cert"
        /// A real run takes four locks (the certificate and three services) with PutParameter
        /// before its own writes: the key is the 5th PutParameter, the certificate the 6th.
        static let keyWrite = 5
        static let certWrite = 6

        var environment: [String: String] { Sandbox.lookoutEnvironment(stateHome: stateHome) }

        func lookout(_ arguments: [String]) throws -> LookoutBinary.Result {
            try LookoutBinary.run(arguments, environment: environment)
        }

        func reissue(_ extra: [String] = ["--yes"]) -> [String] {
            ["cert", "reissue", "--env", "acc", "--cert", "broker"] + extra
        }

        struct Pair {
            let key: Int
            let cert: Int
            let serial: String
            let match: Bool
            let pkcs8: Bool
            let keySize: Int?
            let keyLabels: [Int: [String]]
            let certLabels: [Int: [String]]
        }

        /// boto3's reading of SSM's latest key and certificate.
        func pair() throws -> Pair {
            let json = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("cert_pair.py").path, [Sandbox.folder!.path, "acc"]))
            func labels(_ key: String) -> [Int: [String]] {
                Dictionary(uniqueKeysWithValues: (json[key] as? [JSONObject] ?? []).map { ($0["version"] as! Int, $0["labels"] as! [String]) })
            }
            return Pair(key: json["key_version"] as! Int, cert: json["cert_version"] as! Int, serial: json["serial"] as! String,
                        match: json["match"] as! Bool, pkcs8: json["pkcs8"] as! Bool, keySize: json["key_size"] as? Int,
                        keyLabels: labels("key_history"), certLabels: labels("cert_history"))
        }

        /// openssl's view of what `port` serves, verified against acc's trust anchors and the IP SAN.
        func served(_ port: Int) throws -> (serial: String, verified: Bool) {
            let trust = Sandbox.folder!.appendingPathComponent("pki/acc-trust.pem").path
            let script = "echo | openssl s_client -connect 127.0.0.1:\(port) -CAfile \(trust) -verify_return_error -verify_ip 127.0.0.1 2>&1"
            let result = try Sandbox.run("/bin/sh", ["-c", script])
            let verified = result.status == 0 && result.stdout.contains("Verify return code: 0 (ok)")
            let text = try Sandbox.run("/bin/sh", ["-c", script + " | openssl x509 -noout -serial"]).stdout
            let hex = (text.firstMatch(of: /serial=([0-9A-F]+)/)?.1).map { String($0).lowercased() } ?? ""
            let padded = hex.count % 2 == 1 ? "0" + hex : hex
            let serial = stride(from: 0, to: padded.count, by: 2).map { index in
                let start = padded.index(padded.startIndex, offsetBy: index)
                return String(padded[start..<padded.index(start, offsetBy: 2)])
            }.joined(separator: ":")
            return (serial, verified)
        }

        /// Both TLS addresses of acc (the Kafka address and the public endpoint) serve `serial`, verified.
        func expectServed(_ serial: String, _ what: String) throws {
            for port in [45220, 45230] {
                let seen = try served(port)
                #expect(seen.serial == serial, "127.0.0.1:\(port) serves \(seen.serial), not \(serial) (\(what))")
                #expect(seen.verified, "openssl does not verify what 127.0.0.1:\(port) serves (\(what))")
            }
        }

        /// Needles for every version of acc's broker key (values and 40-character slices): never printed.
        func keyNeedles() throws -> [String] {
            let text = try Sandbox.python(Sandbox.support.appendingPathComponent("secure_values.py").path,
                                          [Sandbox.folder!.path, "acc", Self.keyParameter])
            guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let needles = json["needles"] as? [String] else {
                throw SandboxError("secure_values.py printed no needles (its output is not shown: it holds key material)")
            }
            return needles
        }

        /// Fails (naming only where) when any key version, or a 40-character slice of one, is in an output.
        func expectNoKeyIn(_ outputs: [(String, String)]) throws {
            let needles = try keyNeedles()
            #expect(needles.count > 1000, "too few needles: the search would prove nothing")
            let search = Needles(needles)
            for (what, text) in outputs where search.found(in: text) {
                Issue.record("key material appears in \(what)")
            }
        }

        func auditText(_ home: String) -> String {
            (try? String(contentsOfFile: home + "/lookout/audit.jsonl", encoding: .utf8)) ?? ""
        }

        func outputs(_ name: String, _ result: LookoutBinary.Result) -> [(String, String)] {
            [("\(name) stdout", result.stdout), ("\(name) stderr", result.stderr)]
        }

        func cleanUp() {
            try? Sandbox.scenario("reset", "acc")
            _ = try? Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "acc", "clear-locks"])
        }

        /// Waits (up to 60 s) until acc's agent runs every service under its PRIMARY deployment and
        /// the front answers TLS: after a pause or a reset it catches up, restarting the front.
        func waitForAgent() throws {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let state = try parseJSON(try Sandbox.python(Sandbox.support.appendingPathComponent("actions_state.py").path, [Sandbox.folder!.path, "acc"]))
                let services = state["services"] as? JSONObject ?? [:]
                let caughtUp = ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"].allSatisfy { name in
                    let service = services[name] as? JSONObject
                    return (service?["running_started_by"] as? [String]) == [(service?["primary"] as? String) ?? "-"]
                }
                if caughtUp, (try? served(45220).verified) == true { return }
                Thread.sleep(forTimeInterval: 1)
            }
            throw SandboxError("acc's agent did not catch up within 60 s")
        }

        /// acc as every test starts from and leaves it: no fault, no lock, a matching key and
        /// certificate served on both addresses, nothing left for a re-run to finish (else a plain
        /// reissue finishes it).
        func settle() throws {
            cleanUp()
            try waitForAgent()
            let plan = try lookout(reissue(["--dry-run"]))
            let now = try pair()
            let servedNow = [try? served(45220).serial, try? served(45230).serial]
            if !plan.stdout.contains("now: a new key and certificate will replace them") || !now.match || servedNow != [now.serial, now.serial] {
                _ = try lookout(reissue())
                try waitForAgent()
            }
        }

        @Test func reissuesAccsBrokerCertificate() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            #expect(before.match, "acc's key and certificate do not match before the test")
            try expectServed(before.serial, "before")

            // A dry run through the recorder: reads only, not one write.
            let recorder = ActionsSandboxTests()
            let (dry, operations) = try recorder.recordingAWS(reissue(["--dry-run"]), environment: "acc")
            #expect(dry.status == 0, "stderr: \(dry.stderr)")
            #expect(dry.stdout.hasPrefix("Plan: cert reissue broker in acc\n"))
            for step in ["read-current", "make-key", "issue", "wait-issued", "verify-issued", "write-key", "write-cert", "label-key", "label-cert",
                         "force-deployment kafka-broker-1", "verify-served"] {
                #expect(dry.stdout.contains(". \(step): "), "the plan has no step \(step)")
            }
            #expect(dry.stdout.contains("make a new RSA 2048 key locally"))
            #expect(dry.stdout.hasSuffix("Dry run: nothing was changed.\n"))
            #expect(operations.contains("GetParameter") && operations.contains("DescribeServices"), "\(operations)")
            #expect(recorder.writes(operations).isEmpty, "\(operations)")
            let afterDry = try pair()
            #expect(afterDry.key == before.key && afterDry.cert == before.cert)

            let started = Date()
            let result = try lookout(reissue())
            let seconds = Date().timeIntervalSince(started)
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("Done: cert reissue broker in acc."))
            let after = try pair()
            #expect(after.key == before.key + 1 && after.cert == before.cert + 1, "key \(after.key), cert \(after.cert)")
            #expect(after.serial != before.serial)
            #expect(after.match, "the new certificate's public key is not the new key's")
            #expect(after.pkcs8 && after.keySize == 2048, "the new key is not a PKCS#8 RSA 2048 key")
            #expect(after.keyLabels[after.key]?.contains("current") == true && after.keyLabels[before.key]?.contains("previous") == true, "\(after.keyLabels)")
            #expect(after.certLabels[after.cert]?.contains("current") == true && after.certLabels[before.cert]?.contains("previous") == true, "\(after.certLabels)")
            #expect(result.stdout.contains("ok  verify-served: 127.0.0.1:45230 (public), 127.0.0.1:45220 (kafka bootstrap) serve \(after.serial)"))
            try expectServed(after.serial, "after the reissue")
            let steps = auditText(stateHome).split(separator: "\n").compactMap { try? parseJSON(String($0)) }.map { "\($0["step"] as! String) \($0["outcome"] as! String)" }
            for step in ["write-key ok", "write-cert ok", "label-key ok", "label-cert ok", "follow-deployment kafka-broker-3 ok", "roll ok", "verify-served ok", "end ok"] {
                #expect(steps.contains(step), "audit: no \(step)")
            }
            print("cert reissue on acc: \(String(format: "%.1f", seconds)) s (serial \(before.serial) -> \(after.serial))")
            try expectNoKeyIn(outputs("dry run", dry) + outputs("reissue", result) + [("audit log", auditText(stateHome)),
                                                                                      ("dry run's audit log", auditText(recorder.stateHome))])
        }

        /// The console's `R` on acc's tracked certificate in `:certs`: the dialog shows the plan the
        /// command line's dry run prints, `y` reissues through the same audited path while the
        /// console keeps drawing, and boto3 and openssl see the new pair in SSM and served. No key
        /// material on any screen.
        @Test(.enabled(if: TmuxSession.available, "no tmux on PATH")) func reissueFromTheConsolesCertificatesView() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            var screens: [[String]] = []
            let config = try ConsoleActionsSandboxTests().config()
            let tmux = try TmuxSession(width: 200, height: 50, arguments: ["--config", config, "--env", "acc"], environment: environment)
            defer { tmux.close() }
            try ConsoleSandboxTests.command(tmux, "certs")
            screens.append(try tmux.wait(seconds: 30) { screen in screen.contains { $0.hasPrefix(" acc ") && $0.contains("tracked") } })
            try tmux.send("/")
            try tmux.type("tracked")
            try tmux.send("Enter")
            screens.append(try tmux.wait { $0.last?.contains("filter: tracked") == true })
            try tmux.send("R")
            screens.append(try tmux.wait(seconds: 30) { $0.contains { $0.contains("y runs it") } })
            let plan = screens.last!.joined(separator: "\n")
            #expect(plan.contains("Plan: cert reissue broker in acc"), "\(plan)")
            #expect(plan.contains("lock: /lookout/locks/acc/cert/broker"), "\(plan)")
            let afterPlan = try pair()
            #expect(afterPlan.key == before.key && afterPlan.cert == before.cert, "the plan wrote to SSM")
            try tmux.send("y")
            screens.append(try tmux.wait(seconds: 240) { screen in
                screen.contains { $0.contains("Done: cert reissue broker in acc.") || $0.contains("Failed:") }
            })
            let outcome = screens.last!.joined(separator: "\n")
            #expect(outcome.contains("Done: cert reissue broker in acc."), "\(outcome)")
            let after = try pair()
            #expect(after.key == before.key + 1 && after.cert == before.cert + 1, "key \(after.key), cert \(after.cert)")
            #expect(after.serial != before.serial)
            #expect(after.match, "the new certificate's public key is not the new key's")
            try expectServed(after.serial, "after the console's reissue")
            let lines = auditText(stateHome).split(separator: "\n").compactMap { try? parseJSON(String($0)) }
            #expect(lines.allSatisfy { $0["action"] as? String == "cert reissue" && $0["environment"] as? String == "acc" })
            let steps = lines.map { "\($0["step"] as! String) \($0["outcome"] as! String)" }
            for step in ["write-key ok", "write-cert ok", "verify-served ok", "end ok"] {
                #expect(steps.contains(step), "audit: no \(step)")
            }
            try expectNoKeyIn(screens.enumerated().map { ("screen \($0.offset)", $0.element.joined(separator: "\n")) }
                              + [("audit log", auditText(stateHome))])
        }

        /// (b) The certificate write is refused: the key is put back as a new version, SSM's latest
        /// key and certificate are the old pair again, the old certificate is still served; a re-run completes.
        @Test func aRefusedCertificateWritePutsTheKeyBackAndARerunCompletes() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            let recorder = ActionsSandboxTests()
            let (failed, operations) = try recorder.recordingAWS(reissue(), environment: "acc", rules: ["deny=PutParameter:\(Self.certWrite)"])
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            let puts = operations.filter { $0.hasPrefix("PutParameter") }
            #expect(puts.count == Self.certWrite + 1 && puts[Self.certWrite - 1] == "PutParameter denied", "\(operations)")
            #expect(failed.stderr.contains("stopped at step write-cert of \(Self.certParameter): "))
            #expect(failed.stderr.contains("AccessDeniedException"))
            #expect(failed.stderr.contains("\(Self.keyParameter): version \(before.key + 1) (the new key) was written, then version \(before.key + 2) put version \(before.key)'s value back"),
                    "stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("matches \(Self.certParameter) version \(before.cert) (serial \(before.serial)) again, which is unchanged and still in service"))
            let now = try pair()
            #expect(now.key == before.key + 2 && now.cert == before.cert, "key \(now.key), cert \(now.cert)")
            #expect(now.match, "after the put-back SSM's latest key does not match its latest certificate")
            #expect(now.serial == before.serial)
            try expectServed(before.serial, "after the refused write")

            let rerun = try lookout(reissue())
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            let after = try pair()
            #expect(after.match && after.serial != before.serial && after.cert == before.cert + 1)
            try expectServed(after.serial, "after the re-run")
            try expectNoKeyIn(outputs("refused run", failed) + outputs("re-run", rerun) + [("audit log", auditText(recorder.stateHome) + auditText(stateHome))])
        }

        /// (a) AWS black-holed once the key is written: neither the certificate write nor the
        /// put-back can be answered. The message says the key was written and the certificate was
        /// not; the running front still serves the old certificate (it reads SSM only on a roll);
        /// a re-run issues the certificate for the written key (not written again) and completes.
        @Test func aBlackHoledAWSBetweenTheTwoWritesIsCompletedByARerun() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            let recorder = ActionsSandboxTests()
            let (failed, operations) = try recorder.recordingAWS(reissue(), environment: "acc", rules: ["blackhole-after=PutParameter:\(Self.keyWrite)"])
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(operations.contains("PutParameter blackholed"), "\(operations)")
            #expect(failed.stderr.contains("stopped at step write-cert of \(Self.certParameter): "))
            #expect(failed.stderr.contains("\(Self.keyParameter): version \(before.key + 1) (the new key, written by this run) is the latest"), "stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("version \(before.cert) (serial \(before.serial)), the old certificate, was the latest"))
            #expect(failed.stderr.contains("the latest key and certificate do NOT match; the key was not put back"))
            #expect(failed.stderr.contains("the running services still serve the old certificate"))
            #expect(failed.stderr.contains("a re-run (lookout cert reissue --env acc --cert broker) issues a certificate for the written key version \(before.key + 1)"))
            let now = try pair()
            #expect(now.key == before.key + 1 && now.cert == before.cert && !now.match, "key \(now.key), cert \(now.cert), match \(now.match)")
            try expectServed(before.serial, "with the key written and the certificate not")

            // The locks the black-holed run could not delete belong to a process that has exited: taken over.
            let rerun = try lookout(reissue())
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(rerun.stdout.contains("an earlier run wrote the key and not the certificate"))
            #expect(!rerun.stdout.contains("make-key"))
            let after = try pair()
            #expect(after.key == before.key + 1, "the re-run wrote the key again")
            #expect(after.cert == before.cert + 1 && after.match && after.serial != before.serial)
            #expect(after.keyLabels[before.key + 1]?.contains("current") == true && after.certLabels[after.cert]?.contains("current") == true)
            try expectServed(after.serial, "after the re-run")
            try expectNoKeyIn(outputs("black-holed run", failed) + outputs("re-run", rerun) + [("audit log", auditText(recorder.stateHome) + auditText(stateHome))])
        }

        /// (d) The key write itself fails, three ways, through aws_recorder.py rules aimed at the
        /// key parameter's PutParameter: refused by AWS (77), black-holed before AWS (the key read
        /// back is unchanged: 69), and reaching AWS with its answer lost (the key read back is this
        /// run's: the run goes on, writes the certificate and completes). The first two change
        /// nothing in SSM and the old certificate is still served.
        @Test func aKeyWriteThatFailsIsReadBack() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            let recorder = ActionsSandboxTests()

            let (denied, deniedOps) = try recorder.recordingAWS(reissue(), environment: "acc", rules: ["deny=PutParameter@\(Self.keyParameter):1"])
            #expect(denied.status == 77, "stdout: \(denied.stdout) stderr: \(denied.stderr)")
            #expect(deniedOps.contains("PutParameter denied"), "\(deniedOps)")
            #expect(denied.stderr.contains("stopped at step write-key of \(Self.certParameter): "))
            #expect(denied.stderr.contains("SSM's latest key is still version \(before.key): nothing was written"), "stderr: \(denied.stderr)")
            #expect(denied.stderr.contains("SSM not changed"))
            let afterDenied = try pair()
            #expect(afterDenied.key == before.key && afterDenied.cert == before.cert && afterDenied.match)

            let (held, heldOps) = try recorder.recordingAWS(reissue(), environment: "acc", rules: ["blackhole=PutParameter@\(Self.keyParameter):1"])
            #expect(held.status == 69, "stdout: \(held.stdout) stderr: \(held.stderr)")
            #expect(heldOps.contains("PutParameter blackholed"), "\(heldOps)")
            #expect(held.stderr.contains("SSM's latest key is still version \(before.key): nothing was written"), "stderr: \(held.stderr)")
            let afterHeld = try pair()
            #expect(afterHeld.key == before.key && afterHeld.cert == before.cert && afterHeld.match)
            try expectServed(before.serial, "after two key writes that changed nothing")

            let (lost, lostOps) = try recorder.recordingAWS(reissue(), environment: "acc", rules: ["lose-answer=PutParameter@\(Self.keyParameter):1"])
            #expect(lost.status == 0, "stdout: \(lost.stdout) stderr: \(lost.stderr)")
            #expect(lostOps.contains { $0.hasPrefix("PutParameter") && $0.contains("lost") }, "\(lostOps)")
            #expect(lost.stdout.contains("version \(before.key + 1) written (the new key; the answer was lost"), "stdout: \(lost.stdout)")
            let after = try pair()
            #expect(after.key == before.key + 1 && after.cert == before.cert + 1 && after.match && after.serial != before.serial,
                    "key \(after.key), cert \(after.cert), match \(after.match)")
            try expectServed(after.serial, "after the run whose key write lost its answer")
            try expectNoKeyIn(outputs("denied", denied) + outputs("black-holed", held) + outputs("answer lost", lost)
                              + [("audit log", auditText(recorder.stateHome))])
        }

        /// (c) acc's ECS agent paused (SIGSTOP; resumed, it catches up): the roll times out at the
        /// first service; key and certificate are written and match, the front still serves the old
        /// certificate; a re-run rolls the written pair out without issuing again.
        @Test func aRollStoppedByThePausedAgentIsRolledOutByARerun() throws {
            defer { try? settle() }
            try settle()
            let before = try pair()
            let pidFile = Sandbox.folder!.appendingPathComponent("run/agent-acc.pid").path
            let pid = try #require((try parseJSON(String(contentsOfFile: pidFile, encoding: .utf8))["pid"] as? Int).map(Int32.init))
            #expect(kill(pid, SIGSTOP) == 0)
            var resumed = false
            defer { if !resumed { kill(pid, SIGCONT) } }
            let failed = try lookout(reissue(["--yes", "--timeout", "6s"]))
            let written = try pair()
            let servedWhileStopped = try served(45220)
            kill(pid, SIGCONT)
            resumed = true
            #expect(failed.status == 75, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
            #expect(failed.stderr.contains("stopped at step roll of \(Self.certParameter): stopped at step follow-deployment of kafka-broker-1: timed out after 6s"))
            #expect(failed.stderr.contains("\(Self.keyParameter) version \(before.key + 1) and \(Self.certParameter) version \(before.cert + 1) (serial \(written.serial)) are the latest and match"))
            #expect(failed.stderr.contains("the old certificate (serial \(before.serial)) is still served by tasks not yet rolled and stays valid"))
            #expect(failed.stderr.contains("a re-run (lookout cert reissue --env acc --cert broker) rolls them out without issuing again"))
            #expect(written.key == before.key + 1 && written.cert == before.cert + 1 && written.match)
            #expect(servedWhileStopped.serial == before.serial && servedWhileStopped.verified, "the front changed certificate without a roll")

            try Sandbox.scenario("reset", "acc")
            // Resumed, the agent finishes kafka-broker-1's deployment and restarts the front: the
            // broker gate refuses to roll (69) while Kafka does not answer.
            try waitForAgent()
            let rerun = try lookout(reissue())
            #expect(rerun.status == 0, "stdout: \(rerun.stdout) stderr: \(rerun.stderr)")
            #expect(rerun.stdout.contains("this run labels and rolls them, issuing nothing"))
            #expect(!rerun.stdout.contains("ok  issue"))
            let after = try pair()
            #expect(after.key == written.key && after.cert == written.cert && after.serial == written.serial, "the re-run wrote new versions")
            try expectServed(written.serial, "after the re-run")
            try expectNoKeyIn(outputs("stopped run", failed) + outputs("re-run", rerun) + [("audit log", auditText(stateHome))])
        }
    }
}

import Foundation
import Testing
import LookoutTestSupport

/// What the endpoints serve, against the sandbox's TLS fronts and fault proxies, compared with
/// openssl; certificate scenarios raise their alarms. Serialised: these change shared state.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct EndpointSandboxTests {
    let stateHome = Sandbox.temporaryStateHome()

    func environment(_ name: String) throws -> JSONObject {
        let result = try LookoutBinary.run(["snapshot", "--format", "json", "--env", name], environment: Sandbox.lookoutEnvironment(stateHome: stateHome))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try #require((try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first)
    }

    func endpoint(_ environment: JSONObject) throws -> JSONObject {
        try #require((environment["endpoints"] as? [JSONObject])?.first)
    }

    /// The first certificate of `source` (and `name`: the endpoint's served one is named after it;
    /// a bootstrap address's, `kafka HOST:PORT`).
    func certificate(_ environment: JSONObject, source: String, name: String? = nil) -> JSONObject? {
        (environment["certificates"] as? [JSONObject])?.first { $0["source"] as? String == source && (name == nil || $0["name"] as? String == name) }
    }

    func phase(_ endpoint: JSONObject, _ name: String) -> JSONObject {
        ((endpoint["checks"] as? JSONObject)?[name] as? JSONObject) ?? [:]
    }

    /// openssl's view of the served leaf: serial (colon hex, lower case) and days left.
    func openssl(_ env: String) throws -> (serial: String, daysLeft: Int) {
        let info = try Sandbox.info
        let environment = (info["environments"] as! JSONObject)[env] as! JSONObject
        let address = environment["public_endpoint"] as! String
        let script = "echo | openssl s_client -connect \(address) -CAfile \(environment["trust_file"] as! String) -verify_return_error 2>/dev/null | openssl x509 -noout -serial -enddate"
        let result = try Sandbox.run("/bin/sh", ["-c", script])
        let serialHex = try #require(result.stdout.firstMatch(of: /serial=([0-9A-F]+)/)?.1).lowercased()
        let padded = serialHex.count % 2 == 1 ? "0" + serialHex : serialHex
        let serial = stride(from: 0, to: padded.count, by: 2).map { i in
            String(padded[padded.index(padded.startIndex, offsetBy: i)..<padded.index(padded.startIndex, offsetBy: i + 2)])
        }.joined(separator: ":")
        let endText = try #require(result.stdout.firstMatch(of: /notAfter=(.+)/)?.1)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        let end = try #require(formatter.date(from: String(endText).replacingOccurrences(of: "  ", with: " ")))
        return (serial, Int((end.timeIntervalSinceNow / 86_400).rounded(.down)))
    }

    @Test(arguments: SandboxEnvironments.selected(["acc", "prod"]))
    func theServedChainIsVerifiedAndEqualsOpenssl(_ name: String) throws {
        let environment = try environment(name)
        let endpoint = try endpoint(environment)
        let served = try #require(certificate(environment, source: "served", name: "public"))
        let theirs = try openssl(name)
        #expect(endpoint["served_serial"] as? String == theirs.serial)
        #expect(served["serial"] as? String == theirs.serial)
        #expect(served["days_left"] as? Int == theirs.daysLeft)
        #expect(served["chains_to_ca"] as? Bool == true)
        #expect(phase(endpoint, "tls")["status"] as? String == "ok")
        #expect((endpoint["tls_version"] as? String)?.hasPrefix("TLSv1.") == true)
        let tracked = try #require(certificate(environment, source: "tracked"))
        #expect(tracked["serial"] as? String == theirs.serial, "the served certificate is the one in SSM")
    }

    @Test(arguments: [
        ("cert-untrusted", "the served chain does not lead to the environment's trust anchors"),
        ("cert-wrong-name", "do not cover 127.0.0.1"),
        ("cert-expiring", "the served certificate expires in"),
    ])
    func certificateScenariosRaiseTheirAlarm(scenario: String, message: String) throws {
        try Sandbox.scenario(scenario, "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        let environment = try environment("acc")
        let served = try #require(certificate(environment, source: "served", name: "public"))
        #expect(served["status"] as? String == "crit")
        let findings = environment["findings"] as? [JSONObject] ?? []
        #expect(findings.contains { $0["object"] as? String == "served public" && ($0["message"] as? String ?? "").contains(message) }, "\(findings)")
        if scenario == "cert-expiring" {
            let theirs = try openssl("acc")
            #expect(served["days_left"] as? Int == theirs.daysLeft)
            #expect((served["days_left"] as? Int ?? 99) <= 5)
            #expect(served["chains_to_ca"] as? Bool == true)
        }
    }

    @Test func anExpiringCAWarnsWithItsDaysLeft() throws {
        try Sandbox.scenario("ca-expiring", "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        let ca = try #require(certificate(try environment("acc"), source: "ca"))
        #expect((19...20).contains(ca["days_left"] as? Int ?? 0))
        #expect(ca["status"] as? String == "warn")
    }

    @Test func aBlackHoledEndpointTimesOutInItsPhaseAndSkipsTheRest() throws {
        try Sandbox.scenario("endpoint-blackhole", "acc")
        defer { try? Sandbox.scenario("reset", "acc") }
        let environment = try environment("acc")
        let endpoint = try endpoint(environment)
        #expect(phase(endpoint, "tcp")["status"] as? String == "ok")
        #expect(phase(endpoint, "tls")["status"] as? String == "failed")
        #expect((phase(endpoint, "tls")["error"] as? String ?? "").contains("timed out"))
        #expect((phase(endpoint, "tls")["duration_ms"] as? Int ?? 0) >= 5000)
        #expect(phase(endpoint, "kafka")["status"] as? String == "skipped")
        #expect(endpoint["status"] as? String == "crit")
        // acc's Kafka is unknown anyway: lookout cannot speak TLS to brokers yet.
        for source in environment["sources"] as? [JSONObject] ?? [] where !["endpoints", "kafka"].contains(source["name"] as? String ?? "") {
            #expect(source["status"] as? String != "unknown", "\(source["name"] ?? "") is not affected")
        }
    }

    @Test func aSlowEndpointWarns() throws {
        // 800 ms per exchange: two exchanges in the round trip pass warn_ms (500) but not the 5 s timeout.
        try Sandbox.scenario("endpoint-slow", "dev", environment: ["SANDBOX_DELAY_MS": "800"])
        defer { try? Sandbox.scenario("reset", "dev") }
        let endpoint = try endpoint(try environment("dev"))
        #expect(phase(endpoint, "kafka")["status"] as? String == "ok")
        #expect((endpoint["latency_ms"] as? Int ?? 0) > 500)
        #expect(endpoint["status"] as? String == "warn")
    }

    /// What is served decides `roll_pending` on acc (TLS): every bootstrap address and the TLS
    /// endpoint serve SSM's serial, so nothing is pending, whatever the times of the writes.
    @Test func whatIsServedDecidesRollPending() throws {
        let environment = try environment("acc")
        let certificates = environment["certificates"] as? [JSONObject] ?? []
        let tracked = try #require(certificates.first { $0["source"] as? String == "tracked" })
        let serial = try #require(tracked["serial"] as? String)
        let served = certificates.filter { $0["source"] as? String == "served" }
        #expect(served.count >= 2, "the bootstrap address and the endpoint: \(served)")
        #expect(served.contains { ($0["name"] as? String ?? "").hasPrefix("kafka ") }, "\(served)")
        #expect(served.allSatisfy { $0["serial"] as? String == serial }, "\(served)")
        #expect(tracked["roll_pending"] as? Bool == false)
        #expect(!(environment["findings"] as? [JSONObject] ?? []).contains { ($0["message"] as? String ?? "").contains("a roll is pending") })
    }

    @Test func aCertificatePutIntoSSMWithoutARollShowsServedDifferentFromStored() throws {
        let serial = try Sandbox.python(Sandbox.support.appendingPathComponent("put_new_cert.py").path, [Sandbox.folder!.path, "acc"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try environment("acc")
        #expect(certificate(before, source: "tracked")?["serial"] as? String == serial)
        #expect(certificate(before, source: "served")?["serial"] as? String != serial)
        #expect((before["findings"] as? [JSONObject] ?? []).contains { ($0["message"] as? String ?? "").contains("but SSM holds \(serial)") })
        // The tracked certificate says so too, naming the address still on the old serial.
        #expect(certificate(before, source: "tracked")?["roll_pending"] as? Bool == true)
        #expect((before["findings"] as? [JSONObject] ?? []).contains { ($0["message"] as? String ?? "").contains("not SSM's \(serial): a roll is pending") })
        _ = try Sandbox.python(Sandbox.support.appendingPathComponent("change_secret.py").path, [Sandbox.folder!.path, "acc", "roll"])
        var served: String?
        for _ in 0..<30 {
            served = certificate(try environment("acc"), source: "served")?["serial"] as? String
            if served == serial { break }
            Thread.sleep(forTimeInterval: 1)
        }
        #expect(served == serial, "after the roll the front serves the new certificate")
    }
}

import Foundation
import Testing
import LookoutTestSupport

/// `lookout serve` as a process, without the sandbox: its one environment's AWS and Kafka refuse
/// (port 9 on loopback), so every poll finishes at once with its sources unknown, which is enough
/// for what is tested here: the refusals of bad flags, HTTPS with a certificate made by openssl
/// and read by curl against that certificate, and an end within 5 s of SIGTERM.
@Suite(.serialized) struct ServeCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-serve-\(UUID().uuidString)").path

    func config() throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/lookout.yaml"
        try """
            refresh: 2s
            environments:
              - name: lab
                aws: { region: eu-west-1, endpoint: "http://127.0.0.1:9" }
                kafka: { bootstrap: ["127.0.0.1:9"] }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    var environment: [String: String] {
        ["XDG_STATE_HOME": folder + "/state", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret-for-a-refused-port",
         "AWS_EC2_METADATA_DISABLED": "true"]
    }

    func port() throws -> Int {
        let result = try LookoutBinary.runTool("/usr/bin/python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test(arguments: [
        (["--listen", "0.0.0.0:9108"], "is reachable from the network"),
        (["--listen", "9108"], "not HOST:PORT"),
        (["--tls-cert", "/nonexistent"], "go together"),
        (["--group-ttl", "soon"], "not a duration"),
    ])
    func badFlagsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try LookoutBinary.run(["serve", "--config", try config()] + arguments, environment: environment)
        #expect(result.status == 64, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func servesHTTPSWithItsCertificateAndEndsWithin5sOfSIGTERM() throws {
        let config = try config()
        let cert = folder + "/serve.pem", key = folder + "/serve.key"
        let made = try LookoutBinary.runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                                 "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                                                                 "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let port = try port()
        let serve = try BackgroundLookout(["serve", "--config", config, "--listen", "127.0.0.1:\(port)", "--tls-cert", cert, "--tls-key", key],
                                          environment: environment)
        var answer = LookoutBinary.Result(status: -1, stdout: "", stderr: "")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            answer = try LookoutBinary.runTool("/usr/bin/curl", ["-s", "-m", "3", "--cacert", cert, "-w", " %{http_code}", "https://127.0.0.1:\(port)/healthz"])
            if answer.stdout.hasSuffix(" 200") { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(answer.stdout.hasPrefix("ok: ") && answer.stdout.hasSuffix(" 200"), "curl: \(answer.stdout) \(answer.stderr); serve: \(serve.stderr)")
        let plain = try LookoutBinary.runTool("/usr/bin/curl", ["-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
        #expect(plain.stdout == "000", "plain HTTP on the TLS port: \(plain.stdout)")
        let metrics = try LookoutBinary.runTool("/usr/bin/curl", ["-s", "-m", "3", "--cacert", cert, "https://127.0.0.1:\(port)/metrics"])
        #expect(metrics.stdout.contains("lookout_source_up{environment=\"lab\",source=\"kafka\"} 0\n"), "\(metrics.stdout.prefix(400))")

        let signalled = Date()
        serve.process.terminate()
        let ended = Date().addingTimeInterval(5)
        while serve.process.isRunning && Date() < ended { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!serve.process.isRunning, "still running 5 s after SIGTERM")
        if serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL) }
        let result = serve.finish()
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("stopped by SIGTERM"))
        print("serve: HTTPS answered; ended \(Int(Date().timeIntervalSince(signalled) * 1000)) ms after SIGTERM")
        try? FileManager.default.removeItem(atPath: folder)
    }
}

import Foundation
import Synchronization
import Testing

@testable import LookoutAWS

/// A self-signed certificate for 127.0.0.1, an HTTPS server (Python's ssl) and tinyproxy in front.
final class ProxyFixture: Sendable {
    let directory: String
    let httpsPort: Int
    let proxyPort: Int
    let https: BackgroundServer
    let proxy: BackgroundServer
    var caFile: String { directory + "/cert.pem" }
    var proxyURL: String { "http://127.0.0.1:\(proxyPort)" }
    var proxyLog: String { (try? String(contentsOfFile: directory + "/tinyproxy.log", encoding: .utf8)) ?? "" }

    init(connectPorts: [Int] = []) async throws {
        directory = NSTemporaryDirectory() + "lookout-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = try await run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ])
        guard made.status == 0 else { throw TestSetupError(description: "openssl: \(made.stderr)") }
        httpsPort = freePort()
        proxyPort = freePort()
        https = try BackgroundServer(
            port: httpsPort,
            command: [python, supportDirectory + "/https_server.py", String(httpsPort), directory + "/cert.pem",
                      directory + "/key.pem"])
        let config = """
            Port \(proxyPort)
            Listen 127.0.0.1
            Timeout 30
            LogFile "\(directory)/tinyproxy.log"
            LogLevel Info
            MaxClients 100
            Allow 127.0.0.1
            ConnectPort \(httpsPort)
            """
        try config.write(toFile: directory + "/tinyproxy.conf", atomically: true, encoding: .utf8)
        proxy = try BackgroundServer(port: proxyPort, command: ["tinyproxy", "-d", "-c", directory + "/tinyproxy.conf"])
        try await https.waitUntilListening()
        try await proxy.waitUntilListening()
    }

    deinit {
        https.stop()
        proxy.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("libcurl transport", .serialized)
struct TransportTests {
    @Test("HTTPS through tinyproxy: HTTPS_PROXY is used, the proxy logs the CONNECT, TLS is verified")
    func httpsThroughProxy() async throws {
        let fixture = try await ProxyFixture()
        let transport = CurlTransport(
            proxy: ProxySettings(environment: ["HTTPS_PROXY": fixture.proxyURL]), caFile: fixture.caFile)
        let response = try await transport.send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(fixture.httpsPort)/hello"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello over tls")
        #expect(response.header("x-test") == "yes", "headers of the final answer, not of the CONNECT")
        #expect(fixture.proxyLog.contains("CONNECT 127.0.0.1:\(fixture.httpsPort) HTTP/1.1"))

        let untrusted = CurlTransport(proxy: ProxySettings(environment: ["HTTPS_PROXY": fixture.proxyURL]))
        await #expect(throws: TransportError.self) {
            _ = try await untrusted.send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(fixture.httpsPort)/hello"))
        }
    }

    /// The endpoint's CAs as the AWS CLI is told (`AWS_CA_BUNDLE`, else the profile's `ca_bundle`):
    /// the test server's own CA makes its TLS trusted; without it the same request fails.
    @Test("AWS_CA_BUNDLE and the profile's ca_bundle make a private CA trusted")
    func caBundle() async throws {
        let fixture = try await ProxyFixture()
        let config = fixture.directory + "/aws-config"
        try "[profile fronted]\nregion = eu-west-1\nca_bundle = \(fixture.caFile)\n[profile plain]\nregion = eu-west-1\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let url = "https://127.0.0.1:\(fixture.httpsPort)/hello"
        #expect(CABundle.path(profile: "plain", environment: ["AWS_CA_BUNDLE": fixture.caFile, "AWS_CONFIG_FILE": config]) == fixture.caFile,
                "AWS_CA_BUNDLE comes first")
        let fromProfile = CABundle.path(profile: "fronted", environment: ["AWS_CONFIG_FILE": config])
        #expect(fromProfile == fixture.caFile)
        #expect(CABundle.path(profile: nil, environment: ["AWS_CONFIG_FILE": config, "AWS_PROFILE": "fronted"]) == fixture.caFile)
        #expect(CABundle.path(profile: "plain", environment: ["AWS_CONFIG_FILE": config]) == nil)
        let trusted = try await CurlTransport(proxy: ProxySettings(), caFile: fromProfile).send(HTTPRequest(method: "GET", url: url))
        #expect(trusted.status == 200)
        await #expect(throws: TransportError.self) {
            _ = try await CurlTransport(proxy: ProxySettings(),
                                        caFile: CABundle.path(profile: "plain", environment: ["AWS_CONFIG_FILE": config]))
                .send(HTTPRequest(method: "GET", url: url))
        }
    }

    @Test("NO_PROXY sends a matching host direct")
    func noProxy() async throws {
        let fixture = try await ProxyFixture()
        let transport = CurlTransport(
            proxy: ProxySettings(environment: ["https_proxy": fixture.proxyURL, "no_proxy": "localhost,127.0.0.1"]),
            caFile: fixture.caFile)
        let response = try await transport.send(HTTPRequest(method: "GET", url: "https://127.0.0.1:\(fixture.httpsPort)/hello"))
        #expect(response.status == 200)
        #expect(!fixture.proxyLog.contains("CONNECT 127.0.0.1:\(fixture.httpsPort)"))
    }

    @Test("an AWS call through HTTP_PROXY (uppercase, which libcurl alone would ignore)")
    func awsCallThroughProxy() async throws {
        let fixture = try await ProxyFixture()
        let (moto, _) = try await SharedMoto.shared.get()
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "proxied", region: moto.region, endpoint: moto.endpoint),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDPROXY", secretAccessKey: SecretValue("proxy-secret"), source: "test")),
            transport: CurlTransport(proxy: ProxySettings(environment: ["HTTP_PROXY": fixture.proxyURL])))
        #expect(try await client.sts.getCallerIdentity().account == "123456789012")
        #expect(fixture.proxyLog.contains("POST \(moto.endpoint)/ HTTP/1.1"))
    }

    @Test("50 requests at once while one is black-holed: the 50 finish first, the black hole times out")
    func concurrency() async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let blackholePort = freePort()
        let blackhole = try BackgroundServer(
            port: blackholePort, command: [python, supportDirectory + "/blackhole_server.py", String(blackholePort)])
        defer { blackhole.stop() }
        try await blackhole.waitUntilListening()

        let transport = CurlTransport(proxy: ProxySettings())
        let client = AWSClient(
            configuration: AWSConfiguration(environmentName: "many", region: moto.region, endpoint: moto.endpoint),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDMANY", secretAccessKey: SecretValue("many-secret"), source: "test")),
            transport: transport)
        _ = try await client.sts.getCallerIdentity()  // moto's first call per service is slow

        let finished = FinishOrder()
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            group.addTask {
                let result: Bool
                do {
                    _ = try await transport.send(
                        HTTPRequest(method: "GET", url: "http://127.0.0.1:\(blackholePort)/", timeout: .seconds(4)))
                    result = false
                } catch {
                    result = (error as? TransportError)?.kind == .timeout
                }
                finished.record("blackhole")
                return ("blackhole", result)
            }
            for index in 0..<50 {
                group.addTask {
                    let ok = (try? await client.sts.getCallerIdentity().account) == "123456789012"
                    finished.record("call-\(index)")
                    return ("call-\(index)", ok)
                }
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 51)
        #expect(outcomes.filter { $0.key != "blackhole" && $0.value }.count == 50, "every normal call succeeded")
        #expect(outcomes["blackhole"] == true, "the black-holed request ended in a timeout")
        #expect(finished.names.last == "blackhole", "nothing waited for the black hole")
    }

    @Test("the connect timeout (1 s) fires, not the total (30 s): a listener with a full accept queue; TLS that never starts")
    func connectTimeout() async throws {
        let port = freePort()
        let server = try BackgroundServer(
            port: port, command: [python, supportDirectory + "/full_backlog_server.py", String(port)])
        defer { server.stop() }
        // Not waitUntilListening: a connect to this port hangs by design. The server says when.
        let deadline = ContinuousClock.now + .seconds(20)
        while !((try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? "").contains("ready") {
            try #require(ContinuousClock.now < deadline, "full_backlog_server.py did not get ready")
            try await Task.sleep(for: .milliseconds(100))
        }
        let transport = CurlTransport(proxy: ProxySettings())
        func attempt(_ url: String, connect: Duration, total: Duration) async -> (TransportError?, Duration) {
            let started = ContinuousClock.now
            do {
                _ = try await transport.send(
                    HTTPRequest(method: "GET", url: url, connectTimeout: connect, timeout: total))
                return (nil, ContinuousClock.now - started)
            } catch {
                return (error, ContinuousClock.now - started)
            }
        }
        let (tcp, tcpElapsed) = await attempt("http://127.0.0.1:\(port)/", connect: .seconds(1), total: .seconds(30))
        #expect(tcp?.kind == .timeout)
        #expect(tcp?.phase == .connect, "TCP never came up: the connect timeout fired")
        #expect(tcpElapsed < .seconds(15), "long before the 30 s total timeout")

        // TCP accepted, TLS handshake never answered: libcurl's connect timeout covers TLS too.
        let blackholePort = freePort()
        let blackhole = try BackgroundServer(
            port: blackholePort, command: [python, supportDirectory + "/blackhole_server.py", String(blackholePort)])
        defer { blackhole.stop() }
        try await blackhole.waitUntilListening()
        let (tls, tlsElapsed) = await attempt(
            "https://127.0.0.1:\(blackholePort)/", connect: .seconds(1), total: .seconds(30))
        #expect(tls?.kind == .timeout)
        #expect(tls?.phase == .connect, "TLS never came up: still the connect phase")
        #expect(tlsElapsed < .seconds(15))

        // The control: connected, no answer; the total timeout fires and says so.
        let (transfer, _) = await attempt("http://127.0.0.1:\(blackholePort)/", connect: .seconds(1), total: .seconds(2))
        #expect(transfer?.kind == .timeout)
        #expect(transfer?.phase == .transfer, "connected, then nothing: the total timeout")

        // Through the AWS layer: the same error and phase, not retried (no transport error is).
        let client = AWSClient(
            configuration: AWSConfiguration(
                environmentName: "slow", region: "us-east-1", endpoint: "http://127.0.0.1:\(port)",
                connectTimeout: .seconds(1), timeout: .seconds(30)),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDSLOW", secretAccessKey: SecretValue("slow-secret"), source: "test")),
            transport: transport)
        let error = await #expect(throws: AWSError.self) { _ = try await client.sts.getCallerIdentity() }
        guard case .transport(let wrapped) = error?.kind else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(wrapped.kind == .timeout && wrapped.phase == .connect)
        #expect(error?.attempts == 1)
    }

    @Test("cancelling the task ends a black-holed request")
    func cancellation() async throws {
        let port = freePort()
        let blackhole = try BackgroundServer(
            port: port, command: [python, supportDirectory + "/blackhole_server.py", String(port)])
        defer { blackhole.stop() }
        try await blackhole.waitUntilListening()
        let transport = CurlTransport(proxy: ProxySettings())
        let task = Task {
            try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/", timeout: .seconds(120)))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        guard case .failure(let error as TransportError) = result else {
            Issue.record("expected a TransportError, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
    }
}

final class FinishOrder: Sendable {
    private let order = Mutex<[String]>([])
    func record(_ name: String) { order.withLock { $0.append(name) } }
    var names: [String] { order.withLock { $0 } }
}

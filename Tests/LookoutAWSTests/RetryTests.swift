import Foundation
import Testing

@testable import LookoutAWS

/// The retry rules against a loopback server that fails on purpose (Tests/Support/flaky_server.py)
/// and counts what it received. The sandbox's fault proxy proves throttling the same way.
@Suite("Retries against a failing server")
struct RetryTests {
    struct Count: Decodable { var count: Int }

    func server(status: Int, code: String, failures: Int) async throws -> BackgroundServer {
        let port = freePort()
        let server = try BackgroundServer(
            port: port,
            command: [python, supportDirectory + "/flaky_server.py", String(port), String(status), code, String(failures)])
        try await server.waitUntilListening()
        return server
    }

    func client(_ server: BackgroundServer) -> AWSClient {
        AWSClient(
            configuration: AWSConfiguration(
                environmentName: "flaky", region: "eu-west-1", endpoint: "http://127.0.0.1:\(server.port)",
                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20))),
            credentials: StaticCredentialProvider(
                Credentials(accessKeyId: "AKIDFLAKY", secretAccessKey: SecretValue("flaky-secret"), source: "test")),
            transport: CurlTransport(proxy: ProxySettings()))
    }

    func received(_ server: BackgroundServer) async throws -> Int {
        let response = try await CurlTransport(proxy: ProxySettings()).send(
            HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/count"))
        return try JSONDecoder().decode(Count.self, from: Data(response.body)).count
    }

    @Test("two 500s then success: the third try answers")
    func recovers() async throws {
        let server = try await server(status: 500, code: "InternalServerError", failures: 2)
        defer { server.stop() }
        let parameter = try await client(server).ssm.getParameter(name: "/flaky")
        #expect(parameter.version == 1)
        #expect(try await received(server) == 3)
    }

    @Test("503 every time: three tries, then the error with its code")
    func givesUp() async throws {
        let server = try await server(status: 503, code: "ServiceUnavailable", failures: 1000)
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) { _ = try await client(server).ssm.getParameter(name: "/flaky") }
        #expect(error?.code == "ServiceUnavailable")
        #expect(error?.attempts == 3)
        #expect(try await received(server) == 3)
    }

    @Test("a 400 that is not throttling is not retried")
    func clientErrors() async throws {
        let server = try await server(status: 400, code: "ValidationException", failures: 1000)
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) { _ = try await client(server).ssm.getParameter(name: "/flaky") }
        #expect(error?.code == "ValidationException")
        #expect(error?.attempts == 1)
        #expect(try await received(server) == 1)
    }
}

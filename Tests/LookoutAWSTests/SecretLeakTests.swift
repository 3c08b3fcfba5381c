import Foundation
import Testing

@testable import LookoutAWS

/// Runs the client in a child process (this test binary, filtered to ``SecretProbe``) that prints,
/// dumps and debug-prints everything it gets, errors included, as a careless caller would, and
/// searches all it wrote for the secrets it was given.
@Suite("No secret in output")
struct SecretLeakTests {
    @Test("credentials (environment variables, credential_process, an assumed role), SecureString values and errors never show a secret",
          arguments: ["environment", "credential_process", "assumed role"])
    func noSecretInOutput(source: String) async throws {
        let (moto, _) = try await SharedMoto.shared.get()
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let secretKey = "leak-secret-key-\(suffix)"
        let sessionToken = "leak-session-token-\(suffix)"
        let parameterValue = "leak-parameter-value-\(suffix)"
        let parameter = "/leak/\(suffix)"
        _ = try await moto.client().ssm.putParameter(name: parameter, value: SecretValue(parameterValue))
        _ = try await moto.client().ssm.putParameter(
            name: parameter, value: SecretValue(parameterValue + "-v2"), overwrite: true)

        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let home = NSTemporaryDirectory() + "lookout-leak-\(suffix)"
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home,
            "LOOKOUT_SECRET_PROBE": "1", "PROBE_ENDPOINT": moto.endpoint, "PROBE_PARAMETER": parameter,
            "PROBE_VALUE": parameterValue, "PROBE_CLOSED_PORT": String(freePort()),
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let accessKey: String
        if source == "assumed role" {
            // The environment's role_arn on top of environment variables: moto's AssumeRole makes the
            // secrets the probe signs with; they are read back from moto's state after the run.
            accessKey = "ASIA"
            environment["AWS_ACCESS_KEY_ID"] = "AKIDLEAKBASE"
            environment["AWS_SECRET_ACCESS_KEY"] = secretKey
            environment["AWS_SESSION_TOKEN"] = sessionToken
            environment["PROBE_ROLE_ARN"] = "arn:aws:iam::123456789012:role/leak-\(suffix)"
        } else if source == "environment" {
            accessKey = "AKIDLEAKPROBE"
            environment["AWS_ACCESS_KEY_ID"] = accessKey
            environment["AWS_SECRET_ACCESS_KEY"] = secretKey
            environment["AWS_SESSION_TOKEN"] = sessionToken
        } else {
            // The secrets reach the client only through the process's answer.
            accessKey = "AKIDLEAKPROCESS"
            let script = home + "/creds.sh"
            try """
                #!/bin/sh
                echo '{"Version": 1, "AccessKeyId": "\(accessKey)", "SecretAccessKey": "\(secretKey)", "SessionToken": "\(sessionToken)", "Expiration": "2099-01-01T00:00:00Z"}'
                """.write(toFile: script, atomically: true, encoding: .utf8)
            _ = try await run(["chmod", "700", script])
            try "[default]\ncredential_process = \(script)\n".write(
                toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        }
        let result = try await run(
            [binary, "--testing-library", "swift-testing", "--filter", "SecretProbe"], environment: environment)
        // Booleans only: a failing expectation must not print the output it searched.
        let output = result.output + result.stderr
        let ran = result.status == 0
        #expect(ran, "the probe ran")
        for marker in ["probe: done", "probe credentials: Credentials(\(accessKey)", "probe parameter:", "probe history:",
                       "ParameterAlreadyExists", "ParameterNotFound", "could not connect"] {
            let printed = output.contains(marker)
            #expect(printed, "the probe printed \(marker)")
        }
        var secrets = [
            ("secret access key", secretKey), ("session token", sessionToken), ("parameter value", parameterValue),
        ]
        if source == "assumed role" {
            let assumed = try await Self.assumedRoleSecrets(moto: moto, roleName: "leak-\(suffix)")
            #expect(assumed.count == 2, "moto made one assumed role for the probe (its secret key and token)")
            secrets += assumed.map { ("assumed role's \($0.0)", $0.1) }
        }
        for (name, secret) in secrets {
            let leaked = output.contains(secret)
            #expect(!leaked, "the \(name) appears in the probe's output")
        }
    }

    /// The secret key and session token moto issued for the role, from its state (`/moto-api/data.json`).
    static func assumedRoleSecrets(moto: MotoServer, roleName: String) async throws -> [(String, String)] {
        let response = try await CurlTransport(proxy: ProxySettings()).send(
            HTTPRequest(method: "GET", url: moto.endpoint + "/moto-api/data.json"))
        let state = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let roles = (state?["sts"] as? [String: Any])?["AssumedRole"] as? [[String: Any]] ?? []
        return roles.filter { ($0["role_arn"] as? String)?.hasSuffix(":role/" + roleName) == true }.flatMap { role in
            [("secret access key", role["secret_access_key"] as? String ?? ""),
             ("session token", role["session_token"] as? String ?? "")].filter { !$0.1.isEmpty }
        }
    }
}

@Suite("Secret probe (child process of SecretLeakTests)",
       .enabled(if: ProcessInfo.processInfo.environment["LOOKOUT_SECRET_PROBE"] == "1"))
struct SecretProbe {
    @Test("print everything")
    func probe() async throws {
        let environment = ProcessInfo.processInfo.environment
        let parameter = environment["PROBE_PARAMETER"]!
        let client = AWSClient(
            configuration: AWSConfiguration(
                environmentName: "leaky", region: "us-east-1", roleArn: environment["PROBE_ROLE_ARN"],
                endpoint: environment["PROBE_ENDPOINT"]),
            environment: environment, transport: CurlTransport(proxy: ProxySettings()))
        let credentials = try await client.credentials()
        print("probe credentials:", credentials)
        debugPrint(credentials)
        dump(credentials)
        print(credentials.signing)

        let decrypted = try await client.ssm.getParameter(name: parameter, withDecryption: true)
        print("probe parameter:", decrypted)
        debugPrint(decrypted)
        dump(decrypted)
        print("probe value: \(decrypted.value as Any)")
        let history = try await client.ssm.getFullParameterHistory(name: parameter, withDecryption: true)
        print("probe history:", history)
        dump(history)

        let value = SecretValue(environment["PROBE_VALUE"]!)
        func report(_ error: AWSError) {
            print("probe error:", error)
            debugPrint(error)
            dump(error)
        }
        do { _ = try await client.ssm.putParameter(name: parameter, value: value) } catch { report(error) }
        do {
            _ = try await client.ssm.putParameter(name: parameter, value: value, type: "Bogus", overwrite: true)
        } catch {
            report(error)
        }
        do { _ = try await client.ssm.getParameter(name: parameter + "/missing") } catch { report(error) }
        let closed = AWSClient(
            configuration: AWSConfiguration(
                environmentName: "leaky", region: "us-east-1",
                endpoint: "http://127.0.0.1:\(environment["PROBE_CLOSED_PORT"]!)"),
            environment: environment, transport: CurlTransport(proxy: ProxySettings()))
        do {
            _ = try await closed.ssm.getParameter(name: parameter, withDecryption: true)
        } catch {
            print("probe error:", error)
            dump(error)
        }
        print("probe: done")
    }
}

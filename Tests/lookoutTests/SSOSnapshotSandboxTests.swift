import Foundation
import LookoutTestSupport
import Testing

/// A `snapshot` through an IAM Identity Center profile (`lookout-dev-sso`, its token cached by
/// `./sandbox/sso-login` in a HOME of the test's own): the environment's ECS as boto3 sees it
/// through its usual profile, and with no token the environment says which login to run, alone.
@Suite("A snapshot through an SSO profile", .serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct SSOSnapshotSandboxTests {
    let home = NSTemporaryDirectory() + "lookout-sso-snapshot-\(UUID().uuidString)"

    func config(_ profile: String) throws -> String {
        let info = try Sandbox.info
        let dev = try #require((info["environments"] as? [String: Any])?["dev"] as? [String: Any])
        let path = home + "/lookout.yaml"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try """
            timeouts: { source: 6s }
            environments:
              - name: dev
                aws: { region: eu-west-1, profile: \(profile), endpoint: "\(dev["aws_endpoint"] as! String)" }
                ecs: { cluster: "\(dev["cluster"] as! String)" }

            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func environment() throws -> [String: String] {
        var environment = Sandbox.lookoutEnvironment(stateHome: home + "/state")
        environment.merge(((try Sandbox.info)["sso_env"] as? [String: String]) ?? [:]) { $1 }
        environment["HOME"] = home
        return environment
    }

    @Test func devsECSThroughItsSSOProfile() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        let path = try config("lookout-dev-sso")
        let noToken = try LookoutBinary.run(["snapshot", "--format", "json", "--config", path], environment: environment())
        #expect(noToken.status == 0, "\(noToken.stderr)")
        let errors = ((try parseJSON(noToken.stdout)["environments"] as? [JSONObject])?.first?["errors"] as? [JSONObject]) ?? []
        #expect(errors.contains { ($0["message"] as? String)?.contains("aws sso login --sso-session sandbox") == true }, "\(errors)")

        let login = try Sandbox.run(SandboxLocation.repository.appendingPathComponent("sandbox/sso-login").path, ["dev", "--home", home])
        #expect(login.status == 0, "\(login.stderr)")
        let result = try LookoutBinary.run(["snapshot", "--format", "json", "--config", path], environment: environment())
        #expect(result.status == 0, "\(result.stderr)")
        let dev = (try parseJSON(result.stdout)["environments"] as? [JSONObject])?.first
        #expect((dev?["errors"] as? [JSONObject])?.isEmpty == true, "\(dev?["errors"] ?? "")")
        let services = ((dev?["ecs"] as? JSONObject)?["services"] as? [JSONObject])?.compactMap { $0["name"] as? String } ?? []
        let expected = (((try Sandbox.info)["environments"] as? [String: Any])?["dev"] as? [String: Any])?["services"] as? [String] ?? []
        #expect(!expected.isEmpty && services.sorted() == expected.sorted(), "\(services) vs \(expected)")
    }
}

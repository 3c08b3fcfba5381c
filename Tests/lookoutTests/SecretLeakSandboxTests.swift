import Foundation
import Testing
import LookoutTestSupport

/// No secret leaves its place: every SecureString value of every environment's SSM (passwords,
/// broker keys, read with boto3) is absent from everything `snapshot` and `check` print, in every
/// format, and from the state files they write. A failure names the parameter, never its value.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox)
struct SecretLeakSandboxTests {
    struct Secret {
        let environment: String
        let name: String
        let needles: [String]
    }

    static func secrets() throws -> [Secret] {
        let text = try Sandbox.python(Sandbox.support.appendingPathComponent("secure_values.py").path, [Sandbox.folder!.path])
        // Not parseJSON: its error quotes the text, and this text is secret values.
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SandboxError("secure_values.py printed no JSON object (its output is not shown: it holds secret values)")
        }
        return json.flatMap { environment, list in
            (list as! [[String: Any]]).map { Secret(environment: environment, name: $0["name"] as! String, needles: $0["needles"] as! [String]) }
        }
    }

    @Test func noSecureStringValueAppearsInAnyOutputOrStateFile() throws {
        let secrets = try Self.secrets()
        // Each environment has its passwords and its broker key: the test sees what it must look for.
        #expect(Set(secrets.map(\.environment)) == ["dev", "test", "acc", "prod"])
        #expect(secrets.filter { $0.name.hasSuffix("-key") }.allSatisfy { $0.needles.count >= 10 })
        #expect(secrets.filter { $0.name.hasSuffix("-password") }.allSatisfy { $0.needles.count == 1 })

        let stateHome = Sandbox.temporaryStateHome()
        defer { try? FileManager.default.removeItem(atPath: stateHome) }
        let environment = Sandbox.lookoutEnvironment(stateHome: stateHome)
        var outputs: [(String, String)] = []
        for arguments in [["snapshot", "--format", "json"], ["snapshot", "--format", "table"], ["snapshot", "--format", "prometheus"],
                          ["check"], ["check", "--env", "prod"], ["config", "validate"]] {
            let result = try LookoutBinary.run(arguments, environment: environment)
            outputs.append((arguments.joined(separator: " ") + " (stdout)", result.stdout))
            outputs.append((arguments.joined(separator: " ") + " (stderr)", result.stderr))
        }
        let files = FileManager.default.enumerator(atPath: stateHome)?.compactMap { $0 as? String } ?? []
        #expect(!files.isEmpty, "snapshot wrote no state file")
        for file in files {
            let path = stateHome + "/" + file
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                // the state file is binary (lookout-state/2): its bytes read as UTF-8, invalid ones replaced
                outputs.append(("state file \(file)", String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)))
            }
        }
        #expect(outputs.contains { $0.1.contains("prod") }, "the outputs say nothing about prod")
        for secret in secrets {
            let needles = Needles(secret.needles)
            for (what, text) in outputs where needles.found(in: text) {
                Issue.record("\(secret.environment) \(secret.name): its value appears in \(what)")
            }
        }
    }
}

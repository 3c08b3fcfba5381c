import Foundation
import Testing
import LookoutTestSupport

/// The shared sandbox (`./sandbox/up`), found through `$LOOKOUT_SANDBOX` or `<repo>/.sandbox`.
/// Tests that need it are disabled only when no sandbox folder exists; a folder whose servers do
/// not answer makes them fail.
enum Sandbox {
    /// Set only when the sandbox is there: the suites that use it carry `.requiresSandbox`,
    /// which fails their tests before they reach it otherwise.
    static let folder: URL? = SandboxLocation.present ? URL(fileURLWithPath: SandboxLocation.path) : nil

    /// The checkout that runs the sandbox (its scripts are beside its `.sandbox`).
    static var checkout: URL { folder!.deletingLastPathComponent() }

    static var info: [String: Any] {
        get throws {
            let data = try Data(contentsOf: folder!.appendingPathComponent("sandbox.json"))
            return try JSONSerialization.jsonObject(with: data) as! [String: Any]
        }
    }

    /// The environment for a lookout process pointed at the sandbox, with its own state folder.
    static func lookoutEnvironment(stateHome: String) -> [String: String] {
        let folder = folder!.path
        return [
            "AWS_CONFIG_FILE": "\(folder)/aws/config",
            "AWS_SHARED_CREDENTIALS_FILE": "\(folder)/aws/credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
            "LOOKOUT_CONFIG": "\(folder)/lookout-tests.yaml",
            "XDG_STATE_HOME": stateHome,
        ]
    }

    static func temporaryStateHome() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-state-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `./sandbox/scenario ARGUMENTS`, in the script server (scenario.py) unless it needs
    /// settings of its own in its environment, which the scenario module reads when it loads.
    static func scenario(_ arguments: String..., environment: [String: String] = [:]) throws {
        try scenario(arguments, environment: environment)
    }

    static func scenario(_ arguments: [String], environment: [String: String] = [:]) throws {
        let result = environment.isEmpty
            ? try ScriptServer.shared.run(python: folder!.appendingPathComponent("venv/bin/python").path,
                                          script: support.appendingPathComponent("scenario.py").path,
                                          arguments: [checkout.appendingPathComponent("sandbox/lib").path] + arguments)
            : try run(checkout.appendingPathComponent("sandbox/scenario").path, arguments, environment: environment)
        guard result.status == 0 else { throw SandboxError("scenario \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }

    /// Runs a Python script with the sandbox's venv (boto3, confluent-kafka), in the test
    /// process's one long-lived script server (``ScriptServer``).
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = try ScriptServer.shared.run(python: folder!.appendingPathComponent("venv/bin/python").path,
                                                 script: script, arguments: arguments)
        guard result.status == 0 else { throw SandboxError("\(script) failed: \(result.stderr)") }
        return result.stdout
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> LookoutBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return LookoutBinary.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// `Tests/Support`: the scripts the test targets share.
    static let sharedSupport = SandboxLocation.repository.appendingPathComponent("Tests/Support")

    /// confluent-kafka's reads of one environment over its own security (plaintext, TLS, SASL):
    /// Tests/Support/kafka_secured_reads.py, shared with the Kafka integration tests.
    static var kafkaReads: String { sharedSupport.appendingPathComponent("kafka_secured_reads.py").path }
}

struct SandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A JSON document read loosely, for comparing fields.
typealias JSONObject = [String: Any]

func parseJSON(_ text: String) throws -> JSONObject {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? JSONObject else {
        throw SandboxError("not a JSON object: \(text.prefix(200))")
    }
    return object
}

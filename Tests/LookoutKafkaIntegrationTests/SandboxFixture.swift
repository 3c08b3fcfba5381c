import Foundation
import LookoutKafka

/// The shared sandbox (`LOOKOUT_SANDBOX`, default `<repo>/.sandbox`). Tests that use it are
/// disabled only when that folder does not exist; when it exists they must reach it.
struct SandboxFixture {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var folder: URL {
        if let path = ProcessInfo.processInfo.environment["LOOKOUT_SANDBOX"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent(".sandbox")
    }

    static var exists: Bool {
        FileManager.default.fileExists(atPath: folder.path)
    }

    let folder: URL
    let environments: [String: [String: Any]]
    let topics: [String: Int]

    init() throws {
        self.folder = Self.folder
        let file = folder.appendingPathComponent("sandbox.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let environments = json["environments"] as? [String: [String: Any]]
        else {
            throw Failure(description: "\(file.path) is missing or unreadable: is the sandbox up (./sandbox/up)?")
        }
        self.environments = environments
        self.topics = json["topics"] as? [String: Int] ?? [:]
    }

    func bootstrap(_ environment: String) throws -> KafkaBrokerAddress {
        guard let text = environments[environment]?["kafka_bootstrap"] as? String,
              let address = KafkaBrokerAddress(parsing: text)
        else { throw Failure(description: "sandbox.json has no kafka_bootstrap for \(environment)") }
        return address
    }

    func security(_ environment: String) -> String {
        environments[environment]?["security"] as? String ?? "?"
    }

    /// `sandbox/scenario ARGS` from the sandbox's checkout (the folder above `.sandbox`).
    func scenario(_ arguments: String...) throws {
        let script = folder.deletingLastPathComponent().appendingPathComponent("sandbox/scenario").path
        let output = try Self.run(script, arguments)
        guard output.status == 0 else {
            throw Failure(description: "sandbox/scenario \(arguments.joined(separator: " ")) exited \(output.status): \(output.text)")
        }
    }

    /// What confluent-kafka's `list_topics()` reads, as JSON.
    func confluentMetadata(_ bootstrap: KafkaBrokerAddress) throws -> [String: Any] {
        let python = folder.appendingPathComponent("venv/bin/python").path
        let script = """
            import json, sys
            from confluent_kafka.admin import AdminClient
            metadata = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=10)
            print(json.dumps({
                "cluster_id": metadata.cluster_id,
                "controller_id": metadata.controller_id,
                "brokers": sorted([[b.id, b.host, b.port] for b in metadata.brokers.values()]),
                "topics": {name: {str(p.id): [p.leader, list(p.replicas), list(p.isrs)]
                                  for p in topic.partitions.values()}
                           for name, topic in metadata.topics.items()},
            }))
            """
        let output = try Self.run(python, ["-c", script, bootstrap.description])
        guard output.status == 0, let data = output.text.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw Failure(description: "confluent-kafka list_topics failed: \(output.text)") }
        return json
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

import Foundation
import LookoutActions
import Testing

@Suite struct AuditLogTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-audit-\(UUID().uuidString)").path

    func record(_ step: String) -> AuditRecord {
        AuditRecord(time: Date(timeIntervalSince1970: 1_800_000_000), user: "ops@bastion", identity: "arn:aws:sts::1:assumed-role/x/y",
                    environment: "dev", action: "service roll", target: "kafka-broker-1", step: step, outcome: "ok",
                    versions: ["deployment": "ecs-svc/1"], detail: "fine")
    }

    @Test func appendsLinesWithMode0600() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = AuditLog(path: folder + "/sub/audit.jsonl")
        try log.append(record("one"))
        try log.append(record("two"))
        let mode = try FileManager.default.attributesOfItem(atPath: log.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)
        let read = try log.read()
        #expect(read.records.map(\.step) == ["one", "two"])
        #expect(read.records.first == record("one"))
        #expect(read.unreadable == 0)
    }

    @Test func everyFieldIsInTheLine() throws {
        let object = try JSONSerialization.jsonObject(with: Data(record("one").jsonLine.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["time", "user", "identity", "environment", "action", "target", "step", "outcome", "versions", "detail"])
        #expect(object["time"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test func anUnwritableLogFailsAsAuditFailure() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A directory where the file should be: not writable even for root.
        try FileManager.default.createDirectory(atPath: folder + "/audit.jsonl", withIntermediateDirectories: true)
        let log = AuditLog(path: folder + "/audit.jsonl")
        #expect(throws: ActionError.self) { try log.append(record("one")) }
        do {
            try log.append(record("one"))
        } catch {
            #expect(error.kind == .auditFailed)
            #expect(error.message.contains(folder + "/audit.jsonl"))
        }
    }

    @Test func unreadableLinesAreCountedNotFatal() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = AuditLog(path: folder + "/audit.jsonl")
        try log.append(record("one"))
        let handle = try #require(FileHandle(forWritingAtPath: log.path))
        handle.seekToEndOfFile()
        handle.write(Data("garbage\n".utf8))
        try handle.close()
        let read = try log.read()
        #expect(read.records.count == 1)
        #expect(read.unreadable == 1)
    }
}

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

/// The audit log is never written through a symlink, nor when it or its folder belongs to another
/// user or is writable by others; a group-writable log (shared on a bastion) is written as it is.
@Suite struct AuditLogOwnershipTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-audit-own-\(UUID().uuidString)").path

    func record() -> AuditRecord {
        AuditRecord(time: Date(), user: "ops@bastion", identity: "arn:aws:sts::1:assumed-role/x/y", environment: "dev",
                    action: "service roll", target: "b1", step: "begin", outcome: "started", versions: [:], detail: nil)
    }

    func refusal(_ log: AuditLog) -> String? {
        do {
            try log.append(record())
            return nil
        } catch {
            #expect(error.kind == .auditFailed)
            return error.message
        }
    }

    @Test func aSymlinkedLogIsRefusedAndItsTargetUntouched() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = folder + "/elsewhere"
        try "keep\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/audit.jsonl", withDestinationPath: target)
        let message = refusal(AuditLog(path: folder + "/audit.jsonl"))
        #expect(message?.contains("audit.jsonl: is a symbolic link") == true, "\(message ?? "written")")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep\n")
    }

    @Test func aSymlinkedFolderIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/real")
        let message = refusal(AuditLog(path: folder + "/link/audit.jsonl"))
        #expect(message?.contains("link is a symbolic link") == true, "\(message ?? "written")")
        #expect(!FileManager.default.fileExists(atPath: folder + "/real/audit.jsonl"))
    }

    @Test func aLogOthersMayWriteIsRefusedAGroupWritableOneIsKept() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/audit.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o666])
        chmod(path, 0o666)
        #expect(refusal(AuditLog(path: path))?.contains("is writable by others (mode 666)") == true)
        chmod(path, 0o660)
        #expect(refusal(AuditLog(path: path)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o660, "a shared, group-writable log keeps its mode")
    }

    @Test func aLogOfAnotherUserIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/audit.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        // Root may give the file away; anyone else cannot, and then cannot test this (said so).
        try #require(geteuid() == 0, "only root can make a file of another user here")
        #expect(chown(path, 65534, 65534) == 0)
        #expect(refusal(AuditLog(path: path))?.contains("belongs to another user (uid 65534)") == true)
    }
}

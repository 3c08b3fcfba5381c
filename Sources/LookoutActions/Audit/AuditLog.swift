import Foundation
import LookoutAWS
import LookoutEnvironment

/// The audit log: JSON lines, each appended with `O_APPEND` and fsynced before the action goes
/// on; the file is created with mode 0600. Neither it nor its folder is opened through a symlink,
/// and one that belongs to another user (root excepted) or that others may write is refused
/// (``OwnFiles``); a group-writable log, shared on a bastion, is kept as it is.
public struct AuditLog: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func append(_ record: AuditRecord) throws(ActionError) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor: Int32
        do throws(OwnFiles.Refused) {
            if !folder.isEmpty { try OwnFiles.folder(folder) }
            descriptor = try OwnFiles.open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        } catch {
            let what = error.path == path ? error.reason : "its folder \(error.description)"
            throw ActionError(.auditFailed, "cannot open the audit log \(path): \(what); the action was stopped before it changed anything it had not already audited")
        }
        defer { close(descriptor) }
        var status = stat()
        // This user's own log, not shared with a group: nobody else reads it.
        if fstat(descriptor, &status) == 0, status.st_uid == geteuid(), status.st_mode & 0o020 == 0, status.st_mode & 0o777 != 0o600 {
            fchmod(descriptor, 0o600)
        }
        let bytes = Array((record.jsonLine + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", errno)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot fsync", errno) }
    }

    /// The most of the log that `read()` reads, from its end: about 100,000 records.
    public static let readLimit = 64 << 20

    /// Every record, oldest first; lines that are not records are skipped and counted. A log
    /// larger than ``readLimit`` is read from its end; `skipped` counts the bytes before that.
    public func read() throws(ActionError) -> (records: [AuditRecord], unreadable: Int, skipped: UInt64) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0, 0) }
        guard case .success(let tail) = BoundedRead.tail(path, limit: Self.readLimit) else {
            throw ActionError(.unavailable, "cannot read the audit log \(path)")
        }
        var records: [AuditRecord] = []
        var unreadable = 0
        for line in String(decoding: tail.bytes, as: UTF8.self).split(separator: "\n") where !line.isEmpty {
            if let record = AuditRecord(jsonLine: String(line)) { records.append(record) } else { unreadable += 1 }
        }
        return (records, unreadable, tail.skipped)
    }

    private func failure(_ what: String, _ code: Int32) -> ActionError {
        ActionError(.auditFailed, "\(what) the audit log \(path): \(String(cString: strerror(code))); the action was stopped before it changed anything it had not already audited")
    }
}

import Foundation
import LookoutAWS

/// The audit log: JSON lines, each appended with `O_APPEND` and fsynced before the action goes
/// on; the file is created with mode 0600.
public struct AuditLog: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func append(_ record: AuditRecord) throws(ActionError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot open", errno) }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & 0o777 != 0o600 {
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

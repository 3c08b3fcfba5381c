import Foundation

/// Who holds a lock: the JSON value of `/lookout/locks/<env>/<kind>/<name>`.
public struct LockRecord: Sendable, Equatable, Codable {
    /// `user@host`.
    public var holder: String
    public var pid: Int32
    public var time: Date
    public var action: String

    public init(holder: String, pid: Int32, time: Date, action: String) {
        self.holder = holder
        self.pid = pid
        self.time = time
        self.action = action
    }

    public var host: String { holder.split(separator: "@", maxSplits: 1).last.map(String.init) ?? holder }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init?(json: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(LockRecord.self, from: Data(json.utf8)) else { return nil }
        self = record
    }

    /// The parameter name of a lock: kinds are `service`, `secret`, `cert`.
    public static func parameterName(environment: String, kind: String, name: String) -> String {
        "/lookout/locks/\(environment)/\(kind)/\(name)"
    }
}

/// What to do about a lock someone else holds. Pure: the runner supplies the clock and
/// whether the holder's process still runs.
public enum LockDecision: Sendable, Equatable {
    case refuse(String)
    /// Break it (audited) and take it; the reason goes into the audit line.
    case breakLock(String)

    /// Locks older than this may be broken with `--break-lock`.
    public static let breakableAge: TimeInterval = 30 * 60

    /// - Parameters:
    ///   - existing: the holder as recorded, or nil when the value is not lookout's JSON.
    ///   - age: since the lock was written.
    ///   - holderRunning: for a holder on this host, whether its process still runs; nil for another host.
    public static func decide(parameter: String, existing: LockRecord?, age: TimeInterval, breakRequested: Bool,
                              holderRunning: Bool?) -> LockDecision {
        let who = existing.map { "\($0.holder) (pid \($0.pid), \($0.action))" } ?? "an unknown holder"
        let held = "\(parameter) is held by \(who) since \(describe(age: age)) ago"
        if holderRunning == false {
            return .breakLock("\(held); its process has exited on this host")
        }
        if breakRequested {
            if age >= breakableAge { return .breakLock("\(held); broken with --break-lock") }
            return .refuse("\(held); --break-lock breaks only locks older than 30m; nothing was changed")
        }
        let hint = age >= breakableAge ? " (older than 30m: --break-lock breaks it)" : ""
        return .refuse("\(held)\(hint); nothing was changed")
    }

    public static func describe(age: TimeInterval) -> String {
        // The age may come from SSM's LastModifiedDate (any number): clamped, never a trap.
        let seconds = age.isFinite ? Int(min(max(0, age), 3_155_760_000)) : 0
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds / 3600)h\((seconds % 3600) / 60)m"
    }
}

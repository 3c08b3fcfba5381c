import Foundation
import LookoutModel

/// One line of the audit log. Holds names, versions and outcomes, never a secret's value.
public struct AuditRecord: Sendable, Equatable, Codable {
    public var time: Date
    /// The operating-system user who ran lookout.
    public var user: String
    /// The AWS identity from STS GetCallerIdentity (an ARN).
    public var identity: String
    public var environment: String
    public var action: String
    public var target: String
    public var step: String
    /// `started`, `ok`, `failed`, `refused`, `broken`, `skipped`.
    public var outcome: String
    /// What is current: deployment ids, parameter versions.
    public var versions: [String: String]
    public var detail: String?
    /// How long the step took (for `end`: the whole action), where it was timed.
    public var durationMS: Int?

    enum CodingKeys: String, CodingKey {
        case time, user, identity, environment, action, target, step, outcome, versions, detail
        case durationMS = "duration_ms"
    }

    public init(time: Date, user: String, identity: String, environment: String, action: String, target: String,
                step: String, outcome: String, versions: [String: String] = [:], detail: String? = nil, durationMS: Int? = nil) {
        self.time = time
        self.user = user
        self.identity = identity
        self.environment = environment
        self.action = action
        self.target = target
        self.step = step
        self.outcome = outcome
        self.versions = versions
        self.detail = detail
        self.durationMS = durationMS
    }

    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init?(jsonLine: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(AuditRecord.self, from: Data(jsonLine.utf8)) else { return nil }
        self = record
    }

    /// One line for `lookout audit`: the file is outside input too, so the whole line goes
    /// through `terminalSafe` (a detail quoting a server cannot drive the terminal or add a line).
    public var rendered: String {
        let stamp = ISO8601DateFormatter().string(from: time)
        var line = "\(stamp) \(environment) \(action) \(target) \(step) \(outcome)"
        if !versions.isEmpty {
            line += " [" + versions.keys.sorted().map { "\($0)=\(versions[$0]!)" }.joined(separator: " ") + "]"
        }
        if let durationMS { line += " (\(durationMS) ms)" }
        line += " by \(user) as \(identity)"
        if let detail { line += ": \(detail)" }
        return line.terminalSafe
    }
}

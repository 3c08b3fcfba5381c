import Foundation

/// One change in an environment: what `lookout events` lists, newest first.
public struct ChangeEvent: Sendable, Equatable {
    public var environment: String
    /// `ecs`, `autoscaling`, `ssm`, `lookout` (the audit log).
    public var source: String
    /// What changed: a service, a task, an instance or group, a parameter, an action's target.
    public var object: String
    public var time: Date
    /// One line for a person; never a secret's value.
    public var summary: String
    /// Who, where AWS says (SSM's LastModifiedUser; the audit log's user).
    public var who: String?

    public init(environment: String, source: String, object: String, time: Date, summary: String, who: String? = nil) {
        self.environment = environment
        self.source = source
        self.object = object
        self.time = time
        self.summary = summary
        self.who = who
    }
}

extension ChangeEvent {
    public var json: JSONValue {
        .object([
            ("environment", .string(environment)),
            ("source", .string(source)),
            ("object", .string(object)),
            ("time", .string(ISO8601DateFormatter().string(from: time))),
            ("summary", .string(summary)),
            ("who", .optional(who)),
        ])
    }
}

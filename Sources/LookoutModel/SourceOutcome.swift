import Foundation

/// What one source of one environment gave at its latest poll: its value (possibly from an earlier,
/// good poll), how long the poll took, and the error if the latest poll failed.
public struct SourceOutcome<Value: Sendable>: Sendable {
    public var name: String
    /// The latest good value; after a failure, the one before it (stale), or nil.
    public var value: Value?
    /// When `value` was fetched.
    public var fetchedAt: Date?
    /// How long the latest poll took, failed or not.
    public var durationMs: Int
    /// Why the latest poll failed; nil when it succeeded.
    public var error: String?
    /// Since when this source has been failing.
    public var errorSince: Date?

    public init(name: String, value: Value?, fetchedAt: Date?, durationMs: Int, error: String? = nil, errorSince: Date? = nil) {
        self.name = name
        self.value = value
        self.fetchedAt = fetchedAt
        self.durationMs = durationMs
        self.error = error
        self.errorSince = errorSince
    }

    public static func failed(_ name: String, error: String, at time: Date, durationMs: Int) -> SourceOutcome {
        SourceOutcome(name: name, value: nil, fetchedAt: nil, durationMs: durationMs, error: error, errorSince: time)
    }

    /// The next outcome after a new poll: a failure keeps the last good value and the first failure's time.
    public func updated(with next: SourceOutcome) -> SourceOutcome {
        guard next.error != nil else { return next }
        var result = next
        result.value = value
        result.fetchedAt = fetchedAt
        result.errorSince = error != nil ? (errorSince ?? next.errorSince) : next.errorSince
        return result
    }
}

/// The state of one source as the snapshot reports it.
public struct SourceState: Sendable, Equatable {
    public var name: String
    public var status: Status
    public var fetchedAt: Date?
    public var ageSeconds: Int?
    public var durationMs: Int
    public var error: String?
    public var errorSince: Date?

    public init(name: String, status: Status, fetchedAt: Date?, ageSeconds: Int?, durationMs: Int, error: String?, errorSince: Date?) {
        self.name = name
        self.status = status
        self.fetchedAt = fetchedAt
        self.ageSeconds = ageSeconds
        self.durationMs = durationMs
        self.error = error
        self.errorSince = errorSince
    }
}

/// A source of an environment, by name: `ecs`, `autoscaling`, `kafka`, ... Each source declares its
/// own (`extension SourceID { static let ecs = ... }` in its folder of `LookoutSources`).
public struct SourceID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

/// Any source's outcome, its value's type set aside, so outcomes of different sources can be kept together.
public protocol AnySourceOutcome: Sendable {
    var name: String { get }
    var fetchedAt: Date? { get }
    var durationMs: Int { get }
    var error: String? { get }
    var errorSince: Date? { get }
    var hasValue: Bool { get }
}

extension SourceOutcome: AnySourceOutcome {
    public var hasValue: Bool { value != nil }
}

/// Everything the sources of one environment gave, by source; a source without an outcome is one
/// not configured, which the snapshot leaves out. Each source reads and writes its own outcome
/// through a typed property declared in its folder (`observations.ecs`).
public struct EnvironmentObservations: Sendable {
    private var outcomes: [SourceID: any AnySourceOutcome] = [:]

    public init() {}

    /// Outcomes keyed by their source's name (`SourceOutcome.name`); nils are sources not configured.
    public init(_ outcomes: (any AnySourceOutcome)?...) {
        for case let outcome? in outcomes {
            self.outcomes[SourceID(outcome.name)] = outcome
        }
    }

    /// Adds an outcome under its source's name, replacing the one there.
    public mutating func record(_ outcome: any AnySourceOutcome) {
        outcomes[SourceID(outcome.name)] = outcome
    }

    /// One source's outcome, typed as that source types it.
    public subscript<Value: Sendable>(_ id: SourceID, as _: Value.Type) -> SourceOutcome<Value>? {
        get { outcomes[id] as? SourceOutcome<Value> }
        set { outcomes[id] = newValue }
    }

    /// The sources that gave an outcome.
    public var sourceIDs: Set<SourceID> { Set(outcomes.keys) }
}

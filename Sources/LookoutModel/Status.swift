/// How healthy something is. Worst-of order: ok < warn < unknown < crit — data we cannot see is
/// worse than a warning, but a known outage is worse still.
public enum Status: String, Sendable, CaseIterable, Comparable {
    case ok, warn, unknown, crit

    private var rank: Int {
        switch self {
        case .ok: 0
        case .warn: 1
        case .unknown: 2
        case .crit: 3
        }
    }

    public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }

    /// The worst of several statuses; ok when there are none.
    public static func worst<S: Sequence>(_ statuses: S) -> Status where S.Element == Status {
        statuses.max() ?? .ok
    }

    /// The Nagios plugin exit code and word.
    public var nagiosCode: Int32 {
        switch self {
        case .ok: 0
        case .warn: 1
        case .crit: 2
        case .unknown: 3
        }
    }

    public var nagiosWord: String {
        switch self {
        case .ok: "OK"
        case .warn: "WARNING"
        case .crit: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }
}

/// A verdict on one object, with the reason a person reads.
public struct Finding: Sendable, Equatable {
    public var status: Status
    /// The source that fed it: `ecs`, `autoscaling`, `secrets`, `certificates`, `route53`, `kafka`, `groups`.
    public var source: String
    /// The object: a service, a group, a certificate.
    public var object: String
    public var message: String

    public init(status: Status, source: String, object: String, message: String) {
        self.status = status
        self.source = source
        self.object = object
        self.message = message
    }
}

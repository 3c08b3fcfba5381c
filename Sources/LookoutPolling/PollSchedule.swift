/// When each environment of the console is polled, as a pure state machine: an environment is
/// due, or in flight; a poll starts only for a due environment, so one slower than its refresh
/// never piles up; a finished poll makes it due `refresh` later, or at once when a manual
/// refresh came while it was in flight. No clock, no I/O: the caller says what time it is.
public struct PollSchedule<Instant: InstantProtocol>: Sendable where Instant: Sendable, Instant.Duration == Swift.Duration {
    public enum Phase: Sendable, Equatable {
        /// Waiting for its next poll, at `due`.
        case waiting(due: Instant)
        /// A poll is under way; `again`: a manual refresh asked for another right after it.
        case inFlight(again: Bool)
    }

    public private(set) var phases: [Phase]
    public let refresh: Duration

    /// Every environment due at `now`: the first polls start at once.
    public init(environments: Int, refresh: Duration, now: Instant) {
        phases = Array(repeating: .waiting(due: now), count: environments)
        self.refresh = refresh
    }

    /// The environments whose poll starts now (due, not in flight); they are in flight from here.
    public mutating func start(at now: Instant) -> [Int] {
        var started: [Int] = []
        for index in phases.indices {
            switch phases[index] {
            case .waiting(let due) where due <= now:
                phases[index] = .inFlight(again: false)
                started.append(index)
            case .waiting, .inFlight:
                break
            }
        }
        return started
    }

    /// The poll of `index` ended at `now`.
    public mutating func finished(_ index: Int, at now: Instant) {
        switch phases[index] {
        case .inFlight(let again):
            phases[index] = .waiting(due: again ? now : now.advanced(by: refresh))
        case .waiting:
            // A poll that was not started here: keep the schedule as it is.
            break
        }
    }

    /// A manual refresh: every waiting environment is due now, every one in flight is polled
    /// again as soon as its poll ends.
    public mutating func refreshNow(at now: Instant) {
        for index in phases.indices {
            switch phases[index] {
            case .waiting:
                phases[index] = .waiting(due: now)
            case .inFlight:
                phases[index] = .inFlight(again: true)
            }
        }
    }

    /// The earliest time a waiting environment is due; nil when every one is in flight.
    public var nextDue: Instant? {
        phases.compactMap { phase -> Instant? in
            switch phase {
            case .waiting(let due): due
            case .inFlight: nil
            }
        }.min()
    }
}

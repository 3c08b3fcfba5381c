import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources

/// Polls every environment on its own schedule, all at once, for the console: an environment is
/// never polled twice at the same time, a failing source keeps its last good data (and its age),
/// and every finished poll publishes a fresh judged snapshot of all environments polled so far.
public actor LivePoller {
    /// When a poll started against when it was due, and how long it took: the soak's record.
    public struct Timing: Sendable {
        public let environment: String
        public let late: Duration
        public let took: Duration
        public let finishedAt: Date
    }

    private let environments: [EnvironmentConfig]
    private let polls: [@Sendable () async -> EnvironmentObservations]
    private let shutdown: @Sendable () async -> Void
    private let publish: @Sendable (Snapshot) -> Void
    private let timing: (@Sendable (Timing) -> Void)?
    private var latest: [EnvironmentObservations?]
    /// What each environment's polls saw change (health checks, groups) and when its findings began.
    private var observed: [ObservedChanges]
    /// When each environment is polled: the pure state machine this actor drives.
    private var schedule: PollSchedule<ContinuousClock.Instant>
    private var loop: Task<Void, Never>?
    /// The poll under way of each environment (at most one: the schedule starts no other).
    private var inFlight: [Int: Task<Void, Never>] = [:]
    private let clock = ContinuousClock()

    /// - Parameters:
    ///   - refresh: the time from the end of one poll of an environment to the start of its next.
    ///   - publish: called after every poll, on the poller's executor; keep it short.
    ///   - timing: called after every poll with its lateness and duration (nil: not measured).
    public init(environments: [EnvironmentConfig], refresh: Duration, sourceTimeout: Duration? = nil,
                timing: (@Sendable (Timing) -> Void)? = nil, publish: @escaping @Sendable (Snapshot) -> Void) {
        let pollers = environments.map { EnvironmentPoller(config: $0, sourceTimeout: sourceTimeout) }
        self.init(environments: environments, refresh: refresh, polls: pollers.map { poller in { await poller.poll() } },
                  shutdown: { for poller in pollers { await poller.shutdown() } }, timing: timing, publish: publish)
    }

    /// With the poll of each environment given: for tests, and for sources polled some other way.
    public init(environments: [EnvironmentConfig], refresh: Duration, polls: [@Sendable () async -> EnvironmentObservations],
                shutdown: @escaping @Sendable () async -> Void = {}, timing: (@Sendable (Timing) -> Void)? = nil,
                publish: @escaping @Sendable (Snapshot) -> Void) {
        precondition(polls.count == environments.count, "one poll per environment")
        self.environments = environments
        self.timing = timing
        self.polls = polls
        self.shutdown = shutdown
        self.publish = publish
        latest = Array(repeating: nil, count: environments.count)
        observed = Array(repeating: ObservedChanges(), count: environments.count)
        schedule = PollSchedule(environments: environments.count, refresh: refresh, now: ContinuousClock().now)
    }

    /// Starts polling; the first polls start at once.
    public func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// Polls every environment now: those waiting at once, those in flight right after their poll ends.
    public func refreshNow() {
        schedule.refreshNow(at: clock.now)
    }

    /// Stops polling and closes the connections.
    public func stop() async {
        loop?.cancel()
        await loop?.value
        loop = nil
        for task in inFlight.values { task.cancel() }
        for task in inFlight.values { await task.value }
        inFlight = [:]
        await shutdown()
    }

    /// Starts what is due, then naps until the next is due (at most a tenth of a second, so that a
    /// manual refresh is answered within it).
    private func run() async {
        while !Task.isCancelled {
            let now = clock.now
            let phases = schedule.phases
            for index in schedule.start(at: now) {
                let poll = polls[index]
                let late: Duration
                if case .waiting(let due) = phases[index] { late = now - due } else { late = .zero }
                inFlight[index] = Task {
                    let observed = await poll()
                    self.finished(index, observed, late: late, began: now)
                }
            }
            let nap = min(.milliseconds(100), max(.zero, (schedule.nextDue ?? clock.now.advanced(by: .milliseconds(100))) - clock.now))
            guard (try? await Task.sleep(for: nap == .zero ? .milliseconds(1) : nap)) != nil else { return }
        }
    }

    private func finished(_ index: Int, _ observations: EnvironmentObservations, late: Duration, began: ContinuousClock.Instant) {
        latest[index] = latest[index].map { $0.updated(with: observations) } ?? observations
        let now = clock.now
        schedule.finished(index, at: now)
        let at = Date()
        var judged = snapshot(at: at)
        if let position = judged.environments.firstIndex(where: { $0.name == environments[index].name }) {
            observed[index].observe(judged.environments[position], at: at)
            judged.environments[position].observed = observed[index]
        }
        publish(judged)
        timing?(Timing(environment: environments[index].name, late: late, took: now - began, finishedAt: Date()))
    }

    /// Every environment polled so far, judged now.
    public func snapshot(at now: Date) -> Snapshot {
        Snapshot(generatedAt: now, environments: environments.indices.compactMap { index in
            latest[index].map { observations in
                var judged = Evaluator.evaluate(observations, config: environments[index], now: now)
                judged.observed = observed[index]
                return judged
            }
        })
    }
}

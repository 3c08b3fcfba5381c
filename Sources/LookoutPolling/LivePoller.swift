import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources

/// Polls every environment on its own schedule, all at once, for the console: an environment is
/// never polled twice at the same time, a failing source keeps its last good data (and its age),
/// and every finished poll publishes a fresh judged snapshot of all environments polled so far.
public actor LivePoller {
    private let environments: [EnvironmentConfig]
    private let refresh: Duration
    private let polls: [@Sendable () async -> EnvironmentObservations]
    private let shutdown: @Sendable () async -> Void
    private let publish: @Sendable (Snapshot) -> Void
    private var latest: [EnvironmentObservations?]
    private var due: [ContinuousClock.Instant]
    private var polling: [Bool]
    private var again: [Bool]
    private var tasks: [Task<Void, Never>] = []
    private let clock = ContinuousClock()

    /// - Parameters:
    ///   - refresh: the time from the end of one poll of an environment to the start of its next.
    ///   - publish: called after every poll, on the poller's executor; keep it short.
    public init(environments: [EnvironmentConfig], refresh: Duration, sourceTimeout: Duration? = nil,
                publish: @escaping @Sendable (Snapshot) -> Void) {
        let pollers = environments.map { EnvironmentPoller(config: $0, sourceTimeout: sourceTimeout) }
        self.init(environments: environments, refresh: refresh, polls: pollers.map { poller in { await poller.poll() } },
                  shutdown: { for poller in pollers { await poller.shutdown() } }, publish: publish)
    }

    /// With the poll of each environment given: for tests, and for sources polled some other way.
    public init(environments: [EnvironmentConfig], refresh: Duration, polls: [@Sendable () async -> EnvironmentObservations],
                shutdown: @escaping @Sendable () async -> Void = {}, publish: @escaping @Sendable (Snapshot) -> Void) {
        precondition(polls.count == environments.count, "one poll per environment")
        self.environments = environments
        self.refresh = refresh
        self.polls = polls
        self.shutdown = shutdown
        self.publish = publish
        latest = Array(repeating: nil, count: environments.count)
        due = Array(repeating: ContinuousClock().now, count: environments.count)
        polling = Array(repeating: false, count: environments.count)
        again = Array(repeating: false, count: environments.count)
    }

    /// Starts one polling loop per environment; the first polls start at once.
    public func start() {
        guard tasks.isEmpty else { return }
        for index in environments.indices {
            tasks.append(Task { await self.loop(index) })
        }
    }

    /// Polls every environment now: those idle at once, those mid-poll right after it ends.
    public func refreshNow() {
        let now = clock.now
        for index in environments.indices {
            if polling[index] { again[index] = true } else { due[index] = now }
        }
    }

    /// Stops the loops and closes the connections.
    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks = []
        await shutdown()
    }

    private func loop(_ index: Int) async {
        let poll = polls[index]
        while !Task.isCancelled {
            while clock.now < due[index] {
                // Short naps, so that `refreshNow` is answered within a tenth of a second.
                guard (try? await Task.sleep(for: min(.milliseconds(100), due[index] - clock.now))) != nil else { return }
            }
            polling[index] = true
            let observations = await poll()
            polling[index] = false
            record(index, observations)
        }
    }

    private func record(_ index: Int, _ observations: EnvironmentObservations) {
        latest[index] = latest[index].map { $0.updated(with: observations) } ?? observations
        due[index] = again[index] ? clock.now : clock.now + refresh
        again[index] = false
        publish(snapshot(at: Date()))
    }

    /// Every environment polled so far, judged now.
    public func snapshot(at now: Date) -> Snapshot {
        Snapshot(generatedAt: now, environments: environments.indices.compactMap { index in
            latest[index].map { Evaluator.evaluate($0, config: environments[index], now: now) }
        })
    }
}

import Foundation
import LookoutConfig
import LookoutModel
import LookoutSources

/// One poll of the chosen environments, all at once, judged, with the state files' memory:
/// what `snapshot` and `check` print.
public enum OneShot {
    public static func snapshot(config: Config, environments: [EnvironmentConfig], store: HistoryStore?,
                                sourceTimeout: Duration? = nil, warn: @escaping @Sendable (String) -> Void,
                                stateTiming: (@Sendable (_ environment: String, _ took: Duration, _ bytes: Int) -> Void)? = nil,
                                afterPolling: (@Sendable () -> Void)? = nil) async -> Snapshot {
        let polled = await withTaskGroup(of: (Int, EnvironmentObservations).self) { group in
            for (index, environment) in environments.enumerated() {
                group.addTask {
                    let poller = EnvironmentPoller(config: environment, sourceTimeout: sourceTimeout)
                    let observations = await poller.poll()
                    await poller.shutdown()
                    return (index, observations)
                }
            }
            var result: [Int: EnvironmentObservations] = [:]
            for await (index, observations) in group { result[index] = observations }
            return result
        }
        // every answer read and decoded: what the decoding freed can go back before the state
        // files are read and the polls judged (`check` and `snapshot` trim the C heap here)
        afterPolling?()
        let now = Date()
        var judged: [EnvironmentSnapshot] = []
        for (index, environment) in environments.enumerated() {
            var observations = polled[index] ?? EnvironmentObservations()
            var result: EnvironmentSnapshot?
            if let store {
                do {
                    let began = ContinuousClock.now
                    var judging = Duration.zero
                    try store.update(environment: environment.name, warn: warn) { state in
                        state.remember(&observations)
                        let judgingBegan = ContinuousClock.now
                        var snapshot = Evaluator.evaluate(observations, config: environment, now: now)
                        judging = ContinuousClock.now - judgingBegan
                        state.observed.observe(snapshot, at: now)
                        snapshot.observed = state.observed
                        result = snapshot
                    }
                    // the state file's read, update and write, without the judging done under its lock
                    stateTiming?(environment.name, ContinuousClock.now - began - judging, store.size(of: environment.name))
                } catch {
                    warn("lookout: warning: \(environment.name): state not saved: \(error)")
                }
            }
            judged.append(result ?? Evaluator.evaluate(observations, config: environment, now: now))
        }
        return Snapshot(generatedAt: now, environments: judged)
    }
}

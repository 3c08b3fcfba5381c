import Foundation
import LookoutModel
import LookoutProbes

extension Source {
    /// Reads this source, if the environment configures it, bounded by `timeout`; then the sources
    /// read after it (`after`), each with a timeout of its own, or, when this one failed, marked
    /// not read with its error: a cluster that cannot be read costs one wait.
    public static func read(_ context: FetchContext, timeout: Duration, then followers: [any Source.Type]) async -> [any AnySourceOutcome] {
        guard let input = input(context.config) else { return [] }
        let outcome = await measure(environment: context.config.name, timeout: timeout) { try await fetch(input, context) }
        var outcomes: [any AnySourceOutcome] = [outcome]
        for follower in followers {
            outcomes += await follower.read(after: outcome.error, context, timeout: timeout)
        }
        return outcomes
    }

    static func read(after failure: String?, _ context: FetchContext, timeout: Duration) async -> [any AnySourceOutcome] {
        guard input(context.config) != nil else { return [] }
        if let failure {
            return [SourceOutcome<Value>.failed(id.rawValue, error: notRead(environment: context.config.name, because: failure), at: Date(), durationMs: 0)]
        }
        return await read(context, timeout: timeout, then: [])
    }

    /// One reading: measured, bounded by its timeout, any failure turned into an outcome that says
    /// which environment and source failed and why.
    static func measure(environment: String, timeout: Duration, _ fetch: @escaping @Sendable () async throws -> Value) async -> SourceOutcome<Value> {
        let clock = ContinuousClock()
        let start = clock.now
        let name = id.rawValue
        do {
            let value = try await withTimeout(timeout, fetch)
            return SourceOutcome(name: name, value: value, fetchedAt: Date(), durationMs: (clock.now - start).milliseconds)
        } catch {
            var detail = String(describing: error)
            // The AWS client names the environment too; say it once.
            if detail.hasPrefix("[\(environment)] ") { detail.removeFirst(environment.count + 3) }
            return .failed(name, error: "\(environment) \(name): \(detail)", at: Date(), durationMs: (clock.now - start).milliseconds)
        }
    }
}

extension SourceRegistry {
    /// Reads every configured source of an environment at once; a source read after another (the
    /// groups after the cluster's metadata) is read in the same task, right after it.
    public static func readAll(_ context: FetchContext, timeout: Duration) async -> EnvironmentObservations {
        await withTaskGroup(of: [any AnySourceOutcome].self) { group in
            for source in all where source.after == nil {
                let followers = all.filter { $0.after == source.id }
                group.addTask { await source.read(context, timeout: timeout, then: followers) }
            }
            var observations = EnvironmentObservations()
            for await outcomes in group {
                for outcome in outcomes { observations.record(outcome) }
            }
            return observations
        }
    }
}

extension EnvironmentObservations {
    /// The observations after a new poll, source by source: a failing source keeps its last good
    /// value (and the groups their window of polls); a source the new poll did not read is dropped.
    public func updated(with next: EnvironmentObservations) -> EnvironmentObservations {
        var result = EnvironmentObservations()
        for source in SourceRegistry.all {
            source.merge(self, next, into: &result)
        }
        return result
    }
}

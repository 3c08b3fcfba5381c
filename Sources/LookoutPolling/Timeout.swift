import Foundation
import LookoutModel
import LookoutProbes

/// Polls one source: measures it, bounds it by its timeout, turns any failure into an outcome that
/// says which environment and source failed and why.
func poll<V: Sendable>(_ name: String, environment: String, timeout: Duration,
                       _ fetch: @escaping @Sendable () async throws -> V) async -> SourceOutcome<V> {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        let value = try await withTimeout(timeout, fetch)
        return SourceOutcome(name: name, value: value, fetchedAt: Date(), durationMs: (clock.now - start).milliseconds)
    } catch {
        var detail = String(describing: error)
        // The AWS client names the environment too; say it once.
        if detail.hasPrefix("[\(environment)] ") { detail.removeFirst(environment.count + 3) }
        let message = "\(environment) \(name): \(detail)"
        return .failed(name, error: message, at: Date(), durationMs: (clock.now - start).milliseconds)
    }
}

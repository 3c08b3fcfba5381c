import Foundation
import Synchronization

/// Client-side rate limiting after throttling, as botocore's `adaptive` retry mode does it: until a
/// service first throttles, calls go out at once; from then on each call takes a token from a
/// bucket whose fill rate follows CUBIC (cut to 70 % of the measured send rate at each throttle,
/// then grown back along a cubic curve while calls succeed, never above twice the measured rate).
/// A poll that meets a throttle therefore slows down to what the API allows instead of spending
/// its retries in a burst and failing the source. One limiter per service and client (AWS
/// throttles per account, Region and API family).
///
/// Unlike botocore's, it turns itself off again after `quiet` (5 s) without a throttle: lookout's
/// calls come in bursts a poll apart, so the send rate it measures between polls is near zero, and
/// a bucket capped at twice that would keep a console's later polls at the floor rate (half a
/// call a second) long after the throttling ended. Under throttling that goes on, throttles come
/// more often than that, and the pacing holds.
public final class AdaptiveRateLimiter: Sendable {
    /// CUBIC's constants and the floor of the fill rate (botocore's values).
    static let beta = 0.7
    static let scale = 0.4
    static let minimumRate = 0.5
    /// The send rate is measured over half-second buckets, smoothed.
    static let bucketSeconds = 0.5
    static let smoothing = 0.8
    /// Seconds without a throttle after which calls go out at once again.
    static let quiet = 5.0

    struct State: Equatable {
        var enabled = false
        var fillRate = 0.0
        var capacity = 0.0
        var lastRefill: Double?
        var measuredRate = 0.0
        var measuredCount = 0
        var lastBucket: Double?
        var lastMaxRate = 0.0
        var lastThrottle = 0.0
        var k = 0.0
        /// Figures for the tests and the benches: throttles seen, calls that waited, seconds waited.
        var throttles = 0
        var delayed = 0
        var waited = 0.0
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Double

    /// - Parameter clock: seconds on a monotonic clock (the tests pass their own).
    public init(clock: @escaping @Sendable () -> Double = AdaptiveRateLimiter.monotonicSeconds) {
        self.clock = clock
    }

    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// How long the caller must wait before sending (0 until the service has throttled). The
    /// token is taken now, so callers queue in the order they asked.
    public func reserve() -> Double {
        let now = clock()
        return state.withLock { state in
            Self.calmDown(&state, now: now)
            guard state.enabled else { return 0 }
            Self.refill(&state, now: now)
            state.capacity -= 1
            guard state.capacity < 0 else { return 0 }
            let wait = -state.capacity / state.fillRate
            state.delayed += 1
            state.waited += wait
            return wait
        }
    }

    /// The wait a call asked for now would get, without taking a token.
    public func expectedWait() -> Double {
        let now = clock()
        return state.withLock { state in
            Self.calmDown(&state, now: now)
            guard state.enabled else { return 0 }
            Self.refill(&state, now: now)
            return state.capacity >= 1 ? 0 : (1 - state.capacity) / state.fillRate
        }
    }

    /// Off again after ``quiet`` seconds without a throttle (see the type's comment).
    private static func calmDown(_ state: inout State, now: Double) {
        if state.enabled, now - state.lastThrottle > quiet {
            state.enabled = false
            state.capacity = 0
        }
    }

    /// Waits as ``reserve()`` says (cancellation ends the wait early).
    public func acquire() async {
        let wait = reserve()
        if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
    }

    /// Learns from an answer: a throttle cuts the rate, a success grows it back.
    public func record(throttled: Bool) {
        let now = clock()
        state.withLock { state in
            Self.measure(&state, now: now)
            let rate: Double
            if throttled {
                // Before the first half-second is measured, the calls of this one count.
                let measured = state.measuredRate > 0 ? state.measuredRate : Double(state.measuredCount) / Self.bucketSeconds
                let base = state.enabled ? min(measured, state.fillRate) : measured
                state.lastMaxRate = base
                state.k = Foundation.cbrt(base * (1 - Self.beta) / Self.scale)
                state.lastThrottle = now
                state.throttles += 1
                rate = base * Self.beta
                if !state.enabled {
                    state.enabled = true
                    state.lastRefill = now
                    state.capacity = 0
                }
            } else {
                Self.calmDown(&state, now: now)
                guard state.enabled else { return }
                let elapsed = now - state.lastThrottle - state.k
                rate = Self.scale * elapsed * elapsed * elapsed + state.lastMaxRate
            }
            Self.refill(&state, now: now)
            let measured = state.measuredRate > 0 ? state.measuredRate : Double(state.measuredCount) / Self.bucketSeconds
            state.fillRate = max(min(rate, 2 * measured), Self.minimumRate)
            state.capacity = min(state.capacity, max(state.fillRate, 1))
        }
    }

    /// The figures so far: throttles seen, calls that waited, seconds waited, the fill rate (0 before the first throttle).
    public var figures: (throttles: Int, delayed: Int, waited: Double, rate: Double) {
        let now = clock()
        return state.withLock { state in
            Self.calmDown(&state, now: now)
            return (state.throttles, state.delayed, state.waited, state.enabled ? state.fillRate : 0)
        }
    }

    private static func refill(_ state: inout State, now: Double) {
        if let last = state.lastRefill, now > last, state.fillRate > 0 {
            state.capacity = min(state.capacity + (now - last) * state.fillRate, max(state.fillRate, 1))
        }
        state.lastRefill = now
    }

    private static func measure(_ state: inout State, now: Double) {
        let bucket = (now / bucketSeconds).rounded(.down) * bucketSeconds
        state.measuredCount += 1
        guard let last = state.lastBucket else {
            state.lastBucket = bucket
            return
        }
        if bucket > last {
            let current = Double(state.measuredCount) / (bucket - last)
            state.measuredRate = current * smoothing + state.measuredRate * (1 - smoothing)
            state.measuredCount = 0
            state.lastBucket = bucket
        }
    }
}

/// One limiter per service name, made on first use.
final class AdaptiveRateLimiters: Sendable {
    private let limiters = Mutex<[String: AdaptiveRateLimiter]>([:])
    private let clock: @Sendable () -> Double

    init(clock: @escaping @Sendable () -> Double = AdaptiveRateLimiter.monotonicSeconds) {
        self.clock = clock
    }

    func limiter(for service: String) -> AdaptiveRateLimiter {
        limiters.withLock { all in
            if let known = all[service] { return known }
            let made = AdaptiveRateLimiter(clock: clock)
            all[service] = made
            return made
        }
    }

    /// Every service's figures, by service name.
    var figures: [String: (throttles: Int, delayed: Int, waited: Double, rate: Double)] {
        limiters.withLock { $0.mapValues(\.figures) }
    }
}

import Foundation
import Synchronization
import Testing
@testable import LookoutAWS

/// The adaptive limiter on a clock of the test's own: what it does after a throttle, countably.
@Suite struct AdaptiveRateLimiterTests {
    final class FakeClock: Sendable {
        private let now = Mutex(1000.0)
        var seconds: Double { now.withLock { $0 } }
        func advance(_ by: Double) { now.withLock { $0 += by } }
    }

    /// A limiter that has seen `calls` successful calls at 20 a second.
    func warmed(_ clock: FakeClock, calls: Int) -> AdaptiveRateLimiter {
        let limiter = AdaptiveRateLimiter(clock: { clock.seconds })
        for _ in 0..<calls {
            _ = limiter.reserve()
            limiter.record(throttled: false)
            clock.advance(0.05)
        }
        return limiter
    }

    @Test func callsGoOutAtOnceUntilTheServiceThrottles() {
        let clock = FakeClock()
        let limiter = AdaptiveRateLimiter(clock: { clock.seconds })
        for _ in 0..<100 {
            #expect(limiter.reserve() == 0)
            limiter.record(throttled: false)
            clock.advance(0.01)
        }
        #expect(limiter.figures.throttles == 0 && limiter.figures.delayed == 0 && limiter.figures.rate == 0)
    }

    @Test func aThrottleCutsTheRateTo70PercentOfWhatWasSentAndCallsQueue() {
        let clock = FakeClock()
        // 20 calls a second for 3 s: the measured rate settles near 20
        let limiter = warmed(clock, calls: 60)
        limiter.record(throttled: true)
        let rate = limiter.figures.rate
        #expect(rate > 12 && rate < 16, "rate \(rate)")
        // ten calls asked for at once wait 1/rate, 2/rate, ... in the order they asked
        let waits = (0..<10).map { _ in limiter.reserve() }
        #expect(waits == waits.sorted())
        #expect(abs(waits[9] - 10 / rate) < 0.01, "\(waits)")
        #expect(limiter.figures.delayed == 10)
    }

    @Test func successesGrowTheRateBackAlongTheCurveButNotPastTwiceWhatIsSent() {
        let clock = FakeClock()
        let limiter = warmed(clock, calls: 40)
        limiter.record(throttled: true)
        let cut = limiter.figures.rate
        var rates: [Double] = []
        for _ in 0..<40 {
            clock.advance(max(limiter.reserve(), 0.05))
            limiter.record(throttled: false)
            rates.append(limiter.figures.rate)
        }
        #expect(rates.last! > cut, "grew back: \(cut) -> \(rates.last!)")
        #expect(rates.allSatisfy { $0 <= 2 * 20 + 0.001 })
    }

    @Test func fiveSecondsWithoutAThrottleAndCallsGoOutAtOnceAgain() {
        let clock = FakeClock()
        let limiter = warmed(clock, calls: 40)
        limiter.record(throttled: true)
        #expect(limiter.expectedWait() > 0)
        clock.advance(4)
        #expect(limiter.figures.rate > 0, "still paced 4 s after the throttle")
        clock.advance(1.5)
        #expect(limiter.expectedWait() == 0 && limiter.reserve() == 0 && limiter.figures.rate == 0)
        // the next throttle paces again
        limiter.record(throttled: true)
        #expect(limiter.figures.rate > 0)
    }

    /// A server that allows 5 calls a second with a burst of 5, and a client that wants 60 calls
    /// as fast as it can, each with 3 attempts and no backoff of its own: without the limiter most
    /// calls fail; with it none does, and the calls take about as long as the server's rate allows.
    @Test(arguments: [true, false])
    func againstATokenBucketServerTheLimiterTurnsFailuresIntoWaiting(limited: Bool) {
        let clock = FakeClock()
        let limiter = AdaptiveRateLimiter(clock: { clock.seconds })
        var tokens = 5.0, last = clock.seconds
        func server() -> Bool {
            tokens = min(5, tokens + (clock.seconds - last) * 5)
            last = clock.seconds
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
        var failed = 0, throttled = 0
        let began = clock.seconds
        for _ in 0..<60 {
            var ok = false
            for _ in 0..<3 where !ok {
                if limited { clock.advance(limiter.reserve()) }
                clock.advance(0.002)
                ok = server()
                if !ok { throttled += 1 }
                if limited { limiter.record(throttled: !ok) }
            }
            if !ok { failed += 1 }
        }
        let took = clock.seconds - began
        if limited {
            #expect(failed == 0, "throttled \(throttled) times")
            #expect(took > 5 && took < 40, "took \(took) s for 60 calls at 5 a second")
        } else {
            #expect(failed > 30, "without it \(failed) of 60 fail")
        }
    }
}

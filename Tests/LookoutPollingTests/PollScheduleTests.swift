import LookoutPolling
import Testing

/// The console's poll schedule as a pure machine: due, in flight, a manual refresh, and a source
/// slower than its refresh that never piles up.
@Suite struct PollScheduleTests {
    let t0 = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { t0.advanced(by: .milliseconds(Int64(seconds * 1000))) }

    @Test func everyEnvironmentStartsAtOnceThenEveryRefreshAfterItsPollEnds() {
        var schedule = PollSchedule(environments: 2, refresh: .seconds(10), now: at(0))
        #expect(schedule.start(at: at(0)) == [0, 1])
        #expect(schedule.start(at: at(0.1)) == [], "in flight: not started again")
        schedule.finished(0, at: at(1))
        schedule.finished(1, at: at(3))
        #expect(schedule.nextDue == at(11))
        #expect(schedule.start(at: at(10.9)) == [])
        #expect(schedule.start(at: at(11)) == [0])
        #expect(schedule.start(at: at(13)) == [1])
    }

    @Test func aPollSlowerThanItsRefreshNeverPilesUp() {
        var schedule = PollSchedule(environments: 1, refresh: .seconds(2), now: at(0))
        #expect(schedule.start(at: at(0)) == [0])
        // The poll takes 30 s: 15 refresh periods pass, and nothing else starts.
        var started = 0
        for tick in stride(from: 0.1, through: 30, by: 0.1) { started += schedule.start(at: at(tick)).count }
        #expect(started == 0)
        #expect(schedule.nextDue == nil)
        schedule.finished(0, at: at(30))
        #expect(schedule.phases == [.waiting(due: at(32))])
    }

    @Test func aManualRefreshStartsWaitingOnesNowAndInFlightOnesRightAfter() {
        var schedule = PollSchedule(environments: 2, refresh: .seconds(10), now: at(0))
        _ = schedule.start(at: at(0))
        schedule.finished(0, at: at(1))
        schedule.refreshNow(at: at(2))
        #expect(schedule.phases == [.waiting(due: at(2)), .inFlight(again: true)])
        #expect(schedule.start(at: at(2)) == [0])
        schedule.finished(1, at: at(5))
        #expect(schedule.phases[1] == .waiting(due: at(5)), "due again at once, not a refresh later")
        #expect(schedule.start(at: at(5)) == [1])
        // Two refreshes while in flight: still one poll after it.
        schedule.refreshNow(at: at(6))
        schedule.refreshNow(at: at(6.5))
        schedule.finished(1, at: at(7))
        #expect(schedule.start(at: at(7)) == [1])
        #expect(schedule.start(at: at(7)) == [])
    }

    @Test func aFinishNotStartedHereChangesNothing() {
        var schedule = PollSchedule(environments: 1, refresh: .seconds(10), now: at(0))
        schedule.finished(0, at: at(5))
        #expect(schedule.phases == [.waiting(due: at(0))])
    }
}

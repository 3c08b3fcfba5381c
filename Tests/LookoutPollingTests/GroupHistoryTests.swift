import Foundation
import LookoutModel
import LookoutSources
import Testing
@testable import LookoutPolling

/// The window of group polls: kept in the state file by one-shot commands, in memory by the console.
@Suite struct GroupHistoryTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-groups-\(UUID().uuidString)").path
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func poll(_ index: Int, window: Int = 3) -> SourceOutcome<GroupsObservation> {
        let at = start.addingTimeInterval(Double(index) * 10)
        let group = GroupObservation(id: "billing", state: "Stable", members: 1,
                                     partitions: [PartitionOffsets(topic: "orders", partition: 0, committed: Int64(100 * index), end: Int64(100 * index + 5))])
        return SourceOutcome(name: "groups", value: GroupsObservation(readAt: at, groups: [group], window: window), fetchedAt: at, durationMs: 4)
    }

    func failed(_ index: Int) -> SourceOutcome<GroupsObservation> {
        .failed("groups", error: "dev groups: refused", at: start.addingTimeInterval(Double(index) * 10), durationMs: 1)
    }

    @Test func oneShotRunsBuildTheWindowInTheStateFile() throws {
        let store = HistoryStore(folder: folder)
        var seen: [[Double]] = []
        for index in 0..<5 {
            var observations = EnvironmentObservations(index == 3 ? failed(index) : poll(index))
            try store.update(environment: "dev", warn: { _ in }) { $0.remember(&observations) }
            seen.append(observations.groups?.value?.history.polls.map(\.time) ?? [])
        }
        let t = { (index: Int) in self.start.timeIntervalSince1970 + Double(index) * 10 }
        #expect(seen[0] == [t(0)])
        #expect(seen[2] == [t(0), t(1), t(2)])
        #expect(seen[3] == [], "a failed poll has no groups to show")
        #expect(seen[4] == [t(1), t(2), t(4)], "the failed poll left the window as it was; the window holds 3")
        let state = store.read(environment: "dev", warn: { _ in })
        #expect(state.lag?.polls.map(\.time) == [t(1), t(2), t(4)])
        #expect(state.lag?.polls.last?.groups == [.init(group: "billing", committed: [.init(topic: "orders", offsets: [400])])])
        #expect(state.lag?.polls.last?.ends == [.init(topic: "orders", offsets: [405])])
    }

    @Test func theConsoleKeepsTheWindowInMemory() {
        var observations = EnvironmentObservations(poll(0))
        for index in 1..<5 {
            observations = observations.updated(with: EnvironmentObservations(index == 3 ? failed(index) : poll(index)))
        }
        let t = { (index: Int) in self.start.timeIntervalSince1970 + Double(index) * 10 }
        #expect(observations.groups?.value?.history.polls.map(\.time) == [t(1), t(2), t(4)])
        let failing = observations.updated(with: EnvironmentObservations(failed(5)))
        #expect(failing.groups?.error != nil)
        #expect(failing.groups?.value?.history.polls.map(\.time) == [t(1), t(2), t(4)], "a failed poll keeps the last good groups and their window")
        #expect(failing.groups?.value?.readAt == start.addingTimeInterval(40))
    }
}

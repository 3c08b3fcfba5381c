import Foundation
import LookoutConfig
import Testing
@testable import LookoutModel
@testable import LookoutSources

/// Numbers and text from brokers, AWS and state files at their extremes: never a trap, never a
/// terminal driven. (Issue 19; the hostile inputs through the binary are in lookoutTests.)
@Suite struct HostileValuesTests {
    @Test func lagSaturatesInsteadOfTrapping() {
        #expect(offsetLag(end: .max, committed: -1) == .max)
        #expect(offsetLag(end: .min, committed: 1) == 0)
        #expect(offsetLag(end: 10, committed: 4) == 6)
        #expect(offsetLag(end: 4, committed: 10) == 0)
        #expect(Int64.max.saturatingPlus(1) == .max)
        #expect(Int64.min.saturatingPlus(-1) == .min)
        #expect(Int64.min.saturatingMinus(1) == .min)
    }

    @Test func aCommitOnAHugeOrNegativePartitionSizesNothing() {
        let group = GroupObservation(id: "g", state: "Stable", members: 1, partitions: [
            PartitionOffsets(topic: "orders", partition: 2_147_483_646, committed: 5, end: 9),
            PartitionOffsets(topic: "orders", partition: -5, committed: 5, end: 9),
            PartitionOffsets(topic: "orders", partition: 1, committed: 3, end: 4),
            PartitionOffsets(topic: "only-bad", partition: -5, committed: 1, end: 2),
        ])
        let poll = LagHistory.Poll(time: Date(timeIntervalSince1970: 100), groups: [group])
        // A topic whose only partitions are out of range keeps nothing (no empty entry either).
        #expect(poll.ends == [.init(topic: "orders", offsets: [nil, 4])])
        #expect(poll.groups.first?.committed == [.init(topic: "orders", offsets: [nil, 3])])
    }

    @Test func lagAtInt64sEdgeIsJudgedAndPrinted() throws {
        var config = LagConfig()
        config.warn = 1000
        let group = GroupObservation(id: "g", state: "Stable", members: 1, partitions: [
            PartitionOffsets(topic: "t", partition: 0, committed: 0, end: .max),
            PartitionOffsets(topic: "t", partition: 1, committed: 0, end: .max),
        ])
        let start = Date()
        let polls = (0..<4).map { LagHistory.Poll(time: start.addingTimeInterval(Double($0)), groups: [group]) }
        let observation = GroupsObservation(readAt: start, groups: [group], window: 10, history: LagHistory(polls: polls))
        let judged = try #require(GroupEvaluator.judge(observation, config: config).first)
        #expect(judged.lag == .max)
        #expect(!judged.reason.isEmpty)
    }

    @Test func daysFromADateAtTheEndOfTimeAreClamped() {
        let now = Date()
        #expect(Evaluator.days(from: now, to: Date(timeIntervalSince1970: 1e300)) == 365_000_000)
        #expect(Evaluator.days(from: now, to: Date(timeIntervalSince1970: -1e300)) == -365_000_000)
        #expect(Evaluator.days(from: now, to: now.addingTimeInterval(86_400 * 3 + 5)) == 3)
    }

    @Test func controlsAndBidiOverridesAreShownEscaped() {
        #expect("plain ünïcode name".terminalSafe == "plain ünïcode name")
        #expect("a\u{1B}]52;c;SGVsbG8=\u{07}b".terminalSafe == "a\\u{1B}]52;c;SGVsbG8=\\u{7}b")
        #expect("line\nforged\rover\u{7F}\u{85}".terminalSafe == "line\\u{A}forged\\u{D}over\\u{7F}\\u{85}")
        #expect("abc\u{202E}fed\u{2066}x\u{2069}".terminalSafe == "abc\\u{202E}fed\\u{2066}x\\u{2069}")
        #expect("one\ntwo\u{1B}".terminalSafeLines == "one\ntwo\\u{1B}")
    }
}

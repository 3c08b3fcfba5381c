import Foundation
import LookoutModel
import Testing
@testable import LookoutPolling

/// The state file's binary form: what is written reads back the same, and hostile bytes are
/// refused with a reason, never trapped on and never allowed to size an allocation.
extension UInt64 {
    fileprivate var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) } }
}

@Suite struct StateFileCodecTests {
    static func sample(groups: Int = 3, partitions: Int = 4) -> EnvironmentState {
        var state = EnvironmentState(environment: "prod")
        state.sources["ecs"] = .init(lastGoodAt: Date(timeIntervalSince1970: 1_800_000_000.123), errorSince: nil)
        state.sources["groups"] = .init(lastGoodAt: nil, errorSince: Date(timeIntervalSince1970: 1_800_000_060))
        let polls = (0..<3).map { poll in
            LagHistory.Poll(
                time: 1_800_000_000.5 + Double(poll) * 10,
                ends: [.init(topic: "orders", offsets: (0..<partitions).map { Int64(1_000_000_000_000 + $0 + poll) }),
                       .init(topic: "ünïcode-topic", offsets: [nil, 0, Int64.max])],
                groups: (0..<groups).map { group in
                    .init(group: "g-\(group)", committed: [.init(topic: "orders", offsets: (0..<partitions).map { $0 == 1 ? nil : Int64(999_999_999_000 + $0) }),
                                                          .init(topic: "ünïcode-topic", offsets: [-1, 0])])
                })
        }
        state.lag = LagHistory(polls: polls)
        state.observed.marks = ["groups group g-0": "Stable ok", "route53 health check hc-1": "crit"]
        state.observed.findingsSince = ["route53 hc-1": Date(timeIntervalSince1970: 1_800_000_020)]
        state.observed.events = [
            ChangeEvent(environment: "prod", source: "route53", object: "health check hc-1", time: Date(timeIntervalSince1970: 1_800_000_020),
                        summary: "status ok → crit (0 of 3 checkers healthy)"),
            ChangeEvent(environment: "prod", source: "groups", object: "group g-0", time: Date(timeIntervalSince1970: 1_800_000_030),
                        summary: "state Stable → Empty", who: "someone"),
        ]
        return state
    }

    @Test func aVersionTwoFileIsStillRead() throws {
        var state = Self.sample()
        state.observed = ObservedChanges()
        var bytes = StateFileCodec.encode(state, format: 3)
        #expect(try StateFileCodec.decode(bytes, environment: "prod") == state, "version 3")
        // version 3 with an empty observed section (three zero counts) is version 2 plus those bytes
        #expect(Array(bytes.suffix(3)) == [0, 0, 0])
        bytes.removeLast(3)
        bytes[StateFileCodec.magic.count] = 2
        #expect(try StateFileCodec.decode(bytes, environment: "prod") == state)
    }

    @Test func aRunOfEverySpreadReadsBackAndAHostileOneIsRefused() throws {
        var state = EnvironmentState(environment: "prod")
        let spreads: [[Int64?]] = [[0, 1, nil, 4_294_967_294], [-5, nil, Int64.max], [Int64.min + 1, 0], [nil, nil], [Int64.max - 4_294_967_294, Int64.max]]
        state.lag = LagHistory(polls: [LagHistory.Poll(time: 1_800_000_000, ends: spreads.enumerated().map { .init(topic: "t\($0.offset)", offsets: $0.element) },
                                                       groups: [.init(group: "g", committed: [.init(topic: "t0", offsets: [nil, 7])])])])
        let bytes = StateFileCodec.encode(state)
        #expect(bytes[StateFileCodec.magic.count] == 4)
        #expect(try StateFileCodec.decode(bytes, environment: "prod") == state)
        // one run by hand: a base at 2^63 - 2 and values from it up to Int64.max and beyond, a
        // value of 2^32 (beyond 32 bits)
        func file(base: UInt64, values: [UInt64]) -> [UInt8] {
            var out = StateFileCodec.magic + [4, 4] + Array("prod".utf8) + [1, 1, UInt8(ascii: "t"), 0, 1]
            out += Array((1_800_000_000.0).bitPattern.littleEndianBytes) + [1, 0, UInt8(values.count)]
            for value in [base] + values { out += leb128(value) }
            return out + [0, 0, 0, 0]
        }
        func leb128(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            while value >= 0x80 { out.append(UInt8(truncatingIfNeeded: value) | 0x80); value >>= 7 }
            return out + [UInt8(value)]
        }
        let top = UInt64(bitPattern: Int64.max - 1) << 1 + 1  // zigzag of 2^63 - 2, plus 1
        #expect(try StateFileCodec.decode(file(base: top, values: [2, 0]), environment: "prod").lag?.polls.first?.ends.first?.offsets == [Int64.max, nil])
        #expect { try StateFileCodec.decode(file(base: top, values: [3]), environment: "prod") } throws: { "\($0)".contains("beyond 64 bits") }
        #expect { try StateFileCodec.decode(file(base: 1, values: [1 << 32 + 1]), environment: "prod") } throws: { "\($0)".contains("32-bit") }
        // the largest marker is a base of Int64.max (Int64.min, none, cannot be one)
        #expect(try StateFileCodec.decode(file(base: UInt64.max, values: [1, 0]), environment: "prod").lag?.polls.first?.ends.first?.offsets == [Int64.max, nil])
        #expect { try StateFileCodec.decode(file(base: UInt64.max, values: [2]), environment: "prod") } throws: { "\($0)".contains("beyond 64 bits") }
    }

    /// The writer names each topic and group once and guesses a run's name from the same place
    /// in the poll before: polls whose topics and groups shift, appear and go read back the same.
    @Test func pollsWhoseNamesMoveReadBackTheSame() throws {
        func poll(_ time: Double, ends: [String], groups: [(String, [String])]) -> LagHistory.Poll {
            LagHistory.Poll(time: time, ends: ends.enumerated().map { .init(topic: $0.element, offsets: [Int64($0.offset), nil, 7]) },
                            groups: groups.map { group in .init(group: group.0, committed: group.1.map { .init(topic: $0, offsets: [1, 2]) }) })
        }
        var state = EnvironmentState(environment: "prod")
        let long = String(repeating: "a-long-topic-name.", count: 4)
        state.lag = LagHistory(polls: [
            poll(1, ends: ["a", "b", long], groups: [("g1", ["a", "b"]), ("g2", [long])]),
            poll(2, ends: ["b", long, "d"], groups: [("g2", ["b"]), ("g1", ["a", "d"])]),
            poll(3, ends: ["b", long, "d"], groups: [("g2", ["b"]), ("g1", ["a", "d"]), ("g3", [])]),
            poll(4, ends: [], groups: [("g3", ["a"])]),
            poll(5, ends: ["a", "b", long, "d", "e"], groups: [("g1", ["a", "b"]), ("g2", [long]), ("g3", ["e"])]),
        ])
        let bytes = StateFileCodec.encode(state)
        #expect(try StateFileCodec.decode(bytes, environment: "prod") == state)
        // the names section: 8 names (a, b, the long one, g1, g2, d, g3, e), each once
        #expect(bytes[StateFileCodec.magic.count + 6] == 8)
        for name in ["g1", "g2", "g3", long] {
            let needle = Array(name.utf8)
            #expect((0...(bytes.count - needle.count)).filter { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }.count == 1)
        }
        // a 32-bit distance written in more than 5 bytes is refused: one poll, one topic "t" of
        // one partition, base 0 (marker 1), its distance as 6 bytes
        var wide = StateFileCodec.magic + [4, 4] + Array("prod".utf8) + [1, 1, UInt8(ascii: "t"), 0, 1]
        wide += (0..<8).map { UInt8(truncatingIfNeeded: (1_800_000_000.0).bitPattern >> ($0 * 8)) } + [1, 0, 1, 1]
        #expect(try StateFileCodec.decode(wide + [0x81, 0x00, 0, 0, 0, 0], environment: "prod").lag?.polls.first?.ends.first?.offsets == [0])
        wide += [0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0, 0]
        #expect { try StateFileCodec.decode(wide, environment: "prod") } throws: { "\($0)".contains("32-bit") }
    }

    @Test func aLongSummaryIsCutBetweenCharactersAndStillReads() throws {
        var state = EnvironmentState(environment: "prod")
        state.observed.events = [ChangeEvent(environment: "prod", source: "groups", object: "group g", time: Date(timeIntervalSince1970: 1_800_000_000),
                                             summary: "x" + String(repeating: "é", count: 3000))]
        let read = try StateFileCodec.decode(StateFileCodec.encode(state), environment: "prod")
        #expect(read.observed.events.first?.summary.utf8.count == 4095)
        #expect(read.observed.events.first?.summary.hasPrefix("xéé") == true)
    }

    @Test func whatIsWrittenReadsBackTheSame() throws {
        let state = Self.sample()
        let bytes = StateFileCodec.encode(state)
        #expect(try StateFileCodec.decode(bytes, environment: "prod") == state)
        let empty = EnvironmentState(environment: "dev")
        #expect(try StateFileCodec.decode(StateFileCodec.encode(empty), environment: "dev") == empty)
    }

    @Test func aTimeReadBackPrintsTheSameSecondAsWhenItWasWritten() throws {
        var state = EnvironmentState(environment: "acc")
        let since = Date(timeIntervalSince1970: 1_800_000_032.9996)
        state.sources["ssm"] = .init(lastGoodAt: since, errorSince: since)
        let read = try StateFileCodec.decode(StateFileCodec.encode(state), environment: "acc")
        let memory = try #require(read.sources["ssm"])
        #expect(memory.errorSince.map(rfc3339) == rfc3339(since))
        #expect(memory.lastGoodAt.map(rfc3339) == rfc3339(since))
        #expect(rfc3339(since) == "2027-01-15T08:00:32Z")
    }

    @Test func anotherEnvironmentsFileIsRefused() {
        let bytes = StateFileCodec.encode(Self.sample())
        #expect { try StateFileCodec.decode(bytes, environment: "dev") } throws: { "\($0)".contains("belongs to environment prod") }
    }

    @Test func everyCutAndEveryFlippedByteIsRefusedOrReadWithoutTrapping() {
        let bytes = StateFileCodec.encode(Self.sample(groups: 2, partitions: 3))
        for length in 0..<bytes.count {
            #expect(throws: StateFileCodec.Malformed.self) { try StateFileCodec.decode(Array(bytes[0..<length]), environment: "prod") }
        }
        var refused = 0
        for index in bytes.indices {
            for value: UInt8 in [0x00, 0x7f, 0x80, 0xff] where bytes[index] != value {
                var changed = bytes
                changed[index] = value
                do { _ = try StateFileCodec.decode(changed, environment: "prod") } catch { refused += 1 }
            }
        }
        #expect(refused > 0)
        #expect(throws: StateFileCodec.Malformed.self) { try StateFileCodec.decode(bytes + [0], environment: "prod") }
    }

    @Test func countsLargerThanTheFileCannotSizeAnAllocation() {
        // magic, version, "prod", then a name count of 2^62
        var bytes = StateFileCodec.magic + [StateFileCodec.version, 4] + Array("prod".utf8)
        bytes += [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
        #expect { try StateFileCodec.decode(bytes, environment: "prod") } throws: { "\($0)".contains("more than the file holds") }
        // a varint of 11 bytes
        var long = StateFileCodec.magic + [StateFileCodec.version, 4] + Array("prod".utf8)
        long += Array(repeating: 0xff, count: 11)
        #expect(throws: StateFileCodec.Malformed.self) { try StateFileCodec.decode(long, environment: "prod") }
        // a name that is not UTF-8
        let invalid = StateFileCodec.magic + [StateFileCodec.version, 2, 0xc3, 0x28]
        #expect { try StateFileCodec.decode(invalid, environment: "prod") } throws: { "\($0)".contains("not UTF-8") }
    }

    @Test func theFileIsSmallAtScale() {
        // 10 polls of 1,000 groups on 10 topics of 20 partitions with production-sized offsets
        let topics = (0..<500).map { "topic-\($0)" }
        var polls: [LagHistory.Poll] = []
        for poll in 0..<10 {
            let ends: [LagHistory.TopicOffsets] = topics.map { topic in
                LagHistory.TopicOffsets(topic: topic, offsets: (0..<20).map { partition -> Int64? in Int64(40_000_000_000 + partition * 7 + poll) })
            }
            var groups: [LagHistory.GroupCommits] = []
            for group in 0..<1000 {
                var committed: [LagHistory.TopicOffsets] = []
                for t in 0..<10 {
                    committed.append(LagHistory.TopicOffsets(topic: topics[(group + t) % topics.count],
                                                             offsets: (0..<20).map { partition -> Int64? in Int64(39_999_999_000 + partition + poll) }))
                }
                groups.append(LagHistory.GroupCommits(group: "consumer-group-\(group)", committed: committed))
            }
            polls.append(LagHistory.Poll(time: 1_800_000_000 + Double(poll * 10), ends: ends, groups: groups))
        }
        var state = EnvironmentState(environment: "scale")
        state.lag = LagHistory(polls: polls)
        let bytes = StateFileCodec.encode(state)
        #expect(bytes.count < HistoryStore.maximumBytes / 2, "\(bytes.count) bytes")
        #expect((try? StateFileCodec.decode(bytes, environment: "scale")) == state)
    }
}

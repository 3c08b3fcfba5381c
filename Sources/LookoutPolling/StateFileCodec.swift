import Foundation
import LookoutModel

/// The state file's bytes (`lookout-state/4`; `/2` and `/3` are still read): a compact binary
/// form, because at production scale the lag window holds millions of offsets (10 polls of 1,000
/// groups on 200 partitions each) and JSON made the file 7.7 MB, its read and write take a second
/// and the parse tree tens of MB.
///
/// Layout, little-endian throughout; a *varint* is LEB128 (at most 10 bytes), a *string* a varint
/// byte count then UTF-8 (at most 4,096 bytes), an *offset* a varint: 0 for none, else the
/// zigzag form of the offset plus 1 (`Int64.min` is none in memory too).
///
///     "LKSTATE\n"  8 bytes
///     version      1 byte (4)
///     environment  string
///     names        varint count, then that many strings (every topic and group, once)
///     sources      varint count; each: string name, i64 last good (ms since 1970, rounded down,
///                  or i64.min for none), i64 error since (the same)
///     polls        varint count; each: f64 time (seconds since 1970);
///                  ends: varint topic count; each: varint name index, varint count, run;
///                  groups: varint count; each: varint name index, varint topic count; each:
///                  varint name index, varint count, run
///     run          (version 4) as the window keeps it: varint base, the zigzag form of the
///                  run's base plus 1, then a varint a partition: its distance from the base plus
///                  1, 0 for none (at most 2^32 - 2); or a base of 0, then offsets (a run whose
///                  offsets spread beyond 32 bits). Versions 2 and 3: offsets.
///     observed     (version 3 on) marks: varint count; each: string key, string value;
///                  findings' beginnings: varint count; each: string key, i64 ms;
///                  events: varint count; each: i64 ms, string source, string object,
///                  string summary, string who ("" for none)
///
/// Version 4 reads a run into the window as it is: no offset is converted on the way (version 3's
/// reader turned every offset into 64 bits and back, about a third of the 90 ms a full window's
/// read, update and write took at production scale).
/// Versions 2 (without the observed section) and 3 are still read.
/// The reader trusts nothing: every count is checked against the bytes left, every index against
/// the names, every string for UTF-8, and a topic's offsets against the partition ids the window
/// keeps; anything else is ``Malformed``, and the file is started anew.
enum StateFileCodec {
    static let magic: [UInt8] = Array("LKSTATE\n".utf8)
    static let version: UInt8 = 4
    static let maximumString = 4096
    /// Offsets a file may hold in all (32 MB in memory): the window of 10 polls of 10,000
    /// partitions and 1,000 groups on 200 partitions each holds 2.1 million.
    static let maximumOffsets = 4_000_000

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    // MARK: writing

    /// The file's bytes at once (tests; the store writes them as they are made, ``encode(_:format:into:)``).
    /// - Parameter format: ``version``; 3 for a test of the reader's older formats.
    static func encode(_ state: EnvironmentState, format: UInt8 = version) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(state, format: format) { bytes += $0 }
        return bytes
    }

    /// The bytes a piece of about ``chunk`` at a time, to `sink`: at production scale the file is
    /// 2.6 MB, which held whole was the last 2.6 MB of `check`'s peak.
    static func encode(_ state: EnvironmentState, format: UInt8 = version, into sink: ([UInt8]) -> Void) {
        withoutActuallyEscaping(sink) { sink in encode(state, format: format, sink: sink) }
    }

    private static func encode(_ state: EnvironmentState, format: UInt8, sink: @escaping ([UInt8]) -> Void) {
        let polls = state.lag?.polls ?? []
        var names = Names()
        for poll in polls {
            names.beginPoll()
            poll.forEachEnd { topic, _ in names.record(topic) }
            poll.forEachGroup({ group, _ in names.record(group) }, committed: { topic, _ in names.record(topic) })
        }
        names.lookup = [:]

        // One value that the walks below change (not several locals their closures capture, which
        // Swift checks for exclusive access at run time: a tenth of the write at production scale).
        var out = Writer(format: format, names: names, sink: sink)
        out.bytes.append(contentsOf: magic)
        out.bytes.append(format)
        out.string(state.environment)
        out.varint(UInt64(names.order.count))
        for name in names.order {
            out.string(name)
            out.flushIfFull()
        }
        let sources = state.sources.sorted { $0.key < $1.key }
        out.varint(UInt64(sources.count))
        for (name, memory) in sources {
            out.string(name)
            out.fixed(UInt64(bitPattern: milliseconds(memory.lastGoodAt)))
            out.fixed(UInt64(bitPattern: milliseconds(memory.errorSince)))
        }
        out.varint(UInt64(polls.count))
        for poll in polls {
            out.fixed(poll.time.bitPattern)
            out.varint(UInt64(poll.endTopicCount))
            poll.forEachEnd { topic, raw in
                out.run(raw, name: topic)
            }
            out.varint(UInt64(poll.groupCount))
            poll.forEachGroup({ group, topics in
                out.varint(UInt64(out.nextIndex(group)))
                out.varint(UInt64(topics))
            }, committed: { topic, raw in
                out.run(raw, name: topic)
            })
        }
        let observed = state.observed
        let marks = observed.marks.sorted { $0.key < $1.key }
        out.varint(UInt64(marks.count))
        for (key, value) in marks {
            out.string(key)
            out.string(value)
        }
        let since = observed.findingsSince.sorted { $0.key < $1.key }
        out.varint(UInt64(since.count))
        for (key, date) in since {
            out.string(key)
            out.fixed(UInt64(bitPattern: milliseconds(date)))
        }
        out.varint(UInt64(observed.events.count))
        for event in observed.events {
            out.fixed(UInt64(bitPattern: milliseconds(event.time)))
            out.string(event.source)
            out.string(event.object)
            out.string(event.summary)
            out.string(event.who ?? "")
        }
        sink(out.bytes)
    }

    /// Every topic and group name once, in the order the polls first name them, and each name's
    /// index in the order the polls are walked: looked up once (a window at production scale
    /// names 126,000 runs).
    private struct Names {
        var lookup: [String: Int] = [:]
        var order: [String] = []
        var indexes: [Int32] = []

        /// Where the poll being walked began in ``indexes``, and the poll before it.
        private var pollStart = 0
        private var previousStart = 0
        private var previousCount = 0

        mutating func beginPoll() {
            previousStart = pollStart
            previousCount = indexes.count - pollStart
            pollStart = indexes.count
        }

        mutating func record(_ name: String) {
            // The polls of a window name the same topics and groups in the same order, mostly:
            // the name at the same place in the poll before is compared first, without hashing.
            let position = indexes.count - pollStart
            if position < previousCount {
                let guess = indexes[previousStart + position]
                if order[Int(guess)] == name { return indexes.append(guess) }
            }
            if let known = lookup[name] { return indexes.append(Int32(known)) }
            lookup[name] = order.count
            indexes.append(Int32(order.count))
            order.append(name)
        }
    }

    static let chunk = 256 << 10

    private static func milliseconds(_ date: Date?) -> Int64 {
        guard let date else { return .min }
        // Down, never to the nearest: a time at x.9996 s kept as x+1 would print as the next second
        // on the next run (a source "failing since" one second later than the run before said).
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        return value.isFinite && abs(value) < 9e15 ? Int64(value) : .min
    }

    private struct Writer {
        let format: UInt8
        /// Each name's index, in the order of the walk.
        let names: Names
        var next = 0
        let sink: ([UInt8]) -> Void
        var bytes: [UInt8] = []
        /// One run's offsets at a time.
        var scratch: [Int64] = []

        init(format: UInt8, names: Names, sink: @escaping ([UInt8]) -> Void) {
            self.format = format
            self.names = names
            self.sink = sink
            // a piece, and the most one run adds to it (10 bytes an offset)
            bytes.reserveCapacity(chunk + 10 * LagHistory.Poll.partitionIds.upperBound + 64)
        }

        /// The next name's index in the walk (the same walk as ``Names``', name for name).
        mutating func nextIndex(_ name: String) -> Int {
            defer { next += 1 }
            let index = Int(names.indexes[next])
            assert(names.order[index] == name)
            return index
        }

        mutating func flushIfFull() {
            guard bytes.count >= chunk else { return }
            sink(bytes)
            bytes.removeAll(keepingCapacity: true)
        }

        mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func fixed(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }

        /// At most ``StateFileCodec/maximumString`` bytes, cut between characters' scalars (never
        /// inside one: the reader refuses what is not UTF-8).
        mutating func string(_ text: String) {
            var length = 0
            for scalar in text.unicodeScalars {
                let width = UTF8.width(scalar)
                guard length + width <= StateFileCodec.maximumString else { break }
                length += width
            }
            varint(UInt64(length))
            bytes.append(contentsOf: text.utf8.prefix(length))
        }

        /// A run: from version 4 as the poll keeps it (its base, then 32-bit values), before
        /// that (and for a run kept in 64 bits) as offsets.
        mutating func run(_ run: LagHistory.Poll.Offsets, name: String) {
            varint(UInt64(nextIndex(name)))
            varint(UInt64(run.count))
            defer { flushIfFull() }
            guard format >= 4 else { return offsets(run) }
            let written: Void? = run.withNarrow { base, values in
                varint(zigzag(base) &+ 1)
                distances(values)
            }
            if written == nil {
                varint(0)
                offsets(run)
            }
        }

        /// Each value as a varint of itself plus 1, 0 for none: at most 5 bytes each, written
        /// in place (a window at production scale is 2 million of them; appending byte by byte
        /// was most of the write).
        private mutating func distances(_ values: UnsafeBufferPointer<UInt32>) {
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 5 * values.count))
            let end = bytes.withUnsafeMutableBufferPointer { out in
                var at = start
                for value in values {
                    var rest = value == LagHistory.Poll.narrowNone ? 0 : UInt64(value) + 1
                    while rest >= 0x80 {
                        out[at] = UInt8(truncatingIfNeeded: rest) | 0x80
                        at += 1
                        rest >>= 7
                    }
                    out[at] = UInt8(rest)
                    at += 1
                }
                return at
            }
            bytes.removeLast(bytes.count - end)
        }

        private func zigzag(_ value: Int64) -> UInt64 {
            UInt64(bitPattern: (value << 1) ^ (value >> 63))
        }

        private mutating func offsets(_ run: LagHistory.Poll.Offsets) {
            run.copy(into: &scratch)
            for offset in scratch {
                // Int64.min is none (``LagHistory/TopicOffsets/none``).
                guard offset != LagHistory.TopicOffsets.none else { bytes.append(0); continue }
                varint(zigzag(offset) + 1)
            }
        }
    }

    // MARK: reading

    static func decode(_ bytes: [UInt8], environment: String) throws(Malformed) -> EnvironmentState {
        var input = Reader(bytes: bytes)
        guard bytes.count >= magic.count + 1, Array(bytes[0..<magic.count]) == magic else { throw Malformed(description: "not a lookout state file") }
        input.at = magic.count
        let found = try input.byte()
        guard (2...version).contains(found) else { throw Malformed(description: "state format \(found), not \(version)") }
        let owner = try input.string()
        guard owner == environment else { throw Malformed(description: "it belongs to environment \(String(owner.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f }.prefix(64)))") }
        var state = EnvironmentState(environment: environment)

        let nameCount = try input.count(atLeast: 1)
        var names: [String] = []
        names.reserveCapacity(nameCount)
        for _ in 0..<nameCount { names.append(try input.string()) }

        for _ in 0..<(try input.count(atLeast: 17)) {
            let name = try input.string()
            state.sources[name] = EnvironmentState.SourceMemory(lastGoodAt: try input.date(), errorSince: try input.date())
        }

        let pollCount = try input.count(atLeast: 10)
        var polls: [LagHistory.Poll] = []
        polls.reserveCapacity(pollCount)
        for _ in 0..<pollCount {
            let time = Double(bitPattern: try input.fixed())
            guard time.isFinite else { throw Malformed(description: "a poll's time is not a number") }
            var poll = LagHistory.Poll.Builder(time: time)
            // Room for as many offsets as the poll before held and a sixteenth more (the polls of
            // a window are much alike), for the first its share of the bytes left (a byte an
            // offset at least): a poll that holds more grows, and is copied to its size once read.
            // (Room for all the file could hold made every poll a copy: 17 ms at production scale.)
            let room = polls.last.map { $0.offsetCount + $0.offsetCount / 16 } ?? input.bytesLeft / (pollCount - polls.count)
            poll.reserve(offsets: min(room, input.bytesLeft, input.offsetsLeft), topics: 0, groups: 0)
            for _ in 0..<(try input.count(atLeast: 2)) {
                poll.beginEnd(topic: try input.name(in: names))
                try input.run(into: &poll, format: found)
            }
            let groupCount = try input.count(atLeast: 2)
            for _ in 0..<groupCount {
                poll.beginGroup(try input.name(in: names))
                for _ in 0..<(try input.count(atLeast: 2)) {
                    poll.beginCommitted(topic: try input.name(in: names))
                    try input.run(into: &poll, format: found)
                }
            }
            polls.append(poll.compactedPoll())
        }
        if pollCount > 0 { state.lag = LagHistory(polls: polls) }
        if found >= 3 {
            for _ in 0..<(try input.count(atLeast: 2)) {
                let key = try input.string()
                state.observed.marks[key] = try input.string()
            }
            for _ in 0..<(try input.count(atLeast: 9)) {
                let key = try input.string()
                state.observed.findingsSince[key] = try input.date()
            }
            let eventCount = try input.count(atLeast: 12)
            guard eventCount <= ObservedChanges.maximumEvents else { throw Malformed(description: "\(eventCount) observed changes") }
            for _ in 0..<eventCount {
                guard let time = try input.date() else { throw Malformed(description: "an observed change without a time at byte \(input.at)") }
                let source = try input.string(), object = try input.string(), summary = try input.string(), who = try input.string()
                state.observed.events.append(ChangeEvent(environment: environment, source: source, object: object, time: time,
                                                         summary: summary, who: who.isEmpty ? nil : who))
            }
        }
        guard input.at == bytes.count else { throw Malformed(description: "\(bytes.count - input.at) bytes after the end") }
        return state
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var offsetsLeft = StateFileCodec.maximumOffsets
        /// One topic's offsets as they are decoded, before they join their poll (a run of 64-bit
        /// offsets; a run of 32-bit ones is decoded in place).
        var scratch: [Int64] = []

        var bytesLeft: Int { bytes.count - at }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard at < bytes.count else { throw Malformed(description: "cut short at byte \(at)") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 70, by: 7) {
                let next = try byte()
                guard shift < 63 || next <= 1 else { throw Malformed(description: "a number over 64 bits at byte \(at)") }
                value |= UInt64(next & 0x7f) << UInt64(shift)
                if next < 0x80 { return value }
            }
            throw Malformed(description: "a number over 10 bytes at byte \(at)")
        }

        /// A count of items each at least `size` bytes long: never more than the bytes left allow.
        mutating func count(atLeast size: Int) throws(Malformed) -> Int {
            let value = try varint()
            guard value <= UInt64((bytes.count - at) / size) else { throw Malformed(description: "a count of \(value) at byte \(at) is more than the file holds") }
            return Int(value)
        }

        mutating func fixed() throws(Malformed) -> UInt64 {
            guard bytes.count - at >= 8 else { throw Malformed(description: "cut short at byte \(at)") }
            var value: UInt64 = 0
            for shift in 0..<8 { value |= UInt64(bytes[at + shift]) << UInt64(shift * 8) }
            at += 8
            return value
        }

        mutating func date() throws(Malformed) -> Date? {
            let value = Int64(bitPattern: try fixed())
            return value == .min ? nil : Date(timeIntervalSince1970: Double(value) / 1000)
        }

        mutating func string() throws(Malformed) -> String {
            let length = try count(atLeast: 1)
            guard length <= StateFileCodec.maximumString else { throw Malformed(description: "a name of \(length) bytes at byte \(at)") }
            guard let text = String(validating: bytes[at..<(at + length)], as: UTF8.self) else { throw Malformed(description: "a name that is not UTF-8 at byte \(at)") }
            at += length
            return text
        }

        mutating func name(in names: [String]) throws(Malformed) -> String {
            let index = try varint()
            guard index < UInt64(names.count) else { throw Malformed(description: "name \(index) of \(names.count) at byte \(at)") }
            return names[Int(index)]
        }

        /// One topic's offsets, appended to the run `poll` began for it: from version 4 a base
        /// (0 for a run of 64-bit offsets), then 32-bit values from it, 0 for none, each 1 more.
        mutating func run(into poll: inout LagHistory.Poll.Builder, format: UInt8) throws(Malformed) {
            let count = try count(atLeast: 1)
            guard count <= LagHistory.Poll.partitionIds.upperBound else { throw Malformed(description: "\(count) partitions of a topic at byte \(at)") }
            guard count <= offsetsLeft else { throw Malformed(description: "more than \(StateFileCodec.maximumOffsets) offsets") }
            offsetsLeft -= count
            let marker = format >= 4 ? try varint() : 0
            guard marker > 0 else { return try offsets(count, into: &poll) }
            let zigzag = marker - 1
            let base = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            // (a base is never Int64.min: its marker would be 0, a run of 64-bit offsets)
            var failure: Malformed?
            poll.addNarrow(base: base, count: count) { values in
                do throws(Malformed) {
                    let highest = try distances(into: values)
                    // every offset base + value, none of them beyond Int64 nor Int64.min (none)
                    guard !base.addingReportingOverflow(Int64(highest)).overflow else { throw Malformed(description: "an offset beyond 64 bits at byte \(at)") }
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
        }

        /// As many values as `values` holds (a varint each: the value plus 1, 0 for none), read in
        /// place into the poll (a window at production scale is 2 million of them; a call a byte
        /// was most of the read); the highest value.
        private mutating func distances(into values: UnsafeMutableBufferPointer<UInt32>) throws(Malformed) -> UInt32 {
            var at = self.at
            let result: Result<UInt32, Malformed> = bytes.withUnsafeBufferPointer { input in
                var highest: UInt32 = 0
                for index in values.indices {
                    var value: UInt64 = 0
                    var shift: UInt64 = 0
                    while true {
                        guard at < input.count else { return .failure(Malformed(description: "cut short at byte \(at)")) }
                        let next = input[at]
                        at += 1
                        value |= UInt64(next & 0x7f) << shift
                        if next < 0x80 { break }
                        // a value of 32 bits is at most 5 bytes
                        guard shift < 28 else { return .failure(Malformed(description: "a 32-bit offset of more than 5 bytes at byte \(at)")) }
                        shift += 7
                    }
                    guard value <= UInt64(LagHistory.Poll.narrowNone) else { return .failure(Malformed(description: "a 32-bit offset of \(value) at byte \(at)")) }
                    if value == 0 {
                        values[index] = LagHistory.Poll.narrowNone
                    } else {
                        let distance = UInt32(value - 1)
                        values[index] = distance
                        highest = max(highest, distance)
                    }
                }
                return .success(highest)
            }
            self.at = at
            return try result.get()
        }

        private mutating func offsets(_ count: Int, into poll: inout LagHistory.Poll.Builder) throws(Malformed) {
            scratch.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                let value = try varint()
                if value == 0 {
                    scratch.append(LagHistory.TopicOffsets.none)
                } else {
                    let zigzag = value - 1
                    scratch.append(Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
                }
            }
            poll.append(contentsOf: scratch)
        }
    }
}

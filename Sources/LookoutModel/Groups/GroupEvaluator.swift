import LookoutConfig

/// The window verdict of a partition or a group (PRODUCT.md, after Burrow), worst last.
public enum GroupVerdict: String, Sendable, CaseIterable, Comparable {
    /// Fewer than `min_samples` polls: no verdict yet (counts as ok).
    case pending
    case ok
    /// Commits move but lag grew at every poll of the window.
    case warn
    /// Commits did not move, lag above the allowance, the group has members.
    case stall
    /// The same with no members: the group is Empty or Dead.
    case stop
    /// A commit went backwards.
    case rewind

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    public var severity: Status {
        switch self {
        case .pending, .ok: .ok
        case .warn: .warn
        case .stall, .stop, .rewind: .crit
        }
    }
}

/// The word a group's `status` shows: its verdict, raised by the thresholds (`warn` by `warn` or
/// `warn_seconds`; `crit` by `crit` or `crit_seconds`), or `unknown` when it could not be read.
public enum GroupStatus: String, Sendable, CaseIterable {
    case pending, ok, warn, stall, stop, rewind, crit, unknown
}

public struct JudgedPartition: Sendable {
    public var offsets: PartitionOffsets
    public var lagSeconds: Double?
    /// Nil for a partition without a commit.
    public var verdict: GroupVerdict?
}

public struct JudgedTopic: Sendable {
    public var topic: String
    public var lag: Int64?
    public var lagSeconds: Double?
    /// Its partitions, 32 bytes each instead of 72 (``Packed``): a judged snapshot at production
    /// scale holds 200,000, and the console and `serve` hold two snapshots while judging anew.
    private var packed: [Packed]

    public init(topic: String, lag: Int64?, lagSeconds: Double?, partitions: [JudgedPartition]) {
        self.topic = topic
        self.lag = lag
        self.lagSeconds = lagSeconds
        packed = partitions.map(Packed.init)
    }

    /// The partitions, made on each read (with the topic's name in each).
    public var partitions: [JudgedPartition] {
        get { packed.map { $0.unpacked(topic: topic) } }
        set { packed = newValue.map(Packed.init) }
    }


    /// One judged partition without its topic's name: `Int64.min` for an offset not read, NaN for
    /// no lag in seconds, 0xff for no verdict.
    struct Packed: Sendable {
        var partition: Int32
        var verdict: UInt8
        var committed: Int64
        var end: Int64
        var lagSeconds: Double

        init(_ judged: JudgedPartition) {
            partition = Int32(clamping: judged.offsets.partition)
            verdict = judged.verdict.flatMap { GroupVerdict.allCases.firstIndex(of: $0) }.map { UInt8($0) } ?? 0xff
            committed = judged.offsets.committed ?? .min
            end = judged.offsets.end ?? .min
            lagSeconds = judged.lagSeconds ?? .nan
        }

        func unpacked(topic: String) -> JudgedPartition {
            JudgedPartition(offsets: PartitionOffsets(topic: topic, partition: Int(partition), committed: committed == .min ? nil : committed,
                                                      end: end == .min ? nil : end),
                            lagSeconds: lagSeconds.isNaN ? nil : lagSeconds,
                            verdict: Int(verdict) < GroupVerdict.allCases.count ? GroupVerdict.allCases[Int(verdict)] : nil)
        }
    }
}

public struct JudgedGroup: Sendable {
    public var observation: GroupObservation
    public var status: GroupStatus
    /// Nil when the group's offsets could not be read.
    public var verdict: GroupVerdict?
    public var severity: Status
    /// The sum over partitions with a lag; nil when none has one.
    public var lag: Int64?
    /// The largest over partitions; nil when none has one.
    public var lagSeconds: Double?
    /// Polls of this group in the window.
    public var samples: Int
    /// Why the status is what it is, for a person.
    public var reason: String
    public var topics: [JudgedTopic]
    /// The group's lag at each poll of the window that read it, oldest first (the console's trend).
    public var lagTrend: [Int64] = []
    /// Messages a second the group consumed over the window: its commits' movement from the first
    /// to the last sample of each partition, summed; nil with fewer than two samples.
    public var consumeRate: Double?
    /// Messages a second produced to the same partitions over the same samples (end offsets' movement).
    public var produceRate: Double?
    /// Time to drain: seconds until the lag is gone if both rates hold, lag ÷ (consumeRate −
    /// produceRate), shown only while the lag falls by more than its noise over the window
    /// (``fallsBeyondNoise(_:)``). 0 when the lag is 0; nil when that net rate is not above 0 (the lag holds or
    /// grows: not draining) or unknown. With producers paused it is lag ÷ the consumption rate.
    public var drainSeconds: Double?

    /// ``drainSeconds`` where the lag falls: above 0 and finite (the snapshot, the exporter and
    /// `check` show it only then; the console shows 0 for a group caught up).
    public var timeToDrain: Double? {
        guard let drainSeconds, drainSeconds.isFinite, drainSeconds > 0, (lag ?? 0) > 0 else { return nil }
        return drainSeconds
    }
}

/// Judges consumer groups over the window of polls. Pure.
public enum GroupEvaluator {
    public static func judge(_ observation: GroupsObservation, config: LagConfig) -> [JudgedGroup] {
        let series = LagSeries(observation.history)
        return observation.groups.indices.map { index in
            let group = observation.groups[index]
            return judge(group, rows: group.partitions(in: series.latest, at: index), series: series, config: config)
        }
    }

    static func judge(_ group: GroupObservation, rows: [PartitionOffsets], series: LagSeries, config: LagConfig) -> JudgedGroup {
        let minSamples = max(2, config.minSamples)
        let samples = min(series.polls(of: group.id), config.window)
        let hasMembers = !(group.state == "Empty" || group.state == "Dead" || group.members == 0)
        var partitions: [JudgedPartition] = []
        partitions.reserveCapacity(rows.count)
        // the worst verdict, the first partition with it and how many have it
        var worst: (verdict: GroupVerdict, reason: Why, first: String, count: Int)?
        var consumeRate = 0.0, produceRate = 0.0, rated = false
        // the window's runs of the topic at hand: rows come topic by topic
        var located: (topic: String, runs: LagSeries.Located)?
        for offsets in rows {
            guard let committed = offsets.committed else {
                partitions.append(JudgedPartition(offsets: offsets, lagSeconds: nil, verdict: nil))
                continue
            }
            let runs: LagSeries.Located
            if let located, located.topic == offsets.topic {
                runs = located.runs
            } else {
                runs = series.locate(group: group.id, topic: offsets.topic)
                located = (offsets.topic, runs)
            }
            let history = series.samples(runs, partition: offsets.partition)
            let (verdict, reason) = Self.verdict(history[...], config: config, hasMembers: hasMembers)
            let windowed = history.suffix(max(1, config.window))
            if let first = windowed.first, let last = windowed.last, last.time > first.time, last.committed >= first.committed {
                consumeRate += (Double(last.committed) - Double(first.committed)) / (last.time - first.time)
                produceRate += Double(offsetLag(end: last.end, committed: first.end)) / (last.time - first.time)
                rated = true
            }
            let seconds = offsets.end == nil ? nil : LagSeconds.estimate(committed: committed, ends: series.ends(runs, partition: offsets.partition),
                                                                         minSamples: minSamples)
            partitions.append(JudgedPartition(offsets: offsets, lagSeconds: seconds, verdict: verdict))
            if let current = worst, current.verdict >= verdict {
                if current.verdict == verdict { worst?.count += 1 }
            } else {
                worst = (verdict, reason, "\(offsets.topic)/\(offsets.partition)", 1)
            }
        }
        let topics = byTopic(partitions).map { topic, partitions in
            JudgedTopic(topic: topic, lag: sum(partitions.map(\.offsets.lag)), lagSeconds: partitions.compactMap(\.lagSeconds).max(),
                        partitions: partitions.sorted { $0.offsets.partition < $1.offsets.partition })
        }
        let lag = sum(partitions.map(\.offsets.lag))
        let lagSeconds = partitions.compactMap(\.lagSeconds).max()

        var verdict: GroupVerdict
        var reasons: [String] = []
        if samples < minSamples {
            verdict = .pending
            reasons.append("\(samples) of \(minSamples) samples")
        } else if let worst {
            verdict = max(worst.verdict, .ok)
            if verdict != .ok {
                let more = worst.count > 1 ? " (and \(worst.count - 1) more partition\(worst.count == 2 ? "" : "s"))" : ""
                reasons.append("\(worst.first)\(more): \(worst.reason)")
            }
        } else {
            verdict = .ok
            reasons.append("no committed offsets")
        }
        if rows.isEmpty, group.error != nil {
            return JudgedGroup(observation: group, status: .unknown, verdict: nil, severity: .unknown, lag: nil, lagSeconds: nil,
                               samples: samples, reason: group.error ?? "", topics: [])
        }

        var threshold = Status.ok
        func over(_ value: Double?, _ limit: Int?, _ what: String, _ unit: String, _ level: Status) {
            guard threshold < level, let value, let limit, value >= Double(limit) else { return }
            threshold = level
            reasons.append("\(what) \(format(value))\(unit) at or above \(level == .crit ? "crit" : "warn")\(unit == "" ? "" : "_seconds") \(limit)\(unit)")
        }
        over(lag.map(Double.init), config.crit, "lag", "", .crit)
        over(lagSeconds, config.critSeconds, "lag", "s", .crit)
        over(lag.map(Double.init), config.warn, "lag", "", .warn)
        over(lagSeconds, config.warnSeconds, "lag", "s", .warn)

        let status: GroupStatus
        switch verdict {
        case .stall, .stop, .rewind: status = GroupStatus(rawValue: verdict.rawValue)!
        case .pending, .ok, .warn:
            status = threshold == .crit ? .crit : (verdict == .warn || threshold == .warn ? .warn : GroupStatus(rawValue: verdict.rawValue)!)
        }
        var severity = max(verdict.severity, threshold)
        if let error = group.error {
            severity = max(severity, .unknown)
            reasons.append(error)
        }
        if reasons.isEmpty { reasons.append(lag == 0 ? "caught up" : "commits move") }
        var drain: Double?
        let trend = Array(series.lagSeries(group: group.id).suffix(max(1, config.window)))
        if lag == 0 {
            drain = 0
        } else if let lag, rated, consumeRate - produceRate > 0, Self.fallsBeyondNoise(trend) {
            let seconds = Double(lag) / (consumeRate - produceRate)
            drain = seconds.isFinite ? seconds : nil
        }
        return JudgedGroup(observation: group, status: status, verdict: verdict, severity: severity, lag: lag, lagSeconds: lagSeconds,
                           samples: samples, reason: reasons.joined(separator: "; "), topics: topics,
                           lagTrend: trend.map(\.lag),
                           consumeRate: rated ? consumeRate : nil, produceRate: rated ? produceRate : nil, drainSeconds: drain)
    }

    /// The partitions by topic, topics in order: in one pass when they come topic by topic (as a
    /// group's rows do), through a dictionary otherwise.
    private static func byTopic(_ partitions: [JudgedPartition]) -> [(topic: String, partitions: [JudgedPartition])] {
        var result: [(topic: String, partitions: [JudgedPartition])] = []
        for partition in partitions {
            if let last = result.last, last.topic == partition.offsets.topic {
                result[result.count - 1].partitions.append(partition)
            } else if let last = result.last, last.topic > partition.offsets.topic {
                return Dictionary(grouping: partitions, by: \.offsets.topic).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            } else {
                result.append((partition.offsets.topic, [partition]))
            }
        }
        return result
    }

    /// Whether the lag has fallen over the window by more than its noise: the least-squares line
    /// through (time, lag) falls, and by more over the window than three times the spread of the lags
    /// around that line. A small lag that wanders (1 to 6) has no time to drain; one that a
    /// consumer works down (300, 200, 100, 50) has. At least three polls.
    static func fallsBeyondNoise(_ points: [(time: Double, lag: Int64)]) -> Bool {
        guard points.count >= 3, let first = points.first?.time, let last = points.last?.time, last > first else { return false }
        let n = Double(points.count)
        let meanTime = points.map(\.time).reduce(0, +) / n
        let meanLag = points.map { Double($0.lag) }.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for point in points {
            sxx += (point.time - meanTime) * (point.time - meanTime)
            sxy += (point.time - meanTime) * (Double(point.lag) - meanLag)
        }
        guard sxx > 0 else { return false }
        let slope = sxy / sxx
        guard slope < 0 else { return false }
        var squares = 0.0
        for point in points {
            let residual = Double(point.lag) - (meanLag + slope * (point.time - meanTime))
            squares += residual * residual
        }
        let spread = (squares / (n - 2)).squareRoot()
        let fall = -slope * (last - first)
        return fall.isFinite && fall > 3 * spread
    }

    /// One partition's verdict over its samples (committed, end), oldest first; the last
    /// `window` count, and fewer than `min_samples` are pending.
    public static func partitionVerdict(_ samples: [(committed: Int64, end: Int64)], config: LagConfig, hasMembers: Bool) -> (GroupVerdict, String) {
        let (verdict, why) = verdict(samples.map { LagSeries.Sample(time: 0, committed: $0.committed, end: $0.end) }[...], config: config, hasMembers: hasMembers)
        return (verdict, why.description)
    }

    /// Why a partition has its verdict, made into words only for the one a group's reason names
    /// (at production scale 200,000 partitions are judged a poll, most of them alike).
    enum Why: CustomStringConvertible {
        case none
        case pending(samples: Int, of: Int)
        case rewind(from: Int64, to: Int64)
        case stuck(at: Int64, polls: Int, lag: Int64, allowance: Int64, members: Bool)
        case grew(polls: Int, from: Int64, to: Int64)

        var description: String {
            switch self {
            case .none: ""
            case .pending(let samples, let of): "\(samples) of \(of) samples"
            case .rewind(let from, let to): "a commit went back from \(from) to \(to)"
            case .stuck(let at, let polls, let lag, let allowance, let members):
                "commits stuck at \(at) for \(polls) polls while lag is \(lag)" + (allowance > 0 ? " (allowance \(allowance))" : "")
                    + (members ? "" : "; the group has no members")
            case .grew(let polls, let from, let to): "lag grew at every one of the last \(polls) polls (\(from) → \(to)) while commits moved"
            }
        }
    }

    static func verdict(_ samples: ArraySlice<LagSeries.Sample>, config: LagConfig, hasMembers: Bool) -> (GroupVerdict, Why) {
        let window = samples.suffix(config.window)
        let minSamples = max(2, config.minSamples)
        guard window.count >= minSamples else { return (.pending, .pending(samples: window.count, of: minSamples)) }
        for (a, b) in zip(window, window.dropFirst()) where b.committed < a.committed {
            return (.rewind, .rewind(from: a.committed, to: b.committed))
        }
        let first = window[window.startIndex], last = window[window.index(before: window.endIndex)]
        let lag = last.lag
        let allowance = Int64(config.allowance)
        if window.allSatisfy({ $0.committed == first.committed }) {
            guard lag > allowance else { return (.ok, .none) }
            return (hasMembers ? .stall : .stop, .stuck(at: first.committed, polls: window.count, lag: lag, allowance: allowance, members: hasMembers))
        }
        if lag > allowance, zip(window, window.dropFirst()).allSatisfy({ $1.lag > $0.lag }) {
            return (.warn, .grew(polls: window.count, from: first.lag, to: lag))
        }
        return (.ok, .none)
    }

    /// A finding per group that is not ok, worst first.
    public static func findings(_ groups: [JudgedGroup]) -> [Finding] {
        groups.filter { $0.severity != .ok }.sorted { $0.severity > $1.severity }.map { group in
            Finding(status: group.severity, source: "groups", object: group.observation.id, message: "\(group.status.rawValue): \(group.reason)")
        }
    }

    private static func sum(_ values: [Int64?]) -> Int64? {
        let known = values.compactMap { $0 }
        return known.isEmpty ? nil : known.reduce(0) { $0.saturatingPlus($1) }
    }

    /// A whole number without its `.0`; a value beyond what Int64 holds as it is.
    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String((value * 10).rounded() / 10)
    }
}

import Foundation
import LookoutModel
import LookoutSources

/// Consumer groups and lag: a row per watched group per environment, judged over the window of
/// polls (status, lag, lag in seconds, the lag's trend, time to drain, why). Enter opens the
/// group's partitions.
enum GroupsRender {
    static let columns = 10

    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .groups, columns: columns) { info, snapshot in
            (snapshot.groups ?? []).map { group in
                let observed = group.observation
                return Row([Cells.environment(info), TableCell(observed.id), status(group, context.symbols),
                            TableCell(observed.state ?? "-", observed.state == nil ? .dim : .text),
                            TableCell(observed.members.map(String.init) ?? "-"),
                            TableCell(group.lag.map(String.init) ?? "-"),
                            TableCell(group.lagSeconds.map(seconds) ?? "-", group.lagSeconds == nil ? .dim : .text),
                            TableCell(sparkline(group.lagTrend, ascii: context.symbols.isASCII), .status(StatusRole(group.severity))),
                            TableCell(group.drainSeconds.map(seconds) ?? "-", group.drainSeconds == nil ? .dim : .text),
                            TableCell(group.reason, group.severity == .ok ? .dim : .status(StatusRole(group.severity)))],
                    environment: info.name,
                    drill: Location(view: PartitionsView.view.name, environment: info.name, object: observed.id))
            }
        }
    }

    /// The group's status word with the symbol of its severity (pending has its own).
    static func status(_ group: JudgedGroup, _ symbols: StatusSymbols) -> TableCell {
        let role: StatusRole = group.status == .pending ? .pending : StatusRole(group.severity)
        return TableCell("\(symbols.symbol(role)) \(group.status.rawValue)", .status(role))
    }

    static let blocks = Array("▁▂▃▄▅▆▇█")
    static let asciiBlocks = Array("_.,:-=+#")

    /// A sparkline, one character per sample, scaled from the window's smallest lag to its largest
    /// (a lag that holds still draws a flat line: the lowest level at 0, the middle one otherwise).
    static func sparkline(_ values: [Int64], ascii: Bool) -> String {
        let levels = ascii ? asciiBlocks : blocks
        guard let low = values.min(), let high = values.max() else { return "" }
        return String(values.map { value -> Character in
            if high == low { return high == 0 ? levels[0] : levels[levels.count / 2 - 1] }
            let index = Int((Double(value - low) / Double(high - low) * Double(levels.count - 1)).rounded())
            return levels[min(levels.count - 1, max(0, index))]
        })
    }

    /// Seconds, short: `0s`, `0.4s`, `7.5s`, `42s`, `12m`, `3h`.
    static func seconds(_ value: Double) -> String {
        if value == 0 { return "0s" }
        if value < 10 { return String(format: "%.1fs", value) }
        // Seconds worked out from broker offsets can be anything: beyond a century is "long".
        guard value.isFinite, value < 3_155_760_000 else { return "long" }
        return shortAge(Int(value.rounded()))
    }
}

/// One group's partitions (or every watched group's, when the view is not narrowed to one):
/// committed and end offsets, lag, lag in seconds and the partition's window verdict.
enum PartitionsRender {
    static func rows(_ context: ViewContext) -> [Row] {
        ResourceRows.build(context, source: .groups, columns: 9) { info, snapshot in
            (snapshot.groups ?? []).filter { context.object == nil || $0.observation.id == context.object }.flatMap { group in
                group.topics.flatMap(\.partitions).map { partition in
                    let offsets = partition.offsets
                    let verdict: TableCell = partition.verdict.map { verdict in
                        let role: StatusRole = verdict == .pending ? .pending : StatusRole(verdict.severity)
                        return TableCell("\(context.symbols.symbol(role)) \(verdict.rawValue)", .status(role))
                    } ?? TableCell("no commit", .dim)
                    return Row([Cells.environment(info), TableCell(group.observation.id), TableCell(offsets.topic),
                                TableCell("\(offsets.partition)"), TableCell(offsets.committed.map(String.init) ?? "-"),
                                TableCell(offsets.end.map(String.init) ?? "-"), TableCell(offsets.lag.map(String.init) ?? "-"),
                                TableCell(partition.lagSeconds.map(GroupsRender.seconds) ?? "-"), verdict],
                               environment: info.name)
                }
            }
        }
    }
}

import Foundation
import LookoutModel

extension Snapshot {
    /// The human table of `snapshot --format table`.
    public var table: String {
        var out = "lookout snapshot at \(rfc3339(generatedAt)): \(status.rawValue.uppercased())\n"
        for environment in environments {
            out += "\n\(environment.name)\(environment.protected ? " [protected]" : ""): \(environment.status.rawValue.uppercased())\n"
            out += Self.format(rows: [["SOURCE", "STATUS", "AGE", "TOOK", "ERROR"]] + environment.sources.map { source in
                [source.name, source.status.rawValue, source.ageSeconds.map { "\($0)s" } ?? "-", "\(source.durationMs)ms", source.error ?? ""]
            })
            for source in SourceRegistry.placed(by: \.table) {
                out += source.table(environment)
            }
            for finding in environment.findings {
                out += "  \(finding.status.rawValue.uppercased()) \(finding.source) \(finding.object.terminalSafe): \(finding.message.terminalSafe)\n"
            }
        }
        return out
    }

    static func cell(_ value: Int64?) -> String {
        value.map(String.init) ?? "-"
    }

    static func cell(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? "-"
    }

    /// Every cell through `terminalSafe`: most of them hold names and messages from outside.
    public static func format(rows: [[String]], indent: Int = 2) -> String {
        let rows = rows.map { $0.map(\.terminalSafe) }
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            String(repeating: " ", count: indent) + row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

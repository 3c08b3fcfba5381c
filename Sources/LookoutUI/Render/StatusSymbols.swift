import Foundation
import LookoutModel

/// The symbol per status, from the theme, so a cell reads without colour.
public struct StatusSymbols: Sendable, Equatable {
    public var symbols: [StatusRole: String]

    public init(_ symbols: [StatusRole: String]) {
        self.symbols = symbols
    }

    public static let standard = StatusSymbols([
        .ok: "●", .warn: "▲", .crit: "✖", .unknown: "?", .pending: "…", .loading: "…", .unavailable: "-",
    ])

    public func symbol(_ role: StatusRole) -> String { symbols[role] ?? Self.standard.symbols[role] ?? "?" }

    /// Whether every status symbol in force is ASCII: then trends are drawn in ASCII too.
    public var isASCII: Bool {
        StatusRole.allCases.allSatisfy { symbol($0).unicodeScalars.allSatisfy(\.isASCII) }
    }
}

extension StatusRole {
    public init(_ status: Status) {
        switch status {
        case .ok: self = .ok
        case .warn: self = .warn
        case .unknown: self = .unknown
        case .crit: self = .crit
        }
    }
}

/// Shared cell makers for the renderers.
enum Cells {
    static func status(_ status: Status, _ symbols: StatusSymbols) -> TableCell {
        let role = StatusRole(status)
        return TableCell("\(symbols.symbol(role)) \(status.rawValue)", .status(role))
    }

    static func loading(_ symbols: StatusSymbols) -> TableCell {
        TableCell("\(symbols.symbol(.loading)) loading", .status(.loading))
    }

    static func unavailable(_ text: String = "n/a") -> TableCell {
        TableCell(text, .status(.unavailable))
    }

    static func flag(_ value: Bool?, yes: String = "yes", no: String = "no") -> TableCell {
        switch value {
        case true?: TableCell(yes, .status(.warn))
        case false?: TableCell(no)
        case nil: TableCell("-", .dim)
        }
    }

    static func environment(_ info: EnvironmentInfo) -> TableCell {
        TableCell(info.name + (info.protected ? " [P]" : ""), info.protected ? .protected : .accent(info.name))
    }

    static func date(_ date: Date?) -> TableCell {
        guard let date else { return TableCell("-", .dim) }
        return TableCell(timestamp(date))
    }
}

/// A short age: `45s`, `12m`, `3h`, `2d`.
public func shortAge(_ seconds: Int) -> String {
    let s = max(0, seconds)
    if s < 120 { return "\(s)s" }
    if s < 7200 { return "\(s / 60)m" }
    if s < 172_800 { return "\(s / 3600)h" }
    return "\(s / 86400)d"
}

/// `2024-05-01 12:00:03Z`: a time in UTC, short enough for a column.
func timestamp(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
    return formatter.string(from: date)
}

/// A column of a view's table.
public struct Column: Sendable {
    public var title: String
    /// Never narrower than this (when the column is shown at all).
    public var minWidth: Int
    /// Never wider than this; nil: as wide as its widest cell.
    public var maxWidth: Int?
    /// Takes the width that is left over (at most one per table: the last one wins).
    public var flexible: Bool
    public var alignRight: Bool
    /// Columns with a lower priority are dropped first when the terminal is too narrow.
    public var priority: Int

    public init(_ title: String, min: Int = 3, max: Int? = nil, flexible: Bool = false, alignRight: Bool = false, priority: Int = 5) {
        self.title = title
        minWidth = Swift.max(min, 1)
        maxWidth = max
        self.flexible = flexible
        self.alignRight = alignRight
        self.priority = priority
    }
}

/// One cell of a table row.
public struct TableCell: Sendable, Equatable {
    public var text: String
    public var role: Role

    public init(_ text: String, _ role: Role = .text) {
        self.text = text
        self.role = role
    }
}

/// One row: its cells and what Enter on it leads to.
public struct Row: Sendable, Equatable {
    public var cells: [TableCell]
    /// The environment the row belongs to.
    public var environment: String?
    /// Where Enter leads from this row, if anywhere.
    public var drill: Location?
    /// The object the row shows, by its name in the config (a service, a secret): what an action key acts on.
    public var target: String?
    /// The finding the row shows, as `source object`: what `e` narrows `:events` to.
    public var finding: String?

    public init(_ cells: [TableCell], environment: String? = nil, drill: Location? = nil, target: String? = nil, finding: String? = nil) {
        self.cells = cells
        self.environment = environment
        self.drill = drill
        self.target = target
        self.finding = finding
    }

    /// Whether the row matches a filter: case-insensitive, on any cell's text. An ASCII filter is
    /// searched in each cell's UTF-8 bytes in place, ASCII letters folded as they are read (no
    /// copy); anything else compares lowercased text. Foundation's localized comparison cost
    /// 15 ms a keystroke over 1,000 rows.
    public func matches(_ filter: String) -> Bool {
        guard !filter.isEmpty else { return true }
        let needle = Array(filter.lowercased().utf8)
        if needle.contains(where: { $0 >= 0x80 }) {
            let lowered = filter.lowercased()
            return cells.contains { $0.text.lowercased().contains(lowered) }
        }
        return cells.contains { Self.containsASCII($0.text, needle) }
    }

    static func containsASCII(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) {
                var matched = 0
                while matched < needle.count {
                    let byte = bytes[start + matched]
                    let folded = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                    if folded != needle[matched] { break }
                    matched += 1
                }
                if matched == needle.count { return true }
            }
            return false
        }
    }
}

/// Fits columns into a width: each as wide as its content (within its bounds), the flexible one
/// takes what is left, and when even the minimums do not fit, the lowest-priority columns go.
public enum TableLayout {
    public static let gap = 1

    /// The width of each column, nil for a column that does not fit.
    public static func widths(columns: [Column], rows: [Row], width: Int) -> [Int?] {
        var ideal = columns.enumerated().map { index, column in
            let content = rows.map { index < $0.cells.count ? TextWidth.of($0.cells[index].text) : 0 }.max() ?? 0
            let wanted = max(TextWidth.of(column.title), content, column.minWidth)
            return min(wanted, column.maxWidth ?? wanted)
        }
        var shown = Array(repeating: true, count: columns.count)
        func total() -> Int {
            let widths = zip(ideal, shown).filter(\.1).map(\.0)
            return widths.reduce(0, +) + max(0, widths.count - 1) * gap
        }
        // Shrink towards the minimums, the flexible column first, then the widest.
        while total() > width {
            let candidates = columns.indices.filter { shown[$0] && ideal[$0] > columns[$0].minWidth }
            if let flexible = candidates.last(where: { columns[$0].flexible }) {
                ideal[flexible] = max(columns[flexible].minWidth, ideal[flexible] - (total() - width))
                continue
            }
            if let widest = candidates.max(by: { ideal[$0] < ideal[$1] }) {
                ideal[widest] -= 1
                continue
            }
            // Drop the lowest-priority column, the rightmost among equals; the first column stays.
            guard let drop = columns.indices.dropFirst().filter({ shown[$0] }).min(by: {
                columns[$0].priority != columns[$1].priority ? columns[$0].priority < columns[$1].priority : $0 > $1
            }) else { break }
            shown[drop] = false
        }
        if let flexible = columns.indices.last(where: { shown[$0] && columns[$0].flexible }) {
            ideal[flexible] += max(0, width - total())
        }
        return columns.indices.map { shown[$0] ? min(ideal[$0], width) : nil }
    }
}

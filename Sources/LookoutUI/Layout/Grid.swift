/// What a piece of the screen means; the theme turns it into colours and attributes.
public enum Role: Hashable, Sendable {
    case text, dim, title, header, selection, statusLine, prompt, message, protected, readOnly, help
    case status(StatusRole)
    /// An environment's accent colour, by name.
    case accent(String)
}

/// The statuses a cell can show: the model's four, and the console's own.
public enum StatusRole: String, Hashable, Sendable, CaseIterable {
    case ok, warn, unknown, crit, pending
    /// Not polled yet.
    case loading
    /// Not configured.
    case unavailable
}

/// One terminal column. A wide character fills its first cell; the next cell is a continuation
/// with empty text and width 0.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var width: Int
    public var role: Role

    public static func blank(_ role: Role) -> Cell { Cell(text: " ", width: 1, role: role) }
    static func continuation(_ role: Role) -> Cell { Cell(text: "", width: 0, role: role) }
}

/// A frame: what the terminal shows, as cells. Built by pure code, drawn by `Terminal`.
public struct Grid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var rows: [[Cell]]

    public init(width: Int, height: Int, role: Role = .text) {
        self.width = max(0, width)
        self.height = max(0, height)
        rows = Array(repeating: Array(repeating: .blank(role), count: max(0, width)), count: max(0, height))
    }

    /// Fills a whole row with blanks of a role (a bar).
    public mutating func fill(row y: Int, role: Role) {
        guard y >= 0, y < height else { return }
        rows[y] = Array(repeating: .blank(role), count: width)
    }

    /// Writes text from column x, at most `limit` columns (default: to the edge); returns the columns used.
    /// A wide character that does not fit whole is left out, not cut in half.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var column = x
        for character in text {
            let w = TextWidth.of(character)
            if w == 0 { continue }
            guard column + w <= end else { break }
            if rows[y][column].width == 0, column > 0 { rows[y][column - 1] = .blank(rows[y][column - 1].role) }
            rows[y][column] = Cell(text: String(character), width: w, role: role)
            if w == 2 { rows[y][column + 1] = .continuation(role) }
            column += w
            if column < width, rows[y][column].width == 0, column > x {
                rows[y][column] = .blank(role)
            }
        }
        return column - x
    }

    /// The text of one row, as a terminal would show it (for tests and the help screen).
    public func line(_ y: Int) -> String {
        rows[y].map(\.text).joined()
    }

    public var lines: [String] { (0..<height).map(line) }
}

import LookoutConfig

/// A theme ready to use: the built-in defaults with a theme file's entries on top, field by field,
/// so a missing colour or symbol falls back instead of failing.
public struct Theme: Sendable, Equatable {
    public var file: ThemeFile
    public let source: String

    public init(file: ThemeFile, source: String) {
        self.file = file
        self.source = source
    }

    /// The defaults every theme falls back to (the same as `Themes/default.yaml`).
    public static let builtIn = Theme(file: ThemeFile(file: "(built in)", status: [
        "ok": ThemeStyle(fg: color(2), symbol: "●"),
        "warn": ThemeStyle(fg: color(3), symbol: "▲"),
        "crit": ThemeStyle(fg: color(1), bold: true, symbol: "✖"),
        "unknown": ThemeStyle(fg: color(5), symbol: "?"),
        "pending": ThemeStyle(fg: color(6), symbol: "…"),
        "loading": ThemeStyle(fg: color(6), symbol: "…"),
        "unavailable": ThemeStyle(fg: color(8, 7), symbol: "-"),
    ], ui: [
        "text": ThemeStyle(),
        "dim": ThemeStyle(fg: color(8, 7)),
        "title": ThemeStyle(bold: true),
        "header": ThemeStyle(fg: color(0), bg: color(6)),
        "selection": ThemeStyle(fg: color(0), bg: color(7)),
        "status_line": ThemeStyle(fg: color(7), bg: color(4)),
        "prompt": ThemeStyle(bold: true),
        "message": ThemeStyle(fg: color(3), bold: true),
        "protected": ThemeStyle(fg: color(1), bold: true),
        "read_only": ThemeStyle(fg: color(3), bg: color(4), bold: true),
        "help": ThemeStyle(),
    ]), source: "(built in)")

    private static func color(_ candidates: Int...) -> ThemeColor { ThemeColor(candidates: candidates) }

    /// A theme file over the built-in defaults.
    public static func over(_ file: ThemeFile) -> Theme {
        var merged = builtIn.file
        merged.file = file.file
        for (key, style) in file.status { merged.status[key] = merge(merged.status[key], style) }
        for (key, style) in file.ui { merged.ui[key] = merge(merged.ui[key], style) }
        merged.environments = file.environments
        return Theme(file: merged, source: file.file)
    }

    private static func merge(_ base: ThemeStyle?, _ top: ThemeStyle) -> ThemeStyle {
        var result = base ?? ThemeStyle()
        if let fg = top.fg { result.fg = fg }
        if let bg = top.bg { result.bg = bg }
        if let bold = top.bold { result.bold = bold }
        if let underline = top.underline { result.underline = underline }
        if let reverse = top.reverse { result.reverse = reverse }
        if let symbol = top.symbol { result.symbol = symbol }
        return result
    }

    public var symbols: StatusSymbols {
        var symbols: [StatusRole: String] = [:]
        for role in StatusRole.allCases { symbols[role] = file.status[role.rawValue]?.symbol }
        return StatusSymbols(symbols.compactMapValues { $0 })
    }

    /// The style of a role; an environment without an accent gets plain text.
    public func style(_ role: Role) -> ThemeStyle {
        switch role {
        case .status(let status): file.status[status.rawValue] ?? ThemeStyle()
        case .accent(let name): file.environments[name] ?? file.ui["text"] ?? ThemeStyle()
        case .text: file.ui["text"] ?? ThemeStyle()
        case .dim: file.ui["dim"] ?? ThemeStyle()
        case .title: file.ui["title"] ?? ThemeStyle()
        case .header: file.ui["header"] ?? ThemeStyle()
        case .selection: file.ui["selection"] ?? ThemeStyle()
        case .statusLine: file.ui["status_line"] ?? ThemeStyle()
        case .prompt: file.ui["prompt"] ?? ThemeStyle()
        case .message: file.ui["message"] ?? ThemeStyle()
        case .protected: file.ui["protected"] ?? ThemeStyle()
        case .readOnly: file.ui["read_only"] ?? ThemeStyle()
        case .help: file.ui["help"] ?? ThemeStyle()
        }
    }
}

/// Picks the colour a terminal can show from a theme's candidates.
public enum ColorFallback {
    /// The first candidate the terminal has (`colors` is curses' COLORS); failing that, the first
    /// candidate mapped to the nearest of the 8 basic colours; -1 (the terminal's default) for none.
    public static func resolve(_ color: ThemeColor?, colors: Int) -> Int {
        guard let color, let first = color.candidates.first else { return -1 }
        if let fits = color.candidates.first(where: { $0 < colors }) { return fits }
        return basic(first)
    }

    /// The nearest of the 8 basic colours to a 256-colour index (xterm's palette).
    public static func basic(_ index: Int) -> Int {
        switch index {
        case ..<0: return -1
        case 0..<8: return index
        case 8..<16: return index == 8 ? 0 : index - 8
        case 16..<232:
            let n = index - 16
            let levels = [0, 95, 135, 175, 215, 255]
            let rgb: (Int, Int, Int) = (levels[n / 36], levels[(n / 6) % 6], levels[n % 6])
            return nearestBasic(rgb)
        default:
            let level = 8 + (index - 232) * 10
            return level < 128 ? 0 : 7
        }
    }

    private static func nearestBasic(_ rgb: (Int, Int, Int)) -> Int {
        let palette: [(Int, Int, Int)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229)]
        var best = 0
        var bestDistance = Int.max
        for (index, p) in palette.enumerated() {
            let red: Int = p.0 - rgb.0
            let green: Int = p.1 - rgb.1
            let blue: Int = p.2 - rgb.2
            let d: Int = red * red + green * green + blue * blue
            if d < bestDistance {
                bestDistance = d
                best = index
            }
        }
        return best
    }
}

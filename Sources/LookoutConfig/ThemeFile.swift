import Foundation
import Yams

/// A console theme file (`Themes/*.yaml`), decoded and checked the way the config is: every
/// mistake names file, line, column and key. Turning it into terminal colours is the console's job.
public struct ThemeFile: Sendable, Equatable {
    /// Keys of `status:`: one style (and symbol) per status, plus the console's own states.
    public static let statusKeys = ["ok", "warn", "unknown", "crit", "pending", "loading", "unavailable"]
    /// Keys of `ui:`.
    public static let uiKeys = ["text", "dim", "title", "header", "selection", "status_line", "prompt", "message", "protected", "read_only", "help"]

    public var file: String
    public var status: [String: ThemeStyle]
    public var ui: [String: ThemeStyle]
    /// An accent per environment name, for its name in the overview and the status line.
    public var environments: [String: ThemeStyle]

    public init(file: String, status: [String: ThemeStyle] = [:], ui: [String: ThemeStyle] = [:], environments: [String: ThemeStyle] = [:]) {
        self.file = file
        self.status = status
        self.ui = ui
        self.environments = environments
    }

    /// Reads and decodes a theme file.
    public static func load(path: String) throws(ConfigError) -> ThemeFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 1, column: 1, keyPath: "", message: "cannot read the theme file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 1, column: 1, keyPath: "", message: "the theme file is not UTF-8 text")
        }
        return try decode(yaml: text, file: path)
    }

    public static func decode(yaml text: String, file: String) throws(ConfigError) -> ThemeFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return ThemeFile(file: file) }
            root = node
        } catch let error as YamlError {
            throw ConfigError(yamlError: error, file: file)
        } catch {
            throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "cannot read YAML: \(error)")
        }
        let top = try ConfigValue(node: root, path: KeyPath(), file: file).mapping(keys: ["status", "ui", "environments"])
        var theme = ThemeFile(file: file)
        theme.status = try styles(top.value("status"), keys: statusKeys)
        theme.ui = try styles(top.value("ui"), keys: uiKeys)
        theme.environments = try styles(top.value("environments"), keys: nil)
        return theme
    }

    private static func styles(_ value: ConfigValue?, keys: [String]?) throws(ConfigError) -> [String: ThemeStyle] {
        guard let value else { return [:] }
        let names: [String]
        if let keys {
            names = keys
        } else {
            guard case .mapping(let mapping) = value.node else { throw value.error("expected a mapping of environment names to styles") }
            names = mapping.compactMap { $0.key.string }
        }
        let mapping = try value.mapping(keys: names)
        var result: [String: ThemeStyle] = [:]
        for name in names {
            if let style = mapping.value(name) { result[name] = try ThemeStyle.decode(style) }
        }
        return result
    }
}

/// One style: colours, attributes and, for statuses, the symbol that makes it readable without colour.
public struct ThemeStyle: Sendable, Equatable {
    public var fg: ThemeColor?
    public var bg: ThemeColor?
    public var bold: Bool?
    public var underline: Bool?
    public var reverse: Bool?
    public var symbol: String?

    public init(fg: ThemeColor? = nil, bg: ThemeColor? = nil, bold: Bool? = nil, underline: Bool? = nil, reverse: Bool? = nil, symbol: String? = nil) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
        self.symbol = symbol
    }

    static func decode(_ value: ConfigValue) throws(ConfigError) -> ThemeStyle {
        let mapping = try value.mapping(keys: ["fg", "bg", "bold", "underline", "reverse", "symbol"])
        var style = ThemeStyle()
        style.fg = try mapping.value("fg").map { v throws(ConfigError) in try ThemeColor.decode(v) }
        style.bg = try mapping.value("bg").map { v throws(ConfigError) in try ThemeColor.decode(v) }
        style.bold = try mapping.value("bold")?.bool()
        style.underline = try mapping.value("underline")?.bool()
        style.reverse = try mapping.value("reverse")?.bool()
        if let symbol = mapping.value("symbol") {
            let text = try symbol.string()
            guard text.count == 1 else { throw symbol.error("a symbol is one character, found `\(text)`") }
            style.symbol = text
        }
        return style
    }
}

/// A colour as a list of candidates, best first: a 256-colour index with an 8-colour fallback is
/// `[208, yellow]`. A number the terminal cannot show falls back to the nearest of the 8 basic colours.
public struct ThemeColor: Sendable, Equatable {
    /// Curses colour numbers; -1 is the terminal's default colour.
    public var candidates: [Int]

    public init(candidates: [Int]) {
        self.candidates = candidates
    }

    public static let names: [String: Int] = [
        "default": -1, "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright_black": 8, "gray": 8, "grey": 8, "bright_red": 9, "bright_green": 10, "bright_yellow": 11,
        "bright_blue": 12, "bright_magenta": 13, "bright_cyan": 14, "bright_white": 15,
    ]

    static func decode(_ value: ConfigValue) throws(ConfigError) -> ThemeColor {
        if case .sequence = value.node {
            let items = try value.list()
            guard !items.isEmpty else { throw value.error("expected at least one colour") }
            var candidates: [Int] = []
            for item in items { candidates.append(try one(item)) }
            return ThemeColor(candidates: candidates)
        }
        return ThemeColor(candidates: [try one(value)])
    }

    private static func one(_ value: ConfigValue) throws(ConfigError) -> Int {
        let text = try value.scalarText(expected: "a colour name or a number 0-255")
        if let number = Int(text) {
            guard (0...255).contains(number) else { throw value.error("a colour number is 0-255, found \(number)") }
            return number
        }
        if let named = names[text.lowercased()] { return named }
        if let suggestion = nearest(to: text.lowercased(), among: Array(names.keys).sorted()) {
            throw value.error("unknown colour `\(text)`; did you mean `\(suggestion)`?")
        }
        throw value.error("unknown colour `\(text)`; expected a name (\(names.keys.sorted().joined(separator: ", "))) or a number 0-255")
    }
}

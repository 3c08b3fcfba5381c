/// A key press, as the console understands it (the terminal layer decodes curses codes into this).
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab
    /// The terminal changed size.
    case resize

    /// How the help screen names it.
    public var label: String {
        switch self {
        case .char(let c):
            if let ascii = c.asciiValue, ascii < 32 { "Ctrl-" + String(Character(Unicode.Scalar(ascii + 64))) } else { String(c) }
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .tab: "Tab"
        case .resize: "resize"
        }
    }
}

/// Where the console is: a view, the environment it is narrowed to (nil: all), and the one
/// object of that view it is narrowed to (a consumer group in `:partitions`; nil: all).
public struct Location: Hashable, Sendable {
    public var view: String
    public var environment: String?
    public var object: String?

    public init(view: String, environment: String? = nil, object: String? = nil) {
        self.view = view
        self.environment = environment
        self.object = object
    }
}

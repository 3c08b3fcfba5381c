/// What a key does in the console.
public enum KeyAction: String, Hashable, Sendable, CaseIterable {
    case quit, help, command, filter, drillIn, back, up, down, pageUp, pageDown, top, bottom, refresh
    /// `:events` of the selected environment; on a finding, the hour before it began.
    case events
    /// Actions on the selected row (dangerous: read-only mode has none of them).
    case roll, rotate, restore, reissue
    /// Shows the action panel that Esc hid (the action went on).
    case showAction

    /// The console action a key starts, for the action keys.
    public var consoleAction: ConsoleAction.Kind? {
        switch self {
        case .roll: .roll
        case .rotate: .rotate
        case .restore: .restore
        case .reissue: .reissue
        case .quit, .help, .command, .filter, .drillIn, .back, .up, .down, .pageUp, .pageDown, .top, .bottom, .refresh, .events, .showAction: nil
        }
    }
}

/// One entry of the key map: the keys, what they do in words, whether they change anything
/// outside the console (read-only mode drops those), and the views they work in (empty: every view).
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: KeyAction
    public var description: String
    public var dangerous: Bool
    public var views: [String]

    public init(_ keys: [Key], _ action: KeyAction, _ description: String, dangerous: Bool = false, views: [String] = []) {
        self.keys = keys
        self.action = action
        self.description = description
        self.dangerous = dangerous
        self.views = views
    }

    public func applies(in view: String?) -> Bool {
        views.isEmpty || view.map(views.contains) == true
    }
}

/// The one key map: `?` help, the status line's hints and the key handling all read it.
public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [KeyBinding]

    public init(_ bindings: [KeyBinding]) {
        self.bindings = bindings
    }

    /// k9s's conventions. The action keys are capitals, so a stray lower-case key never opens a
    /// dialog (`r` refreshes, as before); each opens the plan for confirmation, never acts at once.
    public static let standard = KeyMap([
        KeyBinding([.char("?")], .help, "Show the keys (this list)"),
        KeyBinding([.char(":")], .command, "Switch view by name: :certs, :secrets, :env prod (Tab completes)"),
        KeyBinding([.char("/")], .filter, "Filter the rows (Esc clears)"),
        KeyBinding([.enter], .drillIn, "Drill into the selected row"),
        KeyBinding([.escape], .back, "Back to the previous view; clear the filter"),
        KeyBinding([.char("j"), .down], .down, "Next row"),
        KeyBinding([.char("k"), .up], .up, "Previous row"),
        KeyBinding([.pageDown], .pageDown, "Next page"),
        KeyBinding([.pageUp], .pageUp, "Previous page"),
        KeyBinding([.char("g"), .home], .top, "First row"),
        KeyBinding([.char("G"), .end], .bottom, "Last row"),
        KeyBinding([.char("r")], .refresh, "Refresh every environment now"),
        KeyBinding([.char("e")], .events, "What changed here (on a finding: the hour before it began)",
                   views: [OverviewView.view.name, EnvironmentView.view.name]),
        KeyBinding([.char("q"), .char("\u{3}")], .quit, "Quit"),
        KeyBinding([.char("R")], .roll, "Roll the selected service (its plan first, y runs it)", dangerous: true, views: [ServicesView.view.name]),
        KeyBinding([.char("R")], .rotate, "Rotate the selected secret (its plan first)", dangerous: true,
                   views: [SecretsView.view.name]),
        KeyBinding([.char("P")], .restore, "Restore the secret's `previous` version (plan first)", dangerous: true,
                   views: [SecretsView.view.name]),
        KeyBinding([.char("R")], .reissue, "Reissue the selected tracked certificate (its plan first)", dangerous: true,
                   views: [CertificatesView.view.name]),
        KeyBinding([.char("a")], .showAction, "Show the action panel again (Esc hid it; the action went on)"),
    ])

    /// The map for read-only mode: every dangerous binding removed, so no action key exists at
    /// all, and the key that shows the action panel with them (there is never one to show).
    public func readOnly(_ readOnly: Bool) -> KeyMap {
        readOnly ? KeyMap(bindings.filter { !$0.dangerous && $0.action != .showAction }) : self
    }

    /// What a key does in a view (nil: any view; then only the bindings of every view count).
    public func action(for key: Key, in view: String? = nil) -> KeyAction? {
        bindings.first { $0.keys.contains(key) && $0.applies(in: view) }?.action
    }

    public func binding(for action: KeyAction) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    /// A binding's keys as the help screen writes them: `j/↓`.
    public static func label(_ binding: KeyBinding) -> String {
        binding.keys.map(\.label).joined(separator: "/")
    }
}

/// The console's state and what keys do to it. Pure: no terminal, no clock; the app loop feeds it
/// keys and the rows on screen, and carries out the effect it returns.
public struct Console: Sendable {
    public enum Input: Equatable, Sendable {
        case none
        /// Typing a filter after `/`.
        case filter(String)
        /// Typing a view name after `:`.
        case command(String)
    }

    public enum Effect: Equatable, Sendable {
        case none, quit, refresh
        /// Build the plan of an action, off the UI thread, and report it with ``actionPlanned(_:blocked:)``.
        case prepare(ConsoleAction)
        /// Run the plan that was built (confirmed in the dialog).
        case runAction
        /// Let go of the plan built or being built; nothing runs.
        case discardAction
    }

    public private(set) var location: Location
    public private(set) var history: [Location] = []
    public var selection = 0
    public var top = 0
    public private(set) var filter = ""
    public private(set) var input = Input.none
    /// A one-line message (an unknown view name); cleared by the next key.
    public private(set) var message: String?
    public let keyMap: KeyMap
    public let readOnly: Bool
    public let environments: [String]
    /// The environments that need their name typed, and those the config makes read-only.
    public let protected: Set<String>
    public let readOnlyEnvironments: Set<String>
    /// The one action of this console: its dialog, then its progress panel (one at a time).
    public private(set) var dialog: ActionDialog?
    /// Whether the panel is hidden (Esc while it runs); the action goes on.
    public private(set) var dialogHidden = false

    public init(environments: [String], readOnly: Bool, environment: String? = nil, keyMap: KeyMap = .standard,
                protected: Set<String> = [], readOnlyEnvironments: Set<String> = []) {
        self.environments = environments
        self.readOnly = readOnly
        self.protected = protected
        self.readOnlyEnvironments = readOnlyEnvironments
        self.keyMap = keyMap.readOnly(readOnly)
        location = environment.map { Location(view: EnvironmentView.view.name, environment: $0) } ?? Location(view: OverviewView.view.name)
    }

    public var view: ResourceView { ViewRegistry.view(named: location.view) ?? OverviewView.view }

    // MARK: Keys

    public mutating func handle(_ key: Key, rows: [Row], pageSize: Int) -> Effect {
        message = nil
        if var open = dialog, !dialogHidden {
            let effect = open.handle(key)
            dialog = open.phase == .closed ? nil : open
            switch effect {
            case .none: return .none
            case .run: return .runAction
            case .discard: return .discardAction
            case .hide:
                dialogHidden = true
                return .none
            }
        }
        switch input {
        case .filter(let text):
            editFilter(text, key)
            return .none
        case .command(let text):
            return editCommand(text, key)
        case .none:
            break
        }
        guard let action = keyMap.action(for: key, in: location.view) else { return .none }
        let visible = rows.filter { $0.matches(filter) }
        switch action {
        case .quit:
            if let dialog, dialog.phase == .running {
                message = "\(dialog.action.title) is running: q quits once it has ended"
                return .none
            }
            return .quit
        case .roll, .rotate, .restore, .reissue:
            guard let kind = action.consoleAction else { return .none }
            return startAction(kind, row: visible.indices.contains(selection) ? visible[selection] : nil)
        case .showAction:
            if dialog == nil { message = "no action in hand: R or P on a row of :services, :secrets or :certs starts one" }
            dialogHidden = false
        case .refresh: return .refresh
        case .events:
            guard visible.indices.contains(selection), let environment = visible[selection].environment else {
                message = "select an environment first"
                return .none
            }
            navigate(Location(view: EventsView.view.name, environment: environment, object: visible[selection].finding.map { "before \($0)" }))
        case .help:
            if location.view == HelpView.view.name { back() } else { navigate(Location(view: HelpView.view.name, environment: location.environment)) }
        case .command: input = .command("")
        case .filter: input = .filter(filter)
        case .drillIn:
            if visible.indices.contains(selection), let target = visible[selection].drill { navigate(target) }
        case .back:
            if !filter.isEmpty { setFilter("") } else { back() }
        case .up: selection = max(0, selection - 1)
        case .down: selection = min(max(0, visible.count - 1), selection + 1)
        case .pageUp: selection = max(0, selection - max(1, pageSize))
        case .pageDown: selection = min(max(0, visible.count - 1), selection + max(1, pageSize))
        case .top: selection = 0
        case .bottom: selection = max(0, visible.count - 1)
        }
        return .none
    }

    /// Keeps the selection on a row and in the window of `pageSize` rows.
    public mutating func clamp(rowCount: Int, pageSize: Int) {
        selection = min(max(0, selection), max(0, rowCount - 1))
        let page = max(1, pageSize)
        if selection < top { top = selection }
        if selection >= top + page { top = selection - page + 1 }
        top = max(0, min(top, max(0, rowCount - page)))
    }

    // MARK: Actions

    /// An action key on a row: opens the dialog (the guards first), or shows the one already open.
    mutating func startAction(_ kind: ConsoleAction.Kind, row: Row?) -> Effect {
        if let dialog {
            dialogHidden = false
            message = "one action at a time: \(dialog.action.title)"
            return .none
        }
        guard let row, let environment = row.environment, let target = row.target else {
            message = "select a \(kind.noun) first"
            return .none
        }
        let opened = ActionDialog(action: ConsoleAction(kind: kind, environment: environment, target: target),
                                  protected: protected.contains(environment),
                                  environmentReadOnly: readOnlyEnvironments.contains(environment), readOnlyFlag: readOnly)
        dialog = opened
        dialogHidden = false
        return opened.phase == .preparing ? .prepare(opened.action) : .none
    }

    public mutating func actionPlanned(_ rendered: String, blocked: String?) {
        dialog?.planned(rendered, blocked: blocked)
    }

    public mutating func actionNotPlanned(_ message: String) {
        dialog?.notPlanned(message)
    }

    public mutating func actionProgress(_ line: String) {
        dialog?.progress(line)
    }

    public mutating func actionFinished(failure: String?, done: String) {
        dialog?.finished(failure: failure, done: done)
    }

    /// Keeps the panel's scroll position within its lines.
    public mutating func clampDialog(lineCount: Int, page: Int) {
        dialog?.clamp(lineCount: lineCount, page: page)
    }

    // MARK: Navigation

    public mutating func navigate(_ target: Location) {
        guard target != location else { return }
        history.append(location)
        location = target
        selection = 0
        top = 0
        filter = ""
    }

    mutating func back() {
        guard let previous = history.popLast() else { return }
        location = previous
        selection = 0
        top = 0
        filter = ""
    }

    mutating func setFilter(_ text: String) {
        filter = text
        selection = 0
        top = 0
    }

    // MARK: Line editing

    private mutating func editFilter(_ text: String, _ key: Key) {
        switch key {
        case .escape:
            input = .none
            setFilter("")
        case .enter: input = .none
        case .backspace:
            let shorter = String(text.dropLast())
            input = .filter(shorter)
            setFilter(shorter)
        case .char(let c):
            input = .filter(text + String(c))
            setFilter(text + String(c))
        default: break
        }
    }

    private mutating func editCommand(_ text: String, _ key: Key) -> Effect {
        switch key {
        case .escape: input = .none
        case .backspace: input = .command(String(text.dropLast()))
        case .tab: input = .command(CommandCompletion.complete(text, candidates: commandCandidates))
        case .char(let c): input = .command(text + String(c))
        case .enter:
            input = .none
            return run(command: text)
        default: break
        }
        return .none
    }

    /// Everything `:` accepts, for completion and the prompt's hints.
    public var commandCandidates: [String] {
        ViewRegistry.all.map(\.name) + environments.map { "env \($0)" } + ["all", "quit"]
    }

    mutating func run(command text: String) -> Effect {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first?.lowercased() else { return .none }
        switch first {
        case "q", "quit", "q!":
            return .quit
        case "env", "ctx", "context":
            guard words.count > 1 else {
                navigate(Location(view: OverviewView.view.name))
                return .none
            }
            guard environments.contains(words[1]) else {
                message = "no environment `\(words[1])`; known: \(environments.joined(separator: ", "))"
                return .none
            }
            navigate(Location(view: EnvironmentView.view.name, environment: words[1]))
        case "all":
            navigate(Location(view: location.view == EnvironmentView.view.name ? OverviewView.view.name : location.view))
        default:
            guard let view = ViewRegistry.view(named: first) else {
                let suggestion = CommandCompletion.matches(first, candidates: commandCandidates).first
                message = "no view `\(first)`" + (suggestion.map { "; did you mean `\($0)`?" } ?? "; press : then Tab to list them")
                return .none
            }
            var environment = location.environment
            if view.name == EnvironmentView.view.name, environment == nil { environment = environments.first }
            if view.name == OverviewView.view.name { environment = nil }
            navigate(Location(view: view.name, environment: environment))
        }
        return .none
    }
}

/// Completion for `:`: the candidates that start with what was typed, and their common prefix.
public enum CommandCompletion {
    public static func matches(_ text: String, candidates: [String]) -> [String] {
        let typed = text.lowercased()
        return candidates.filter { $0.lowercased().hasPrefix(typed) }
    }

    /// The text extended as far as every match agrees (the whole candidate when only one matches).
    public static func complete(_ text: String, candidates: [String]) -> String {
        let found = matches(text, candidates: candidates)
        guard var prefix = found.first else { return text }
        for candidate in found.dropFirst() {
            while !candidate.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() }
        }
        return prefix.count > text.count ? prefix : text
    }
}

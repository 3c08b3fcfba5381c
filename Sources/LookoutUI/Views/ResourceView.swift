import Foundation
import LookoutModel

/// What the console knows of an environment before its first poll: enough for a "loading" row.
public struct EnvironmentInfo: Sendable, Equatable {
    public var name: String
    public var protected: Bool
    public var readOnly: Bool

    public init(name: String, protected: Bool, readOnly: Bool) {
        self.name = name
        self.protected = protected
        self.readOnly = readOnly
    }
}

/// Everything a view's rows are made from.
public struct ViewContext: Sendable {
    public var snapshot: Snapshot?
    public var environments: [EnvironmentInfo]
    /// The environment the console is narrowed to; nil: all.
    public var scope: String?
    /// The one object the view is narrowed to (a group in `:partitions`); nil: all.
    public var object: String?
    public var now: Date
    public var symbols: StatusSymbols
    public var keyMap: KeyMap
    /// What AWS and the audit log said changed, as last read for `:events`.
    public var changes: ChangeLog

    public init(snapshot: Snapshot?, environments: [EnvironmentInfo], scope: String?, object: String? = nil, now: Date,
                symbols: StatusSymbols = .standard, keyMap: KeyMap = .standard, changes: ChangeLog = ChangeLog()) {
        self.snapshot = snapshot
        self.environments = environments
        self.scope = scope
        self.object = object
        self.now = now
        self.symbols = symbols
        self.keyMap = keyMap
        self.changes = changes
    }

    /// The environments in scope, in config order, each with its latest judgement (nil: not polled yet).
    public var scoped: [(info: EnvironmentInfo, snapshot: EnvironmentSnapshot?)] {
        environments.filter { scope == nil || $0.name == scope }.map { info in
            (info, snapshot?.environments.first { $0.name == info.name })
        }
    }
}

/// One screen of the console, k9s style: a name to switch to with `:`, its columns, and a renderer
/// (in `Render/`) that turns the snapshot into rows. Adding a resource is one render file, one view
/// file and one line in `ViewRegistry`.
public struct ResourceView: Sendable {
    public let name: String
    public let aliases: [String]
    public let title: String
    public let columns: [Column]
    public let rows: @Sendable (ViewContext) -> [Row]

    public init(name: String, aliases: [String] = [], title: String, columns: [Column], rows: @escaping @Sendable (ViewContext) -> [Row]) {
        self.name = name
        self.aliases = aliases
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

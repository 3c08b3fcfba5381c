import Foundation

/// A mistake in a config file, located the way an editor jumps to it: file, line, column, key path.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// The dotted key path, with sequence indexes: `environments[1].certificates.warn_days`.
    public let keyPath: String
    public let message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let key = keyPath.isEmpty ? "(top level)" : keyPath
        return "\(file):\(line):\(column): \(key): \(message)"
    }
}

/// No config file was found at any of the places lookout looks.
public struct ConfigNotFound: Error, Sendable, Equatable, CustomStringConvertible {
    /// Each place tried, with why it was tried (`--config`, `$LOOKOUT_CONFIG`, the default).
    public let tried: [(source: String, path: String)]

    public init(tried: [(source: String, path: String)]) {
        self.tried = tried
    }

    public static func == (lhs: ConfigNotFound, rhs: ConfigNotFound) -> Bool {
        lhs.tried.map(\.path) == rhs.tried.map(\.path) && lhs.tried.map(\.source) == rhs.tried.map(\.source)
    }

    public var description: String {
        "no config file found; tried: " + tried.map { "\($0.path) (\($0.source))" }.joined(separator: ", ")
    }
}

import Foundation

/// Finds and reads the config file in lookout's lookup order: `--config`, `$LOOKOUT_CONFIG`,
/// `~/.config/lookout/config.yaml`.
public struct ConfigLocator: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public var home: String { environment["HOME"] ?? NSHomeDirectory() }

    /// `$XDG_STATE_HOME`, or `~/.local/state` when unset or not absolute (as the XDG spec asks).
    public var stateHome: String {
        if let value = environment["XDG_STATE_HOME"], value.hasPrefix("/") { return value }
        return home + "/.local/state"
    }

    /// The places to look, in order, each with why it is looked at.
    public func candidates(explicit: String?) -> [(source: String, path: String)] {
        if let explicit { return [("--config", explicit)] }
        var result: [(String, String)] = []
        if let fromEnvironment = environment["LOOKOUT_CONFIG"], !fromEnvironment.isEmpty {
            result.append(("$LOOKOUT_CONFIG", fromEnvironment))
        }
        result.append(("default", home + "/.config/lookout/config.yaml"))
        return result
    }

    /// Reads and decodes the first config file that exists.
    public func load(explicit: String?) throws -> Config {
        let tried = candidates(explicit: explicit)
        let fileManager = FileManager.default
        for candidate in tried {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory) else { continue }
            guard !isDirectory.boolValue, let data = fileManager.contents(atPath: candidate.path) else {
                throw ConfigError(file: candidate.path, line: 1, column: 1, keyPath: "", message: "cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: candidate.path, line: 1, column: 1, keyPath: "", message: "the file is not UTF-8 text")
            }
            return try Config.decode(yaml: text, file: candidate.path, home: home, stateHome: stateHome)
        }
        throw ConfigNotFound(tried: tried)
    }
}

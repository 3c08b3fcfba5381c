import Yams

/// A position in the config tree: `environments[1].certificates.warn_days`.
struct KeyPath: Sendable, CustomStringConvertible {
    enum Component: Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    func appending(_ key: String) -> KeyPath { KeyPath(components: components + [.key(key)]) }
    func appending(index: Int) -> KeyPath { KeyPath(components: components + [.index(index)]) }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}

/// One node of the composed YAML with where it sits, so every error can name file, line, column and key.
struct ConfigValue {
    let node: Node
    let path: KeyPath
    let file: String

    var mark: Mark? { node.mark }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath: path.description, message: message)
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private var kindName: String {
        switch node {
        case .scalar: return isNull ? "nothing" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func scalarText(expected: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("expected \(expected), found \(kindName)")
        }
        return scalar.string
    }

    func string() throws(ConfigError) -> String {
        let text = try scalarText(expected: "a string")
        guard !text.isEmpty else { throw error("expected a non-empty string") }
        return text
    }

    func int(in range: ClosedRange<Int> = 0...Int.max) throws(ConfigError) -> Int {
        let text = try scalarText(expected: "a whole number")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a whole number, found `\(text)`")
        }
        guard range.contains(value) else {
            throw error(range.upperBound == Int.max
                ? "expected a number of at least \(range.lowerBound), found \(value)"
                : "expected a number from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        let text = try scalarText(expected: "true or false")
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw error("expected true or false, found `\(text)`")
        }
    }

    func duration() throws(ConfigError) -> ConfigDuration {
        let text = try scalarText(expected: "a duration like 10s or 5m")
        guard let duration = ConfigDuration(parsing: text) else {
            throw error("`\(text)` is not a duration; write it like 500ms, 10s, 5m or 1h")
        }
        guard duration.milliseconds > 0 else { throw error("a duration must be longer than 0") }
        guard duration.milliseconds <= ConfigDuration.maximum.milliseconds else {
            throw error("`\(text)` is longer than the longest duration lookout takes (\(ConfigDuration.maximum))")
        }
        return duration
    }

    func address() throws(ConfigError) -> Address {
        let text = try scalarText(expected: "an address host:port")
        guard let address = Address(parsing: text) else {
            throw error("`\(text)` is not an address; write it as host:port (IPv6 as [::1]:9092), port 1-65535")
        }
        return address
    }

    func arn(service: String) throws(ConfigError) -> ARN {
        let text = try scalarText(expected: "an ARN")
        guard let arn = ARN(parsing: text) else {
            throw error("`\(text)` is not an ARN; expected arn:aws:\(service):REGION:ACCOUNT:RESOURCE")
        }
        guard arn.service == service else {
            throw error("`\(text)` is an ARN of service `\(arn.service)`; expected one of `\(service)`")
        }
        return arn
    }

    func list() throws(ConfigError) -> [ConfigValue] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, found \(kindName)")
        }
        return sequence.enumerated().map { ConfigValue(node: $1, path: path.appending(index: $0), file: file) }
    }

    func strings() throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try list() { result.append(try item.string()) }
        return result
    }

    /// A mapping whose keys must all be among `keys`; an unknown key is an error naming the nearest known one.
    func mapping(keys: [String]) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping, found \(kindName)")
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            let keyValue = ConfigValue(node: keyNode, path: path, file: file)
            let key = try keyValue.scalarText(expected: "a key")
            guard keys.contains(key) else {
                let unknown = ConfigValue(node: keyNode, path: path.appending(key), file: file)
                if let suggestion = nearest(to: key, among: keys) {
                    throw unknown.error("unknown key; did you mean `\(suggestion)`?")
                }
                throw unknown.error("unknown key; expected one of: \(keys.joined(separator: ", "))")
            }
            entries.append((key, keyNode, value))
        }
        return ConfigMapping(owner: self, entries: entries)
    }
}

/// A mapping read key by key; missing required keys are reported at the mapping.
struct ConfigMapping {
    let owner: ConfigValue
    let entries: [(key: String, keyNode: Node, value: Node)]

    /// The value at `key`, nil when absent or written as null.
    func value(_ key: String) -> ConfigValue? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        let value = ConfigValue(node: entry.value, path: owner.path.appending(key), file: owner.file)
        return value.isNull ? nil : value
    }

    func required(_ key: String) throws(ConfigError) -> ConfigValue {
        guard let value = value(key) else {
            throw ConfigError(file: owner.file, line: owner.mark?.line ?? 1, column: owner.mark?.column ?? 1,
                              keyPath: owner.path.appending(key).description, message: "missing required key `\(key)`")
        }
        return value
    }
}

import Foundation

/// The AWS CLI's shared files: `AWS_CONFIG_FILE` (default `~/.aws/config`, sections `[default]` and
/// `[profile NAME]`) and `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`, sections `[NAME]`).
struct SharedConfigFiles: Sendable {
    var configPath: String
    var credentialsPath: String
    /// Profiles of the config file.
    var config: [String: [String: String]] = [:]
    /// Profiles of the credentials file.
    var credentials: [String: [String: String]] = [:]
    /// `[sso-session NAME]` sections of the config file.
    var ssoSessions: [String: [String: String]] = [:]

    init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }

    /// Reads both files; a missing file is an empty one, an unreadable one an error.
    mutating func load() throws(CredentialsError) {
        for sections in [(configPath, true), (credentialsPath, false)] {
            let (path, isConfig) = sections
            guard FileManager.default.fileExists(atPath: path) else { continue }
            // The AWS CLI's files: a few KB; 4 MiB is a thousand times that.
            let text: String
            switch BoundedRead.text(path, limit: 4 << 20) {
            case .success(let read): text = read
            case .failure(let failure): throw .providerFailed(provider: "shared config files", reason: "\(path) \(failure)")
            }
            for (section, values) in Self.parseINI(text) {
                if isConfig {
                    let words = section.split(separator: " ", omittingEmptySubsequences: true)
                    if words.count == 2, words[0] == "profile" {
                        config[String(words[1]), default: [:]].merge(values) { _, new in new }
                    } else if words.count == 2, words[0] == "sso-session" {
                        ssoSessions[String(words[1]), default: [:]].merge(values) { _, new in new }
                    } else if section == "default" {
                        config["default", default: [:]].merge(values) { old, _ in old }
                    }
                } else {
                    credentials[section, default: [:]].merge(values) { _, new in new }
                }
            }
        }
    }

    /// A profile as botocore sees it: the config file's values, overridden by the credentials file's.
    func profile(_ name: String) -> [String: String]? {
        if config[name] == nil && credentials[name] == nil { return nil }
        return (config[name] ?? [:]).merging(credentials[name] ?? [:]) { _, new in new }
    }

    /// `[section]` then `key = value` or `key: value`; `#` and `;` start comment lines; indented lines
    /// continue a nested value (ignored, as no key lookout reads is nested).
    static func parseINI(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                sections.append((line.dropFirst().dropLast().trimmingSpaces, [:]))
                continue
            }
            guard !sections.isEmpty,
                let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let key = line[..<separator].trimmingSpaces.lowercased()
            let value = line[line.index(after: separator)...].trimmingSpaces
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }
}

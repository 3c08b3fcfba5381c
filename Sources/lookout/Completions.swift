import ArgumentParser
import Foundation
import LookoutConfig
import LookoutUI

/// Completions that read the config: the shell asks `lookout` (through the script
/// swift-argument-parser generates) for the candidates of `--env`, `--service`, `--secret`,
/// `--cert` and `--theme`. The config is the one the command line names with `--config`, else
/// `$LOOKOUT_CONFIG`, else the default; the environment the one `--env` names, else all of them.
/// A config that cannot be read completes nothing (a completion must never print an error).
enum Completions {
    static let environments = CompletionKind.custom { words, _, prefix in
        candidates(prefix) { config, _ in config.environments.map(\.name) }
    }

    static let services = CompletionKind.custom { words, _, prefix in
        candidates(prefix, words) { _, environments in
            environments.flatMap { environment -> [String] in
                let ecs = environment.ecs
                let restart = environment.secrets.flatMap(\.restart) + (environment.certificates?.tracked.flatMap(\.restart) ?? [])
                return (ecs?.services ?? []) + (ecs?.brokers.keys.sorted() ?? []) + restart
            }
        }
    }

    static let secrets = CompletionKind.custom { words, _, prefix in
        candidates(prefix, words) { _, environments in environments.flatMap { $0.secrets.map(\.name) } }
    }

    static let certificates = CompletionKind.custom { words, _, prefix in
        candidates(prefix, words) { _, environments in environments.flatMap { $0.certificates?.tracked.map(\.name) ?? [] } }
    }

    static let themes = CompletionKind.custom { _, _, prefix in
        let names = ThemeLocator().folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }
        }
        return Array(Set(names)).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The names `pick` gives for the config (and the environments `--env` narrows it to),
    /// unique, sorted, starting with `prefix`.
    static func candidates(_ prefix: String, _ words: [String] = [],
                           _ pick: (Config, [EnvironmentConfig]) -> [String]) -> [String] {
        guard let config = try? ConfigLocator().load(explicit: value(of: "--config", in: words)) else { return [] }
        let environment = value(of: "--env", in: words)
        let chosen = config.environments.filter { environment == nil || $0.name == environment }
        return Array(Set(pick(config, chosen))).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The value given to `option` on the command line (`--option V` or `--option=V`), unquoted.
    static func value(of option: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word == option, index + 1 < words.count { return unquoted(words[index + 1]) }
            if word.hasPrefix(option + "=") { return unquoted(String(word.dropFirst(option.count + 1))) }
        }
        return nil
    }

    /// The shells pass words as typed: drop one pair of surrounding quotes.
    static func unquoted(_ word: String) -> String {
        for quote in ["\"", "'"] where word.count >= 2 && word.hasPrefix(quote) && word.hasSuffix(quote) {
            return String(word.dropFirst().dropLast())
        }
        return word
    }
}

import ArgumentParser
import Foundation
import LookoutConfig
import LookoutModel

/// The `--config` option shared by every command that reads the config file.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the config from this file.", discussion: "Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    /// Loads the config or exits as sysexits says: 64 for a bad file, 66 for no file.
    func load() throws -> Config {
        do {
            return try ConfigLocator().load(explicit: config)
        } catch let error as ConfigError {
            throw CommandFailure(message: error.description, code: 64)
        } catch let error as ConfigNotFound {
            throw CommandFailure(message: error.description, code: 66)
        }
    }
}

/// `--config` and `--env`, for the commands that work on some or all environments.
struct EnvironmentOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("Only this environment.", valueName: "name"), completion: Completions.environments)
    var env: String?

    /// The config and the environments chosen; an unknown name is a usage error (64).
    func load() throws -> (Config, [EnvironmentConfig]) {
        let config = try configOptions.load()
        guard let env else { return (config, config.environments) }
        guard let environment = config.environment(named: env) else {
            throw CommandFailure(message: "no environment named `\(env)` in \(config.file); known: \(config.environments.map(\.name).joined(separator: ", "))", code: 64)
        }
        return (config, [environment])
    }
}

/// An error on stderr; what it quotes from outside (a config's text, a server's message) cannot
/// drive the terminal.
func printError(_ message: String) {
    Output.write(message.terminalSafeLines + "\n", to: STDERR_FILENO)
}

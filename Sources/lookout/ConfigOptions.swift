import ArgumentParser
import Foundation
import LookoutConfig

/// The `--config` option shared by every command that reads the config file.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the config from this file.", discussion: "Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.", valueName: "file"))
    var config: String?

    /// Loads the config or exits as sysexits says: 64 for a bad file, 66 for no file.
    func load() throws -> Config {
        do {
            return try ConfigLocator().load(explicit: config)
        } catch let error as ConfigError {
            printError("lookout: \(error)")
            throw ExitCode(64)
        } catch let error as ConfigNotFound {
            printError("lookout: \(error)")
            throw ExitCode(66)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

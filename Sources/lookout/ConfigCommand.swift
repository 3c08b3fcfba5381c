import ArgumentParser
import LookoutConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file.",
        subcommands: [Validate.self]
    )
}

extension ConfigCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a config file and print one line per environment.",
            discussion: "Exits 0 when the file is good, 64 naming file, line, column and key when it is not, and 66 when there is no file."
        )

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            for environment in config.environments {
                print(environment.summary)
            }
        }
    }
}

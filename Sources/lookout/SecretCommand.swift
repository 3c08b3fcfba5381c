import ArgumentParser
import LookoutActions
import LookoutConfig

struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Rotate or restore a secret in SSM Parameter Store.",
        subcommands: [Rotate.self, Restore.self]
    )

    /// The options rotate and restore share.
    struct Target: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The secret, by its name in the config.", valueName: "name"), completion: Completions.secrets)
        var secret: String

        @Option(name: .long, help: ArgumentHelp("How long each wait of the roll may take. Default: the config's timeouts.action (5m).", valueName: "duration"))
        var timeout: String?

        func validate() throws {
            try validateTimeout(timeout)
        }
    }
}

extension SecretCommand {
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new value made locally as a new version, label it, roll the services that read it.",
            usage: "lookout secret rotate --env <name> --secret <name> [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: "The old version stays in SSM, labelled previous; `lookout secret restore` puts it back. No value is ever printed or logged."
        )

        @OptionGroup var options: EnvironmentOptions
        @OptionGroup var target: Target
        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
        }

        func run() async throws {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly,
                                     timeout: target.timeout) { .rotateSecret(target.secret, timeout: $0) }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an earlier version back as a new version, label it, roll the services that read it.",
            usage: "lookout secret restore --env <name> --secret <name> [--version <n>] [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: "The earlier version is the one labelled previous unless --version names one."
        )

        @OptionGroup var options: EnvironmentOptions
        @OptionGroup var target: Target

        @Option(name: .long, help: ArgumentHelp("The version to put back.", valueName: "n"))
        var version: Int?

        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
        }

        func run() async throws {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly,
                                     timeout: target.timeout) { .restoreSecret(target.secret, version: version, timeout: $0) }
        }
    }
}

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
        @Option(name: .long, help: ArgumentHelp("The secret, by its name in the config.", valueName: "name"))
        var secret: String

        @Option(name: .long, help: ArgumentHelp("How long each wait of the roll may take.", valueName: "duration"))
        var timeout: String = "5m"

        func validate() throws {
            guard ConfigDuration(parsing: timeout) != nil else { throw ValidationError("--timeout takes a duration such as 90s or 5m.") }
        }
    }

    static func run(_ mode: SecretStateMachine.Mode, options: EnvironmentOptions, target: Target, flags: ActionFlags, readOnly: Bool) async throws {
        let wait = ConfigDuration(parsing: target.timeout)!.swiftDuration
        var runner: SecretRunner?
        var services: [RollStateMachine.Service] = []
        var probe: KafkaProbe?
        let action = mode == .rotate ? "secret rotate" : "secret restore"
        do {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnly) { (environment, client) throws(ActionError) in
                let kafka = KafkaProbe(environment: environment, aws: client)
                probe = kafka
                var roll: RollRunner?
                if environment.ecs != nil {
                    roll = try RollRunner(environment: environment, client: client, kafka: kafka, timeout: wait)
                }
                let made = try SecretRunner(environment: environment, secretName: target.secret, client: client, roll: roll, kafka: kafka)
                runner = made
                let prepared = try await made.prepare(mode)
                services = prepared.services
                return ActionSpec(action: action, target: target.secret, locks: prepared.locks, steps: prepared.steps,
                                  facts: prepared.facts, blocked: prepared.blocked)
            } execute: { (session) throws(ActionError) in
                try await runner!.run(mode, services: services, session: session)
            }
        } catch {
            await probe?.shutdown()
            throw error
        }
        await probe?.shutdown()
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
            try await SecretCommand.run(.rotate, options: options, target: target, flags: flags, readOnly: readOnlyOption.readOnly)
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
            try await SecretCommand.run(.restore(version: version), options: options, target: target, flags: flags, readOnly: readOnlyOption.readOnly)
        }
    }
}

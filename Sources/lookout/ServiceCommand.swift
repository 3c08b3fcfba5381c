import ArgumentParser
import LookoutActions
import LookoutConfig

struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Act on ECS services.",
        subcommands: [Roll.self]
    )
}

extension ServiceCommand {
    struct Roll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll ECS services one at a time, gated on Kafka health for broker services.",
            usage: "lookout service roll --env <name> --service <name> ... [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: "Forces a new deployment and follows it by its tasks. Exits 75 when it stopped half-way (a re-run rolls again), 77 when refused, 69 when AWS or the Kafka gate is unavailable."
        )

        @OptionGroup var options: EnvironmentOptions

        @Option(name: .long, help: ArgumentHelp("A service to roll; repeat it to roll several, one at a time.", valueName: "name"),
                completion: Completions.services)
        var service: [String]

        @Option(name: .long, help: ArgumentHelp("How long each wait may take. Default: the config's timeouts.action (5m).", valueName: "duration"))
        var timeout: String?

        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
            guard !service.isEmpty else { throw ValidationError("Give at least one --service.") }
            try validateTimeout(timeout)
        }

        func run() async throws {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly,
                                     timeout: timeout) { .roll(services: service, timeout: $0) }
        }
    }
}

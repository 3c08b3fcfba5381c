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

        @Option(name: .long, help: ArgumentHelp("A service to roll; repeat it to roll several, one at a time.", valueName: "name"))
        var service: [String]

        @Option(name: .long, help: ArgumentHelp("How long each wait may take.", valueName: "duration"))
        var timeout: String = "5m"

        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
            guard !service.isEmpty else { throw ValidationError("Give at least one --service.") }
            guard ConfigDuration(parsing: timeout) != nil else { throw ValidationError("--timeout takes a duration such as 90s or 5m.") }
        }

        func run() async throws {
            let wait = ConfigDuration(parsing: timeout)!.swiftDuration
            let names = service
            var runner: RollRunner?
            var order: [RollStateMachine.Service] = []
            var probe: KafkaProbe?
            do {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly) { (environment, client) throws(ActionError) in
                if let listed = environment.ecs?.services, let unknown = names.first(where: { !listed.contains($0) }) {
                    throw ActionError(.usage, "`\(unknown)` is not among \(environment.name)'s ecs.services (\(listed.joined(separator: ", ")))")
                }
                let kafka = KafkaProbe(environment: environment, aws: client)
                probe = kafka
                let made = try RollRunner(environment: environment, client: client, kafka: kafka, timeout: wait)
                runner = made
                let prepared = try await made.prepare(names)
                order = prepared.services
                return ActionSpec(action: "service roll", target: order.map(\.name).joined(separator: ","),
                                  locks: RollPlan.lockNames(environment: environment.name, services: order.map(\.name)),
                                  steps: prepared.steps, facts: prepared.facts, blocked: prepared.blocked)
            } execute: { (session) throws(ActionError) in
                try await runner!.run(order, session: session)
            }
            } catch {
                await probe?.shutdown()
                throw error
            }
            await probe?.shutdown()
        }
    }
}

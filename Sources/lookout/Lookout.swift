import ArgumentParser

@main
struct Lookout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookout",
        abstract: "A terminal operations console for a self-run Kafka service on AWS.",
        discussion: "The console itself, snapshot, check and the actions are not built yet; see the README.",
        subcommands: [ConfigCommand.self]
    )
}

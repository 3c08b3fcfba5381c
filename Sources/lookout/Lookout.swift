import ArgumentParser
import LookoutConfig

@main
struct Lookout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookout",
        abstract: "A terminal operations console for a self-run Kafka service on AWS."
    )
}

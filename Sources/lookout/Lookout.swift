import ArgumentParser
import Foundation

@main
struct Lookout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookout",
        abstract: "A terminal operations console for a self-run Kafka service on AWS.",
        discussion: "The console itself and the actions are not built yet; see the README.",
        subcommands: [SnapshotCommand.self, CheckCommand.self, ConfigCommand.self]
    )

    /// `check` speaks the monitoring plugin convention even when it cannot run: any failure,
    /// a usage error or a bad config included, is UNKNOWN (exit 3) with the message.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let isCheck = arguments.first == "check"
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let verdict as CheckVerdict {
            Foundation.exit(verdict.code)
        } catch let failure as CommandFailure {
            if isCheck {
                print("LOOKOUT UNKNOWN - cannot run the check: \(failure.message.replacingOccurrences(of: "\n", with: " "))")
                Foundation.exit(3)
            }
            printError("lookout: \(failure.message)")
            Foundation.exit(failure.code)
        } catch {
            if isCheck, exitCode(for: error) != .success {
                print("LOOKOUT UNKNOWN - cannot run the check: \(fullMessage(for: error).replacingOccurrences(of: "\n", with: " "))")
                Foundation.exit(3)
            }
            exit(withError: error)
        }
    }
}

/// A command that cannot run: the message a person reads and the sysexits code.
struct CommandFailure: Error {
    let message: String
    let code: Int32
}

/// The state `check` found, as its exit code.
struct CheckVerdict: Error {
    let code: Int32
}

import ArgumentParser
import Foundation
import LookoutConfig
import LookoutActions
import LookoutModel
import LookoutUI

@main
struct Lookout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookout",
        abstract: "A terminal operations console for a self-run Kafka service on AWS.",
        discussion: """
            Without a subcommand, opens the console: every environment at a glance, polled in the \
            background. Press ? in it for the keys. Themes are looked up in Themes/ beside the \
            executable, in <prefix>/share/lookout/themes (the package's) or \
            <prefix>/share/lookout/Themes, then in the repository. The actions \
            are subcommands, and keys in the console that show the plan to confirm first \
            (R rolls a service, R rotates and P restores a secret, R reissues a certificate).
            """,
        version: "lookout \(BuildStamp.version)",
        subcommands: [SnapshotCommand.self, CheckCommand.self, ServeCommand.self, ConfigCommand.self, ServiceCommand.self, SecretCommand.self, CertCommand.self, AuditCommand.self, EventsCommand.self]
    )

    @OptionGroup var options: EnvironmentOptions

    @OptionGroup var readOnlyOption: ReadOnlyOption

    @Option(name: .long, help: ArgumentHelp("The colour theme: a name from Themes/ or a path to a theme file.", discussion: "Otherwise the config's `theme`, then `default`. NO_COLOR set turns colours off.", valueName: "name"),
            completion: Completions.themes)
    var theme: String?

    func run() async throws {
        let (config, environments) = try options.load()
        let themeName = theme ?? config.theme
        let loaded: Theme
        do {
            loaded = try ThemeLocator().load(themeName)
        } catch let error as ConfigError {
            throw CommandFailure(message: "bad theme: \(error.description)", code: 64)
        } catch {
            throw CommandFailure(message: "\(error)", code: 64)
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CommandFailure(message: "the console needs a terminal; for scripts use `lookout snapshot` or `lookout check`", code: 64)
        }
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        await ConsoleApp.run(config: config, environments: environments, options: ConsoleApp.Options(
            readOnly: readOnlyOption.readOnly || environments.allSatisfy(\.readOnly), environment: environments.count == 1 ? environments[0].name : nil,
            theme: loaded, color: !noColor))
    }

    /// `check` speaks the monitoring plugin convention even when it cannot run: any failure,
    /// a usage error or a bad config included, is UNKNOWN (exit 3) with the message.
    static func main() async {
        // The process holds secrets (a new password, a private key): never a core dump of it.
        Interruption.disableCoreDumps()
        // Two malloc arenas, not glibc's eight a core: the console's heap stays put over hours (docs/soak.md).
        Heap.configure()
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
                print("LOOKOUT UNKNOWN - cannot run the check: \(failure.message.replacingOccurrences(of: "\n", with: " ").terminalSafe)")
                Foundation.exit(3)
            }
            printError("lookout: \(failure.message)")
            Foundation.exit(failure.code)
        } catch {
            if isCheck, exitCode(for: error) != .success {
                print("LOOKOUT UNKNOWN - cannot run the check: \(fullMessage(for: error).replacingOccurrences(of: "\n", with: " ").terminalSafe)")
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
